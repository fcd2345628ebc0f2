"""Meetings in the browser, with axe on every page: a peer team plans a session in its time
zone with its participants, moves it with a reason, and adds an agreed next step."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.meetings.models import FollowUp, Meeting

pytestmark = pytest.mark.browser


def test_plan_move_and_agree_a_next_step(checked, peer):
    page = checked.page
    sign_in(checked, peer.pia)
    checked.goto(f"/engagements/{peer.engagement.pk}/meetings/?type=session")
    expect(page.get_by_text("No meetings yet. Plan the first one below.")).to_be_visible()
    # The session's attendees are ticked: the two members, not their supervisor.
    invited = page.get_by_role("group", name="Who is invited")
    expect(invited.get_by_label(str(peer.pia))).to_be_checked()
    expect(invited.get_by_label(str(peer.paul))).to_be_checked()
    expect(invited.get_by_label(str(peer.sue))).not_to_be_checked()

    # An end before the start is explained, and what was typed stays.
    page.get_by_label("Meeting", exact=True).select_option("session")
    page.get_by_label("Date and time").fill("2027-02-10T16:00")
    page.get_by_label("Ends at").fill("15:00")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Where").fill("Oak, library")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_text("The meeting ends before it starts.")).to_be_visible()
    expect(page.get_by_label("Where")).to_have_value("Oak, library")
    checked.axe()

    page.get_by_label("Ends at").fill("17:00")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", name="Peer coaching session", level=1)).to_be_visible()
    expect(
        page.get_by_text("Wednesday 10 February 2027, 16:00 to 17:00 (Europe/London)")
    ).to_be_visible()
    expect(page.get_by_text(f"{peer.pia}, {peer.paul}", exact=True)).to_be_visible()
    checked.axe()
    meeting = Meeting.objects.get()
    assert meeting.participants.count() == 2

    page.get_by_role("link", name="Move this meeting").click()
    expect(page.get_by_label("Date and time")).to_have_value("2027-02-10T16:00")
    checked.axe()
    page.get_by_label("Date and time").fill("2027-02-12T09:30")
    page.get_by_label("Ends at").fill("10:30")
    page.get_by_label("Reason").fill("Paul has an inspection")
    page.get_by_role("button", name="Move the meeting").click()
    expect(page.get_by_role("status")).to_contain_text("is moved")
    expect(page.get_by_text("Paul has an inspection")).to_be_visible()
    checked.axe()
    meeting.refresh_from_db()
    assert meeting.sequence == 1

    page.get_by_role("textbox", name="Next step").fill("Paul drafts the staff survey")
    page.get_by_label("Owner").select_option(str(peer.paul.pk))
    page.get_by_role("button", name="Add the next step").click()
    expect(page.get_by_role("status")).to_contain_text("Next step added.")
    steps = page.get_by_role("region", name="Agreed next steps")
    expect(steps.get_by_role("listitem")).to_contain_text("Paul drafts the staff survey")
    expect(steps.get_by_role("listitem")).to_contain_text(f"Who: {peer.paul}")
    checked.axe()
    steps.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("is done")
    checked.axe()
    assert FollowUp.objects.get().done_by == peer.pia
