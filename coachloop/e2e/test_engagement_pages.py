"""The engagement pages in the browser, with axe on every page: the performer signs the agreement;
the coach works through a step's checklist, plans the orientation meeting and minutes it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.engagements.models import StepStatus
from coachloop.meetings.models import Meeting, MeetingStatus

pytestmark = pytest.mark.browser


def test_tom_signs_the_agreement(checked, world):
    page = checked.page
    sign_in(checked, world.tom)
    checked.goto(world.engagement.get_absolute_url())
    expect(page.get_by_role("heading", name="Coaching Tom")).to_be_visible()
    page.get_by_role("link", name="Read the agreement").click()
    expect(page.get_by_role("heading", name="Performance coaching agreement")).to_be_visible()
    checked.axe()

    page.get_by_label("Type your full name to sign").fill("Not My Name")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Type your name as it appears on your account")).to_be_visible()
    expect(page.get_by_label("Type your full name to sign")).to_have_value("Not My Name")
    checked.axe()

    page.get_by_label("Type your full name to sign").fill(world.tom.full_name)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("You have signed the agreement")
    row = page.get_by_role("row").filter(has_text=str(world.tom))
    expect(row).to_contain_text("Signed")
    checked.axe()
    assert world.engagement.signatures.filter(user=world.tom).exists()


def test_cora_plans_holds_and_minutes_the_orientation_meeting(checked, world):
    page = checked.page
    engagement = world.engagement
    sign_in(checked, world.cora)
    checked.goto(engagement.get_absolute_url())
    step = page.locator("#step-plan-orientation")
    items = (
        "Agree a date with the performer and sponsor",
        "Prepare an overview of the coaching process",
        "Share the agreement ahead of the meeting",
    )
    for n, item in enumerate(items, start=1):
        step.get_by_label(item).check()
        # htmx saves each tick and swaps the step back in with the new count.
        expect(step.locator("legend")).to_contain_text(f"{n} of 3 ticked")
    checked.axe()
    step.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("“Plan the orientation meeting” is done.")
    step = page.locator("#step-plan-orientation")
    expect(step).to_contain_text(f"by {world.cora}")
    checked.axe()

    page.locator("#step-orientation").get_by_role("link", name="Open the meetings").click()
    expect(page.get_by_label("Meeting", exact=True)).to_have_value("orientation")
    checked.axe()
    yesterday = timezone.localtime(timezone.now() - datetime.timedelta(days=1))
    page.get_by_label("Date and time", exact=True).fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    # exact: the participants' checkboxes carry random names ("James Howard")
    page.get_by_label("How", exact=True).select_option("video")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", name="Orientation meeting", level=1)).to_be_visible()
    checked.axe()

    page.get_by_label("Welcome and purpose (10 minutes)").fill("Met everyone.")
    page.get_by_label("Confidentiality (10 minutes)").fill("Lena sees the plan, not notes.")
    page.get_by_label("Summary").fill("All three understand the process.")
    expect(page.get_by_label("The meeting took place")).to_be_checked()
    page.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_role("status")).to_contain_text("the meeting is marked as held")
    minutes = page.get_by_role("region", name="Minutes")
    expect(minutes).to_contain_text("Lena sees the plan, not notes.")
    checked.axe()

    meeting = Meeting.objects.get()
    assert meeting.status == MeetingStatus.HELD
    assert engagement.steps.get(step_key="orientation").status == StepStatus.DONE
    checked.goto(engagement.get_absolute_url())
    expect(page.locator("#step-orientation")).to_contain_text("Done")


def test_the_other_engagement_pages_pass_axe_with_their_errors_shown(checked, world, tmp_path):
    from coachloop.meetings import services as meetings

    page = checked.page
    engagement = world.engagement
    meeting = meetings.meeting_schedule(
        actor=world.cora,
        engagement=engagement,
        meeting_type="planning",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        mode="phone",
    )
    sign_in(checked, world.cora)

    checked.goto("/engagements/")
    page.get_by_label("Search by title or person").fill("Tom")
    expect(page.locator("#results")).to_contain_text("Pre-coaching")
    checked.axe()

    checked.goto(f"/engagements/{engagement.pk}/forms/barriers/")
    page.get_by_label("Barrier", exact=True).fill("No meeting time")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Some answers need attention.")
    expect(page.get_by_label("Barrier", exact=True)).to_have_value("No meeting time")
    checked.axe()
    page.get_by_label("How it is addressed, and by whom").fill("The sponsor frees Fridays")
    page.get_by_role("radio", name="Being addressed").check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("status")).to_contain_text("are saved")
    checked.axe()
    page.get_by_role("link", name="Organisational barrier").first.click()
    expect(page.get_by_role("heading", name="Change your answer")).to_be_visible()
    checked.axe()

    (tmp_path / "notes.pdf").write_bytes(b"MZ\x90\x00 not really a pdf")
    checked.goto(f"/engagements/{engagement.pk}/resources/")
    page.get_by_label("Title").fill("Handbook")
    page.get_by_label("File").set_input_files(tmp_path / "notes.pdf")
    page.get_by_role("button", name="Add resource").click()
    expect(page.get_by_text("is not a file type we accept")).to_be_visible()
    checked.axe()

    checked.goto(meeting.get_absolute_url())
    page.get_by_role("link", name="Cancel this meeting").click()
    expect(page.get_by_role("heading", name="Cancel this meeting?")).to_be_visible()
    checked.axe()
