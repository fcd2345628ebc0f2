"""The survey in the browser, with axe on every page: a respondent answers on a phone-sized
screen through every page and sends; the coach starts a survey and sees the response rate."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.e2e.conftest import Checked, sign_in
from coachloop.surveys import services, tokens
from coachloop.surveys.models import Administration, Invitation, Response

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Checked(page, live_server.url)
    context.close()


def test_a_respondent_answers_every_page_on_a_phone_and_sends(phone, lfl, world):
    today = timezone.localdate()
    created = services.administration_create(
        actor=world.cora,
        engagement=lfl.engagement,
        instrument=lfl.instrument,
        opens_on=today,
        closes_on=today + datetime.timedelta(days=7),
    )
    invitation = Invitation.objects.get(
        administration=created.administration, email=world.sam.email
    )
    token = tokens.unseal(invitation.sealed_token)
    page = phone.page
    phone.goto(f"/s/{token}/")
    expect(page.get_by_role("heading", name="Your answers are anonymous")).to_be_visible()
    page.get_by_role("link", name="Start").click()
    pages = services.pages_for(created.administration.spec, "staff")
    for number, spec_page in enumerate(pages, start=1):
        expect(page.get_by_text(f"Page {number} of {len(pages)}")).to_be_visible()
        phone.axe()
        for n, item in enumerate(spec_page.items):
            group = page.get_by_role("group", name=item.text)
            label = "Don't know" if n == 0 else ("Agree" if item.scale == "agree5" else "Often")
            group.get_by_label(label, exact=True).check()
        for question in spec_page.questions:
            page.get_by_label(question.prompt).fill("More time to plan together.")
        button = "Save and review" if number == len(pages) else "Save and continue"
        page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name="Review and send")).to_be_visible()
    phone.axe()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    phone.axe()
    response = Response.objects.get(administration=created.administration)
    assert response.role == "staff"
    page.goto(phone.base_url + f"/s/{token}/")
    expect(page.get_by_text("each link answers once")).to_be_visible()
    phone.axe()


def test_the_coach_starts_a_survey_and_sees_the_response_rate(checked, lfl, world):
    page = checked.page
    sign_in(checked, world.cora)
    checked.goto(f"/engagements/{lfl.engagement.pk}/surveys/new/")
    page.get_by_label("Title").fill("Oak leadership survey")
    page.get_by_role("button", name="Create the survey and send the invitations").click()
    expect(page.get_by_role("heading", name="Oak leadership survey")).to_be_visible()
    expect(page.get_by_text("0 of 14 invited have answered.")).to_be_visible()
    checked.axe()
    adm = Administration.objects.get(title="Oak leadership survey")
    tom = Invitation.objects.get(administration=adm, email=world.tom.email)
    token = tokens.unseal(tom.sealed_token)
    services.submit(token=token, values={"focus-goals": 4}, comments={})
    page.reload()
    expect(page.get_by_text("1 of 14 invited have answered.")).to_be_visible()
    page.get_by_role("button", name="Send reminders").click()
    expect(page.get_by_text("Reminders sent.")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Close the survey…").click()
    checked.axe()
    page.get_by_role("button", name="Close the survey").click()
    expect(page.get_by_text("Survey closed. Its report is final.")).to_be_visible()
    checked.axe()
    checked.goto("/surveys/")
    expect(page.get_by_role("link", name="Oak leadership survey")).to_be_visible()
