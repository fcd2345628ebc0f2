"""The live meeting guide in the browser, on a simulated clock, with axe on every state: a stage
runs over time and says so, pauses, extends, moves on and survives a reload; and a keyboard-only
run through all five stages of the feedback meeting, logging a practice attempt, to the end."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.actionsteps.models import ActionStep, PracticeAttempt
from coachloop.e2e.conftest import sign_in
from coachloop.meetings import guide, services
from coachloop.meetings.models import Meeting, MeetingStatus
from coachloop.testing.personas import build_instructional

pytestmark = pytest.mark.browser

START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def meeting(world):
    engagement = build_instructional(world)
    ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility="team",
        title="Use a 3-2-1 countdown to get attention",
        success_criteria=["Counts down aloud", "Waits for silence"],
    )
    return services.meeting_schedule(
        actor=world.cora,
        engagement=engagement,
        meeting_type="feedback",
        starts_at=timezone.now() - datetime.timedelta(minutes=2),
        mode="in_person",
        location="Oak, room 4",
    )


def guide_path(meeting):
    return reverse("meeting_guide", args=[meeting.engagement_id, meeting.pk])


def open_guide(checked, meeting):
    """The guide on a simulated clock, paused just after the page loaded."""
    page = checked.page
    page.clock.install(time=START)
    checked.goto(guide_path(meeting))
    page.clock.pause_at(START + datetime.timedelta(seconds=5))
    return page


def axe(checked):
    """axe-core waits on timers: let the simulated clock flow while it runs, then pause it
    again (the guide's timer is paused whenever this is called, or its drift doesn't matter)."""
    page = checked.page
    page.clock.resume()
    checked.axe()
    now = page.evaluate("Date.now()") / 1000
    page.clock.pause_at(datetime.datetime.fromtimestamp(now + 1, tz=datetime.UTC))


def test_a_stage_runs_over_pauses_extends_moves_on_and_survives_a_reload(checked, world, meeting):
    sign_in(checked, world.cora)
    page = open_guide(checked, meeting)
    clock = page.locator("#guide-clock")
    live = page.locator("#guide-live")
    expect(page.get_by_role("heading", name="Praise", level=2)).to_be_visible()
    expect(clock).to_have_text("2:00")
    expect(page.get_by_text("Be specific")).to_be_visible()

    page.get_by_role("button", name="Start").click()
    expect(page.locator("#guide-toggle")).to_have_text("Pause")
    expect(live).to_have_text("The timer runs for Praise.")

    page.clock.run_for("01:05")
    expect(clock).to_have_text("0:55")
    expect(live).to_have_text("1 minute left for Praise.")
    page.clock.fast_forward("01:00")
    expect(clock).to_have_text("+0:05")
    expect(page.locator("#guide-clock-label")).to_have_text("over")
    expect(page.locator("#guide-timer")).to_have_class(re.compile(r"\bis-over\b"))
    expect(live).to_have_text("Time is up for Praise.")

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#guide-toggle")).to_have_text("Resume")
    expect(clock).to_have_text("+0:05")
    axe(checked)
    page.clock.fast_forward("03:00")  # paused: the time stands still
    expect(clock).to_have_text("+0:05")

    page.get_by_role("button", name="+1 minute").click()
    expect(live).to_have_text("Praise extended by 1 minute: 3 minutes in all.")
    expect(clock).to_have_text("0:55")
    expect(page.locator("#stage-facts-0")).to_contain_text("2 min planned (+1)")

    page.get_by_role("button", name="Next stage").click()
    expect(page.get_by_role("heading", name="Action step & modelling", level=2)).to_be_visible()
    expect(live).to_have_text("Stage 2 of 5: Action step & modelling, 8 minutes.")
    expect(page.get_by_text("Waits for silence").first).to_be_visible()
    expect(clock).to_have_text("8:00")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#guide-toggle")).to_have_text("Pause")
    page.clock.run_for("00:40")
    expect(clock).to_have_text("7:20")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#guide-toggle")).to_have_text("Resume")
    axe(checked)

    stored = guide.guide_state(Meeting.objects.get(pk=meeting.pk))
    assert stored.current == 1
    assert stored.stages[0].extra == 1
    assert stored.stages[0].spent == pytest.approx(125, abs=1)
    assert stored.elapsed == pytest.approx(40, abs=1)

    page.reload()
    axe(checked)
    expect(page.get_by_role("heading", name="Action step & modelling", level=2)).to_be_visible()
    expect(page.locator("#guide-toggle")).to_have_text("Resume")
    expect(clock).to_have_text("7:20")
    expect(page.locator("#stage-facts-0")).to_contain_text("2 min planned (+1) · spent 2:05")
    expect(page.locator("#guide-running")).to_have_text("The timer is paused.")

    # notes per stage save into the minutes; someone else's save in between is never overwritten
    notes = page.get_by_label("Notes for Action step & modelling")
    notes.fill("Chose the countdown; modelled it twice.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator("#note-1-status")).to_have_text("Notes for Action step & modelling saved.")
    services.meeting_record(
        actor=world.tom,
        meeting=Meeting.objects.get(pk=meeting.pk),
        stage_notes=["", "Tom's own words", "", "", ""],
        summary="",
        held=False,
    )
    notes.fill("My better wording.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator("#note-1-status")).to_contain_text("Your note was not saved")
    expect(page.locator("#guide-error")).to_contain_text("it is still in the box")
    expect(notes).to_have_value("My better wording.")
    expect(page.locator("#note-1-theirs")).to_contain_text("Tom's own words")
    axe(checked)
    page.get_by_role("button", name="Save notes").click()  # having read theirs
    expect(page.locator("#note-1-status")).to_have_text("Notes for Action step & modelling saved.")
    assert Meeting.objects.get(pk=meeting.pk).stage_notes[1] == "My better wording."

    # on a phone, nothing runs off the side
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe(checked)


def tab_to(page, selector, *, back=False, limit=120):
    """Press Tab (or Shift+Tab) until the focus is on `selector`: the keyboard only."""
    for _ in range(limit):
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_keyboard_only_run_through_all_five_stages_to_the_end(checked, world, meeting):
    sign_in(checked, world.cora)
    page = open_guide(checked, meeting)
    keyboard = page.keyboard
    live = page.locator("#guide-live")
    heading = page.locator("#guide-stage-title")

    keyboard.press("Space")  # the shortcut: the focus is on no field, button or link
    expect(page.locator("#guide-toggle")).to_have_text("Pause")
    page.clock.run_for("00:30")

    tab_to(page, "#guide-next")
    keyboard.press("Enter")
    expect(heading).to_have_text("Action step & modelling")
    page.clock.run_for("01:00")
    keyboard.press("Enter")  # the focus stays on "Next stage"
    expect(heading).to_have_text("Discussion")
    keyboard.press("Space")  # a button has the focus: Space presses it, no shortcut
    expect(heading).to_have_text("Practice")
    expect(live).to_have_text("Stage 4 of 5: Practice, 10 minutes.")

    # Practice: tick the first success criterion, give feedback, log the attempt.
    tab_to(page, "#practice input[name=met_0]")
    keyboard.press("Space")
    keyboard.press("Tab")
    keyboard.press("Tab")
    expect(page.locator("#practice-feedback")).to_be_focused()
    keyboard.type("Good countdown; wait for every eye.")
    keyboard.press("Space")  # typing a space in a box is no shortcut
    expect(page.locator("#guide-toggle")).to_have_text("Pause")
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Log attempt")).to_be_focused()
    keyboard.press("Enter")
    expect(live).to_have_text("Attempt 1 logged.")
    expect(page.locator("#practice")).to_be_focused()
    expect(page.locator("#practice")).to_contain_text("1 of 2 success criteria met")
    expect(page.get_by_role("button", name="Log re-practice")).to_be_visible()
    axe(checked)

    tab_to(page, "#guide-next", back=True)
    keyboard.press("Enter")
    expect(heading).to_have_text("Plan")
    expect(page.locator("#guide-toggle")).to_be_focused()  # "Next stage" is done with
    tab_to(page, "#guide-finish")
    keyboard.press("Enter")
    finished = page.locator("#guide-finished")
    expect(finished).to_be_visible()
    expect(finished).to_be_focused()
    expect(live).to_have_text("The meeting guide is finished.")
    axe(checked)

    tab_to(page, "#guide-finished button[type=submit]")
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Feedback meeting", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("recorded as held")
    axe(checked)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    attempt = PracticeAttempt.objects.get(meeting=meeting)
    assert attempt.feedback == "Good countdown; wait for every eye."
    assert [c["met"] for c in attempt.criteria] == [True, False]
    state = guide.guide_state(meeting)
    assert state.finished
    assert [s.visited for s in state.stages] == [True] * 5
    assert state.stages[0].spent == pytest.approx(30, abs=1)
    assert state.stages[1].spent == pytest.approx(60, abs=1)
