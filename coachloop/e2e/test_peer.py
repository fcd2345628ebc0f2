"""The peer coaching team page in the browser, with axe on every page: a member adds a goal and
rates her partner on a level; the supervisor reads goals and levels, never the team's notes."""

import re

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.engagements.services import note_create

pytestmark = pytest.mark.browser


def test_a_member_adds_a_goal_and_rates_her_partner(checked, peer):
    page = checked.page
    sign_in(checked, peer.pia)
    checked.goto(f"/engagements/{peer.engagement.pk}/team/")
    expect(page.get_by_role("heading", name="Members and their goals")).to_be_visible()
    expect(page.get_by_text("No goal yet.").first).to_be_visible()

    page.get_by_role("link", name="Add a goal").click()
    checked.axe()
    page.get_by_role("button", name="Save the goal").click()  # nothing typed
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    checked.axe()
    page.get_by_label("Goal", exact=True).fill("Give feedback within a week")
    page.get_by_label("Where it comes from").select_option("DISC assessment")
    page.get_by_role("button", name="Save the goal").click()
    expect(page.get_by_text("Goal saved.")).to_be_visible()
    expect(
        page.get_by_role("strong").filter(has_text="Give feedback within a week")
    ).to_be_visible()
    checked.axe()

    page.get_by_role("link", name="Rate Paul Quinn (Start)").click()
    checked.axe()
    reaction = page.get_by_role("group", name="Level 1: Reaction")
    reaction.get_by_label("Responds to the coaching experience").check()
    reaction.get_by_label("3: Clearly").check()
    page.get_by_role("button", name="Save the rating").click()
    expect(page.get_by_text("Rating saved.")).to_be_visible()
    expect(page.get_by_role("table", name="Start")).to_contain_text("Level 1")
    checked.axe()


def test_the_supervisor_sees_progress_not_confidences(checked, peer):
    note_create(
        actor=peer.paul,
        engagement=peer.engagement,
        title="Between us",
        body="TEAM-NOTE-SECRET",
        visibility="team",
    )
    page = checked.page
    sign_in(checked, peer.sue)
    checked.goto(f"/engagements/{peer.engagement.pk}/team/")
    expect(page.get_by_role("heading", name="Coaching effectiveness")).to_be_visible()
    expect(page.get_by_role("link", name="Add a goal")).to_have_count(0)
    expect(page.get_by_text("TEAM-NOTE-SECRET")).to_have_count(0)
    expect(page.get_by_role("heading", name="360 surveys")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Start a 360 survey"))).to_have_count(0)
