"""The practice profile in the browser, with axe on every page: Cora rates her own practice
(forgets one function, is told which, fixes it), her lead coach Lola rates her from an observed
coaching conversation with evidence per function, and the profile page shows both side by side
over time."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.e2e.conftest import Checked, sign_in
from coachloop.rubrics.models import RubricScore

pytestmark = pytest.mark.browser

FUNCTIONS = [
    "Developing and maintaining coaching relationships",
    "Facilitating the improvement process",
    "Communicating in a timely and responsive manner",
    "Engaging in solution-driven dialogue",
    "Reviewing data with the coached educator",
]


def choose(page, function, level):
    group = page.get_by_role("group", name=f"Level — {function}")
    group.get_by_role("radio", name=level).check()


def test_self_assessment_lead_assessment_and_side_by_side(browser, live_server, world, coachdev):
    dev = coachdev.development

    def new_page(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        checked = Checked(page, live_server.url)
        sign_in(checked, user)
        return checked, context

    # Cora: her self-assessment, one function forgotten, then fixed
    checked, context = new_page(world.cora)
    page = checked.page
    checked.goto(f"/engagements/{dev.pk}/")
    page.get_by_role("link", name="Practice profile", exact=True).click()
    expect(page.get_by_role("heading", name="Rate your own coaching practice")).to_be_visible()
    checked.axe()
    for function in FUNCTIONS[:-1]:
        choose(page, function, "3 Proficient")
    page.get_by_label(f"Evidence — {FUNCTIONS[0]}").fill("Teachers say they trust me")
    page.get_by_role("button", name="Save the assessment").click()
    expect(
        page.get_by_text("Choose a level for “Reviewing data with the coached educator”.")
    ).to_be_visible()
    expect(page.get_by_label(f"Evidence — {FUNCTIONS[0]}")).to_have_value(
        "Teachers say they trust me"
    )
    checked.axe()
    choose(page, FUNCTIONS[-1], "2 Developing")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("The assessment was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Self-assessment: {world.cora}")).to_be_visible()
    checked.axe()
    context.close()

    # Lola: the observed assessment, evidence for each function
    checked, context = new_page(coachdev.lola)
    page = checked.page
    checked.goto(f"/engagements/{dev.pk}/profile/assess/")
    observed = timezone.localdate() - datetime.timedelta(days=2)
    page.get_by_label("Day of the observed coaching conversation").fill(observed.isoformat())
    page.get_by_label("What you observed").fill("Coaching conversation with a Grade 4 teacher")
    for i, function in enumerate(FUNCTIONS):
        choose(page, function, "4 Exemplary" if i == 0 else "2 Developing")
        page.get_by_label(f"Evidence — {function}").fill(f"Observed: {function.lower()}")
    page.get_by_label("Summary for the coach").fill("Strong relationships; bring data sooner.")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_text("The assessment was saved.")).to_be_visible()
    checked.axe()

    # the side-by-side page
    page.get_by_role("link", name="All assessments, side by side").click()
    expect(page.get_by_role("heading", name=f"Practice profile of {world.cora}")).to_be_visible()
    latest = page.get_by_role("table", name="The latest self-assessment")
    row = latest.get_by_role("row").filter(has=page.get_by_role("rowheader", name=FUNCTIONS[0]))
    expect(row).to_contain_text("3 Proficient")
    expect(row).to_contain_text("4 Exemplary")
    expect(row.get_by_role("cell").last).to_have_text("+1")
    data = latest.get_by_role("row").filter(has=page.get_by_role("rowheader", name=FUNCTIONS[-1]))
    expect(data.get_by_role("cell").last).to_have_text("0")  # both at 2: no gap
    expect(page.get_by_role("img", name=f"Levels over time: {FUNCTIONS[0]}")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Coaching conversation with a Grade 4 teacher")
    ).to_be_visible()
    checked.axe()
    context.close()
    assert RubricScore.objects.count() == 2
