"""Playbooks, programmes, the coach's "today" and the sponsor's page in the browser, with axe on
every page and after every change: an administrator adapts the built-in playbook, watches her
programme and adds an engagement; a coach opens her day; a sponsor finds the plan to approve."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.engagements.models import Engagement
from coachloop.plans import services as plans
from coachloop.playbooks.models import Playbook
from coachloop.testing.personas import build_world

pytestmark = pytest.mark.browser


def submit_plan(world):
    version = plans.plan_save(
        actor=world.cora,
        engagement=world.engagement,
        summary="Lead data meetings.",
        goals=[{"title": "Run monthly data meetings", "measure": "4 of 4", "evidence": "Minutes"}],
        base=0,
    )
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=version.number)


def test_an_administrator_adapts_a_playbook_and_runs_her_programme(checked, transactional_db):
    world = build_world()
    programme = world.engagement.programme
    page = checked.page
    sign_in(checked, world.ada)

    # The playbooks, the built-in one in full
    checked.goto("/playbooks/")
    # performance, instructional, peer, leadership for learning
    expect(page.get_by_role("cell", name="Built-in")).to_have_count(5)
    page.get_by_role("link", name="Performance coaching", exact=True).click()
    expect(page.get_by_role("heading", name="Performance coaching", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Performance task scoring")).to_be_visible()
    checked.axe()

    # Copy and adapt it into the district
    page.get_by_role("link", name="Copy and adapt").first.click()
    checked.axe()
    page.get_by_label("Copy into").select_option(label="— Riverbend")
    page.get_by_label("Name of the copy").fill("Riverbend coaching")
    page.get_by_role("button", name="Make the copy").click()
    expect(page.get_by_role("status").first).to_contain_text("is a copy of Performance coaching")
    checked.axe()
    page.locator("#step-plan-orientation").get_by_role("link", name="Edit step").click()
    expect(page.get_by_text("Engagements already running keep the version")).to_be_visible()
    checked.axe()
    page.get_by_label("Title").fill("Plan the orientation with the sponsor")
    page.get_by_label("Due day").fill("12")
    checklist = page.get_by_label("Checklist")
    checklist.fill(checklist.input_value() + "\nBook a room")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved as version 2")
    expect(page.locator("#step-plan-orientation")).to_contain_text("Book a room")
    checked.axe()
    copy = Playbook.objects.get(organisation=world.district)
    assert copy.current.number == 2
    checked.goto(f"/playbooks/{copy.pk}/edit/")

    # The programme's overview, and a new engagement through the form
    checked.goto("/programmes/")
    page.get_by_role("link", name=programme.name).click()
    expect(page.get_by_role("heading", name="Overdue steps")).to_be_visible()
    expect(page.get_by_role("row", name="Pre-coaching 1")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="New engagement").first.click()
    checked.axe()
    page.get_by_label("Performer").select_option(
        label=f"{world.tina.full_name} ({world.tina.email})"
    )
    page.get_by_label("Coach").select_option(label=f"{world.cora.full_name} ({world.cora.email})")
    page.get_by_role("button", name="Create the engagement").click()
    # no sponsor chosen: the field says so, and what was chosen stays
    expect(page.get_by_text("Choose the sponsor.")).to_be_visible()
    checked.axe()
    page.get_by_label("Sponsor").select_option(label=f"{world.dan.full_name} ({world.dan.email})")
    page.get_by_label("Start date").fill("2026-12-01")
    page.get_by_role("button", name="Create the engagement").click()
    expect(page.get_by_role("status").first).to_contain_text("Engagement created")
    checked.axe()
    assert Engagement.objects.filter(participants__user=world.tina).count() == 1

    # The other forms of the programme pages pass axe too
    checked.goto(f"/programmes/{programme.pk}/engagements/bulk/")
    page.get_by_label("Engagements, one per line").fill("nobody@a.test,cora@a.test,,,2026-12-01")
    page.get_by_role("button", name="Check and create").click()
    expect(page.get_by_role("alert")).to_contain_text("Line 1: nobody in your organisations")
    checked.axe()
    checked.goto("/programmes/new/")


def test_a_coach_opens_her_day(checked, transactional_db):
    world = build_world()
    submit_plan(world)
    page = checked.page
    sign_in(checked, world.cora)
    page.get_by_role("link", name="Today", exact=True).click()
    expect(page.get_by_role("heading", name="Due this week and overdue")).to_be_visible()
    expect(
        page.get_by_role("link", name="Review the coaching assignment, profile and data")
    ).to_be_visible()
    expect(page.get_by_text("The plan of Coaching Tom")).to_be_visible()
    checked.axe()


def test_a_sponsor_finds_the_plan_to_approve(checked, transactional_db):
    world = build_world()
    submit_plan(world)
    page = checked.page
    sign_in(checked, world.lena)
    page.get_by_role("link", name="Sponsor", exact=True).click()
    expect(page.get_by_role("link", name="Review the plan of Coaching Tom")).to_be_visible()
    expect(page.get_by_role("cell", name="Pre-coaching")).to_be_visible()
    checked.axe()
