"""The live meeting guide (seed 004's feedback meeting): stages with their timings from the
playbook, a timer that starts, pauses, extends and skips, the time actually spent per stage,
notes per stage with the minutes' revision lock, the practice and plan tools, and who may run
it. The clock is a `now` passed in, never the wall clock."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from coachloop.access.models import AuditEvent
from coachloop.actionsteps.models import ActionStep, Cycle, CycleStatus, PracticeAttempt
from coachloop.lib.errors import DomainError
from coachloop.meetings import guide, services
from coachloop.meetings.models import Meeting, MeetingStatus

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture
def feedback(world, instructional):
    """A feedback meeting of the instructional engagement that starts now."""
    return services.meeting_schedule(
        actor=world.cora,
        engagement=instructional,
        meeting_type="feedback",
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        mode="in_person",
        location="Oak, room 4",
    )


@pytest.fixture
def step(world, instructional):
    return ActionStep.objects.create(
        organisation=instructional.organisation,
        engagement=instructional,
        coachee=world.tom,
        author=world.cora,
        visibility="team",
        title="Use a 3-2-1 countdown to get attention",
        success_criteria=["Counts down aloud", "Waits for silence", "Narrates the positive"],
    )


def act(world, meeting, action, seconds, **kwargs):
    return guide.guide_act(
        actor=world.cora, meeting=meeting, action=action, now=at(seconds), **kwargs
    )


def guide_url(meeting):
    return reverse("meeting_guide", args=[meeting.engagement_id, meeting.pk])


# --- The stages --------------------------------------------------------------------------------


def test_the_feedback_meeting_runs_the_seed_stages_with_their_timings(feedback):
    state = guide.guide_state(feedback, now=T0)
    assert [(s.title, s.minutes) for s in state.stages] == [
        ("Praise", 2),
        ("Action step & modelling", 8),
        ("Discussion", 8),
        ("Practice", 10),
        ("Plan", 2),
    ]
    assert [s.tool for s in state.stages] == ["notes", "action_step", "notes", "practice", "plan"]
    assert "Be specific" in state.stages[0].tips
    assert "Re-practise for fluency" in state.stages[3].tips
    assert state.stages[0].prompt.startswith("Start positively")
    assert (state.current, state.running, state.started, state.finished) == (0, False, False, False)
    assert state.clock == "2:00"
    assert state.planned_minutes == 30


def test_the_timer_counts_only_while_it_runs(world, feedback):
    act(world, feedback, "start", 0)
    state = guide.guide_state(feedback, now=at(50))
    assert (state.running, state.elapsed, state.clock) == (True, 50, "1:10")
    act(world, feedback, "pause", 50)
    # paused: a reload an hour later shows the same time
    assert guide.guide_state(Meeting.objects.get(pk=feedback.pk), now=at(3650)).elapsed == 50
    act(world, feedback, "resume", 3650)
    state = act(world, feedback, "pause", 3730)
    assert state.elapsed == 130
    assert state.overrun == 10
    assert state.clock == "+0:10"
    # moving on adds the stage's time to what it spent
    state = act(world, feedback, "next", 3730)
    assert state.current == 1
    assert state.stages[0].spent == 130
    assert state.elapsed == 0


def test_a_reload_while_running_counts_the_time_since_the_last_press(world, feedback):
    act(world, feedback, "start", 0, elapsed=20)
    reloaded = Meeting.objects.get(pk=feedback.pk)
    state = guide.guide_state(reloaded, now=at(45))
    assert state.elapsed == 65
    assert state.running


def test_next_previous_goto_and_skip_move_between_stages(world, feedback):
    act(world, feedback, "start", 0)
    act(world, feedback, "next", 100)
    state = act(world, feedback, "skip", 130)  # the action step stage, after 30 s
    assert state.current == 2
    assert state.stages[1].skipped
    assert state.stages[1].spent == 30
    state = act(world, feedback, "previous", 160)
    assert state.current == 1
    assert state.stages[2].spent == 30
    state = act(world, feedback, "goto", 170, stage=4)
    assert state.current == 4
    assert state.stages[1].spent == 40
    assert not state.stages[1].skipped  # time was spent on it after all
    assert [s.visited for s in state.stages] == [True, True, True, False, True]
    assert state.running  # moving keeps the timer running
    with pytest.raises(DomainError, match="Plan is the last stage"):
        act(world, feedback, "next", 180)
    with pytest.raises(DomainError, match="finish the meeting instead of skipping"):
        act(world, feedback, "skip", 180)
    with pytest.raises(DomainError, match="Choose a stage from 1 to 5"):
        act(world, feedback, "goto", 180, stage=5)
    act(world, feedback, "goto", 180, stage=0)
    with pytest.raises(DomainError, match="Praise is the first stage"):
        act(world, feedback, "previous", 190)
    with pytest.raises(DomainError, match="Choose one of"):
        act(world, feedback, "rewind", 190)


def test_extending_a_stage_has_sane_limits(world, feedback):
    act(world, feedback, "goto", 0, stage=3)
    state = act(world, feedback, "extend", 0, minutes=1)
    assert state.stages[3].extra == 1
    assert state.clock == "11:00"
    assert state.message == "Practice extended by 1 minute: 11 minutes in all."
    with pytest.raises(DomainError, match="1 to 15 minutes at a time"):
        act(world, feedback, "extend", 0, minutes=16)
    with pytest.raises(DomainError, match="1 to 15 minutes at a time"):
        act(world, feedback, "extend", 0, minutes=0)
    act(world, feedback, "extend", 0, minutes=14)
    with pytest.raises(DomainError) as refused:
        act(world, feedback, "extend", 0, minutes=1)
    assert refused.value.message == (
        "Practice can be extended by at most 15 minutes in all; move on or finish the meeting."
    )
    assert guide.guide_state(Meeting.objects.get(pk=feedback.pk)).stages[3].extra == 15


def test_a_long_stage_may_be_extended_by_its_own_length_but_the_meeting_stops_at_4_hours(
    world, feedback
):
    feedback.agenda = [{"title": f"Part {n}", "minutes": 50} for n in range(1, 5)]
    feedback.stage_notes = [""] * 4
    feedback.save()
    state = act(world, feedback, "extend", 0, minutes=15)
    state = act(world, feedback, "extend", 0, minutes=15)  # 30 of the stage's 50
    assert state.stages[0].extra == 30
    with pytest.raises(DomainError, match="at most 240 minutes with its extensions"):
        act(world, feedback, "extend", 0, minutes=11)  # 200 + 30 + 11 > 240
    assert act(world, feedback, "extend", 0, minutes=10).extra_minutes == 40


def test_the_client_clock_is_trusted_within_sane_limits(world, feedback):
    act(world, feedback, "start", 0)
    state = act(world, feedback, "pause", 5, elapsed=130.5)  # the page's timer said so
    assert state.elapsed == 130.5
    for bad in (-1, 6 * 3600 + 1, "soon", float("nan")):
        with pytest.raises(DomainError, match="from 0 to 6 hours") as refused:
            act(world, feedback, "pause", 10, elapsed=bad)
        assert refused.value.status == 400
    assert guide.guide_state(Meeting.objects.get(pk=feedback.pk)).elapsed == 130.5


def test_finishing_records_the_time_once_and_is_audited(world, feedback):
    act(world, feedback, "start", 0)
    act(world, feedback, "next", 120)
    state = act(world, feedback, "finish", 600)
    assert state.finished
    assert not state.running
    assert [s.spent for s in state.stages] == [120, 480, 0, 0, 0]
    act(world, feedback, "finish", 700)
    assert AuditEvent.objects.filter(action="meeting.guide.finish").count() == 1
    with pytest.raises(DomainError, match="The meeting guide is finished"):
        act(world, feedback, "start", 800)
    # going back to a stage carries on
    state = act(world, feedback, "goto", 800, stage=1)
    assert (state.finished, state.current, state.running) == (False, 1, False)


def test_the_guide_keeps_the_plan_kept_in_the_same_field(world, feedback):
    feedback.guide = {"plan": {"study_on": "2026-11-10", "observation_on": None}}
    feedback.save()
    act(world, feedback, "start", 0)
    stored = Meeting.objects.get(pk=feedback.pk).guide
    assert stored["plan"] == {"study_on": "2026-11-10", "observation_on": None}
    assert stored["running"] is True


def test_a_cancelled_meeting_refuses_the_guide(world, feedback, signed_in):
    services.meeting_cancel(actor=world.cora, meeting=feedback, reason="Tom is ill")
    with pytest.raises(DomainError, match="cancelled"):
        act(world, feedback, "start", 0)
    response = signed_in(world.cora).get(guide_url(feedback))
    assert response.status_code == 302
    assert response["Location"] == feedback.get_absolute_url()


# --- Who runs it -------------------------------------------------------------------------------


def test_the_team_runs_the_guide_the_sponsor_may_not_and_other_tenants_see_nothing(
    world, feedback, signed_in, client
):
    state = guide.guide_act(actor=world.tom, meeting=feedback, action="start", now=T0)
    assert state.running  # the teacher may run it too
    with pytest.raises(DomainError) as refused:
        guide.guide_act(actor=world.lena, meeting=feedback, action="pause", now=T0)
    assert refused.value.status == 403

    assert signed_in(world.lena).get(guide_url(feedback)).status_code == 403
    response = client.post(guide_url(feedback), {"action": "pause"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "coaches and coachees" in response.json()["detail"]
    for outsider in (world.bea, world.sam):
        assert signed_in(outsider).get(guide_url(feedback)).status_code == 404
        assert signed_in(outsider).post(guide_url(feedback), {"action": "pause"}).status_code == 404
    assert signed_in(world.tom).get(guide_url(feedback)).status_code == 200


def test_minutes_private_to_the_coach_keep_the_teacher_out_of_the_guide(world, feedback):
    Meeting.objects.filter(pk=feedback.pk).update(visibility="private")
    with pytest.raises(DomainError, match="read this meeting's minutes") as refused:
        guide.guide_act(actor=world.tom, meeting=feedback, action="start", now=T0)
    assert refused.value.status == 403


# --- The page -----------------------------------------------------------------------------------


def test_the_meeting_page_links_to_the_guide_for_those_who_write_the_minutes(
    world, feedback, signed_in
):
    html = signed_in(world.cora).get(feedback.get_absolute_url()).content.decode()
    assert "Run the meeting guide" in html
    assert guide_url(feedback) in html
    html = signed_in(world.lena).get(feedback.get_absolute_url()).content.decode()
    assert "Run the meeting guide" not in html


def test_the_guide_page_shows_the_stage_timer_prompts_and_controls(world, feedback, signed_in):
    html = signed_in(world.cora).get(guide_url(feedback)).content.decode()
    assert "Meeting guide: Feedback meeting" in html
    assert 'id="guide-clock">2:00</span>' in html
    assert "Stage 1 of 5" in html
    for title in ("Praise", "Action step &amp; modelling", "Discussion", "Practice", "Plan"):
        assert title in html
    assert "Link praise to the action step" in html
    assert 'role="status" aria-live="polite"' in html
    for label in ("Start", "+1 minute", "Skip stage", "Previous", "Next stage", "Finish"):
        assert f">{label}</button>" in html
    assert 'value="previous" id="guide-previous" aria-keyshortcuts="P" disabled' in html
    assert "Keyboard" in html
    assert "<kbd>Space</kbd>" in html
    assert "<script>" not in html
    assert "style=" not in html


def test_buttons_work_without_javascript_on_the_servers_clock(world, feedback, signed_in):
    cora = signed_in(world.cora)
    response = cora.post(guide_url(feedback), {"action": "start", "minutes": "1"})
    assert response.status_code == 302
    assert response["Location"] == guide_url(feedback) + "#guide-now"
    page = cora.get(guide_url(feedback)).content.decode()
    assert "The timer runs for Praise." in page
    assert ">Pause</button>" in page
    cora.post(guide_url(feedback), {"action": "extend", "minutes": "1"})
    cora.post(guide_url(feedback), {"action": "next", "minutes": "1"})
    state = guide.guide_state(Meeting.objects.get(pk=feedback.pk))
    assert (state.current, state.stages[0].extra, state.running) == (1, 1, True)
    assert state.stages[0].spent >= 0
    # a refusal shows on the page, with what to do
    cora.post(guide_url(feedback), {"action": "goto", "stage": "4"})
    response = cora.post(guide_url(feedback), {"action": "next"})
    assert response.status_code == 409
    assert "Plan is the last stage: finish the meeting instead." in response.content.decode()


def test_the_page_answers_json_for_its_script(world, feedback, signed_in):
    cora = signed_in(world.cora)
    response = cora.post(
        guide_url(feedback),
        {"action": "start", "elapsed": "12.5"},
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["running"] is True
    assert body["elapsed"] >= 12.5
    assert body["stages"][0]["title"] == "Praise"
    response = cora.post(
        guide_url(feedback), {"action": "pause", "elapsed": "99999"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "from 0 to 6 hours" in response.json()["detail"]
    assert response.json()["state"]["running"] is True


# --- Notes per stage ------------------------------------------------------------------------------


def test_a_stage_note_saves_into_the_minutes_and_a_stale_one_keeps_the_text(
    world, feedback, signed_in
):
    tom = signed_in(world.tom)
    notes_url = reverse("meeting_guide_note", args=[feedback.engagement_id, feedback.pk])
    response = tom.post(
        notes_url,
        {"stage": "0", "note": "Great countdown", "base": "0"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"revision": 1, "message": "Notes for Praise saved."}
    feedback.refresh_from_db()
    assert feedback.stage_notes[0] == "Great countdown"
    assert feedback.status == MeetingStatus.PLANNED  # saving a note is not holding the meeting

    # someone else saved since revision 0: nothing saved, the typed text comes back
    response = tom.post(notes_url, {"stage": "0", "note": "My own words", "base": "0"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your note was not saved; it is still in the box." in html
    assert "My own words</textarea>" in html
    assert "Great countdown" in html  # theirs, to read
    feedback.refresh_from_db()
    assert feedback.stage_notes[0] == "Great countdown"

    response = tom.post(
        notes_url, {"stage": "0", "note": "Mine", "base": "0"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    assert response.json()["theirs"] == "Great countdown"
    assert response.json()["revision"] == 1
    # saving again on the revision now read goes through
    response = tom.post(
        notes_url,
        {"stage": "1", "note": "Chose the countdown", "base": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert feedback.stage_notes[:2] == ["Great countdown", "Chose the countdown"]


# --- Finishing: the meeting held, the cycle closed ------------------------------------------------


def test_finishing_offers_to_record_the_meeting_as_held_which_closes_the_cycle(
    world, feedback, step, signed_in
):
    cora = signed_in(world.cora)
    cora.post(guide_url(feedback), {"action": "finish"})
    html = cora.get(guide_url(feedback)).content.decode()
    assert "The meeting guide is finished" in html
    assert "Record the meeting as held" in html
    response = cora.post(
        reverse("meeting_guide_held", args=[feedback.engagement_id, feedback.pk]),
        {"held-summary": "Countdown agreed; practise daily.", "held-base": "0"},
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == MeetingStatus.HELD
    assert feedback.summary == "Countdown agreed; practise daily."
    closed = Cycle.objects.get(engagement=feedback.engagement, status=CycleStatus.CLOSED)
    assert closed.meeting == feedback
    assert Cycle.objects.filter(engagement=feedback.engagement, status=CycleStatus.OPEN).exists()


# --- The action step and practice tools ------------------------------------------------------------


def test_the_action_step_stage_shows_the_current_step_and_links_to_choose_the_next(
    world, feedback, step, signed_in
):
    html = signed_in(world.cora).get(guide_url(feedback)).content.decode()
    assert "Use a 3-2-1 countdown to get attention" in html
    assert "Waits for silence" in html
    new = reverse("action_step_new", args=[feedback.engagement_id])
    assert f'href="{new}?next=%2Fengagements%2F' in html
    status = reverse("action_step_status", args=[feedback.engagement_id, step.pk])
    assert f'action="{status}"' in html
    assert 'name="status" value="mastered"' in html


def test_marking_the_step_mastered_from_the_guide_comes_back_to_it(
    world, feedback, step, signed_in
):
    cora = signed_in(world.cora)
    status = reverse("action_step_status", args=[feedback.engagement_id, step.pk])
    response = cora.post(status, {"status": "mastered", "next": guide_url(feedback)})
    assert response.status_code == 302
    assert response["Location"] == guide_url(feedback)
    html = cora.get(guide_url(feedback)).content.decode()
    assert "No current action step yet: choose one now." in html
    assert "Choose the next action step" in html


def test_the_coach_logs_practice_attempts_from_the_page(world, feedback, step, signed_in):
    cora = signed_in(world.cora)
    url = reverse("meeting_guide_practice", args=[feedback.engagement_id, feedback.pk])
    html = cora.get(guide_url(feedback)).content.decode()
    assert ">Log attempt</button>" in html
    fields = {"action_step": str(step.pk), "criteria": "3", "met_0": "on", "feedback": "Louder"}
    response = cora.post(url, fields, HTTP_ACCEPT="application/json")
    assert response.json()["message"] == "Attempt 1 logged."
    assert "Log re-practice" in response.json()["html"]
    response = cora.post(url, {**fields, "met_1": "on", "met_2": "on"})
    assert response.status_code == 302
    html = cora.get(guide_url(feedback)).content.decode()
    assert "Attempt 2 logged: re-practice 1." in html
    assert "2 attempts, 1 re-practice." in html
    assert "3 of 3 success criteria met" in html
    attempts = list(PracticeAttempt.objects.order_by("number"))
    assert [a.criteria[0]["met"] for a in attempts] == [True, True]
    assert [a.criteria[1]["met"] for a in attempts] == [False, True]
    # criteria changed since the page was rendered: refused, the feedback typed is kept
    response = cora.post(url, {**fields, "criteria": "2", "feedback": "Keep this"})
    assert response.status_code == 400
    assert "Keep this</textarea>" in response.content.decode()
    # the teacher sees the attempts but does not log them
    tom = signed_in(world.tom)
    html = tom.get(guide_url(feedback)).content.decode()
    assert "Attempt 2" in html
    assert "Log re-practice" not in html
    assert tom.post(url, fields).status_code == 403


# --- The plan tool ---------------------------------------------------------------------------------


def plan_fields(**changes):
    today = timezone.localdate()
    fields = {
        "plan-study_on": (today + datetime.timedelta(days=2)).isoformat(),
        "plan-observation_on": (today + datetime.timedelta(days=4)).isoformat(),
        "plan-starts_at": f"{(today + datetime.timedelta(days=7)).isoformat()}T15:30",
        "plan-mode": "in_person",
        "plan-location": "Room 4",
    }
    fields.update(changes)
    return fields


def test_the_plan_stage_schedules_the_next_cycle_which_the_held_meeting_opens(
    world, feedback, step, signed_in
):
    cora = signed_in(world.cora)
    url = reverse("meeting_guide_plan", args=[feedback.engagement_id, feedback.pk])
    response = cora.post(url, plan_fields())
    assert response.status_code == 302
    following = Meeting.objects.exclude(pk=feedback.pk).get()
    assert (following.meeting_type, following.location) == ("feedback", "Room 4")
    assert timezone.localtime(following.starts_at).strftime("%H:%M") == "15:30"
    html = cora.get(guide_url(feedback)).content.decode()
    assert following.get_absolute_url() in html
    assert "Already planned for" in html

    services.meeting_record(
        actor=world.cora, meeting=feedback, stage_notes=[""] * 5, summary="", held=True
    )
    today = timezone.localdate()
    opened = Cycle.objects.get(engagement=feedback.engagement, status=CycleStatus.OPEN)
    assert opened.study_planned_on == today + datetime.timedelta(days=2)
    assert opened.observation_planned_on == today + datetime.timedelta(days=4)

    # a second meeting is not planned twice; the dates alone may change
    response = cora.post(url, plan_fields())
    assert response.status_code == 422
    assert "already planned" in response.content.decode()
    response = cora.post(
        url, plan_fields(**{"plan-starts_at": "", "plan-study_on": today.isoformat()})
    )
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.study_planned_on == today
    assert Meeting.objects.count() == 2


def test_a_bad_plan_is_refused_whole_and_keeps_what_was_typed(world, feedback, signed_in):
    cora = signed_in(world.cora)
    url = reverse("meeting_guide_plan", args=[feedback.engagement_id, feedback.pk])
    response = cora.post(url, plan_fields(**{"plan-starts_at": "next tuesday at 3"}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter the date and time of the next meeting" in html
    assert 'value="next tuesday at 3"' in html
    assert plan_fields()["plan-study_on"] in html
    # the service's refusals too: nothing half-written
    response = cora.post(url, plan_fields(**{"plan-mode": "phone"}))
    assert response.status_code == 422
    response = cora.post(
        url, plan_fields(**{"plan-starts_at": f"{timezone.localdate().isoformat()}T00:01"})
    )
    assert response.status_code == 422
    assert "comes after this one" in response.content.decode()
    assert Meeting.objects.count() == 1
    assert "plan" not in Meeting.objects.get(pk=feedback.pk).guide


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_reads_and_presses_the_guide_and_logs_practice(world, feedback, step, signed_in):
    cora = signed_in(world.cora)
    base = f"/api/engagements/{feedback.engagement_id}/meetings/{feedback.pk}"
    body = cora.get(f"{base}/guide").json()
    assert [s["minutes"] for s in body["stages"]] == [2, 8, 8, 10, 2]
    response = cora.post(
        f"{base}/guide",
        json.dumps({"action": "extend", "minutes": 20}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "minutes", "message": "Extend a stage by 1 to 15 minutes at a time."}
    ]
    response = cora.post(
        f"{base}/guide",
        json.dumps({"action": "start", "elapsed": 3}),
        content_type="application/json",
    )
    assert response.json()["running"] is True
    response = cora.post(
        f"{base}/practice",
        json.dumps({"action_step": step.pk, "met": [True, False, True], "feedback": "Good"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["number"] == 1
    assert response.json()["repractice"] is False
    attempts = cora.get(f"{base}/practice").json()
    assert [a["criteria"][1] for a in attempts] == [
        {"criterion": "Waits for silence", "met": False}
    ]
    lena = signed_in(world.lena)
    assert lena.get(f"{base}/guide").status_code == 403
    assert lena.get(f"{base}/practice").status_code == 403
    assert signed_in(world.bea).get(f"{base}/guide").status_code == 404


# --- The property: time is never lost nor invented -------------------------------------------------

AGENDA = [
    {"title": "Praise", "minutes": 2},
    {"title": "Action step", "minutes": 8},
    {"title": "Discussion", "minutes": 8},
    {"title": "Practice", "minutes": 10},
    {"title": "Plan", "minutes": 2},
]

press = st.tuples(
    st.sampled_from(guide.ACTIONS),
    st.integers(min_value=0, max_value=600),  # seconds since the previous press
    st.integers(min_value=-1, max_value=5),  # a stage (goto, extend)
    st.integers(min_value=0, max_value=16),  # minutes (extend)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(press, max_size=30))
def test_spent_time_adds_up_to_the_running_time_for_any_presses(presses):
    state: dict = {}
    now = T0
    running = False
    total = 0.0
    for action, gap, stage, minutes in presses:
        if running:
            total += gap
        now += datetime.timedelta(seconds=gap)
        try:
            state, _message = guide.advance(
                state, AGENDA, action, now=now, stage=stage, minutes=minutes
            )
        except DomainError:
            continue  # a refusal changes nothing
        running = state["running"]
        assert all(s["spent"] >= 0 for s in state["stages"])
        assert all(0 <= s["extra"] <= 15 for s in state["stages"])
    state, _message = guide.advance(state, AGENDA, "finish", now=now)
    spent = [s["spent"] for s in state["stages"]]
    assert all(s >= 0 for s in spent)
    assert sum(spent) == pytest.approx(total, abs=0.01)


def test_the_documented_cycle_example_is_valid_with_the_main_example():
    from pathlib import Path

    import yaml

    from coachloop.playbooks import schema

    text = (Path(__file__).resolve().parents[3] / "docs" / "playbooks.md").read_text()
    blocks = [part.split("```", 1)[0] for part in text.split("```yaml\n")[1:]]
    main, cycle = yaml.safe_load(blocks[0]), yaml.safe_load(blocks[1])
    main["cycle"] = cycle["cycle"]
    main["meeting_types"] += cycle["meeting_types"]
    spec = schema.parse(main, "docs/playbooks.md")
    agenda = spec.meeting_type("feedback").agenda
    assert [stage.tool for stage in agenda] == ["notes", "action_step", "notes", "practice", "plan"]
    assert spec.meeting_type("feedback-session").agenda[1].tips == [
        "Be specific",
        "Link each one to a goal",
    ]


def test_the_meeting_page_shows_the_time_spent_per_stage(world, feedback, signed_in):
    act(world, feedback, "start", 0)
    act(world, feedback, "extend", 30, minutes=2)
    act(world, feedback, "skip", 125)
    act(world, feedback, "finish", 185)
    html = signed_in(world.tom).get(feedback.get_absolute_url()).content.decode()
    assert "time spent 2:05 · skipped · extended by 2 minutes" in html
    assert "time spent 1:00" in html
    html = signed_in(world.lena).get(feedback.get_absolute_url()).content.decode()
    assert "time spent" not in html  # with the minutes: content
