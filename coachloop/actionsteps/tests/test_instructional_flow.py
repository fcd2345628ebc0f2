"""Instructional coaching (seed 004) driven through the services, two whole cycles over: Study,
Observe, Feedback meeting (timed stages, practice and re-practice), Plan; the first action step
mastered and the next one chosen in the second meeting. Then what the coach's caseload, the
teacher's own page and the programme's cycle report show."""

import datetime

import pytest
from django.utils import timezone

from coachloop.actionsteps import caseload, cycles, practice
from coachloop.actionsteps import services as steps
from coachloop.actionsteps.models import ActionStepStatus, Cycle, CycleStatus, LibraryStep
from coachloop.engagements import services as engagements
from coachloop.engagements.models import StepStatus
from coachloop.meetings import guide
from coachloop.meetings import services as meetings
from coachloop.meetings.models import MeetingStatus
from coachloop.observations import services as observations

PRAISE, ACTION_STEP, DISCUSSION, PRACTICE, PLAN = range(5)


def _observe(world, engagement, seen, not_yet):
    """A finished observation with moments for and against the current step's criteria."""
    draft = observations.observation_start(actor=world.cora, engagement=engagement)
    moments = [
        {"at": f"00:0{i}:00", "text": "", "criterion": c, "evidence": "for"}
        for i, c in enumerate(seen)
    ] + [{"at": "00:09:00", "text": "", "criterion": c, "evidence": "against"} for c in not_yet]
    draft = observations.observation_save(
        actor=world.cora,
        observation=draft,
        notes="Brief visit, focused on the step.",
        moments=[] if draft.action_step is None else moments,
        duration_minutes=12,
        base=draft.revision,
    )
    return observations.observation_finish(
        actor=world.cora,
        observation=draft,
        notes=draft.notes,
        moments=draft.moments,
        duration_minutes=12,
        base=draft.revision,
    )


def _run_meeting(world, meeting, start, *, next_step=None):
    """Run the guide through the five stages with a clock we move by hand, logging a practice
    attempt and a re-practice, choosing `next_step` in the action-step stage, and planning the
    next cycle; then record the meeting as held."""
    now = start

    def act(action, minutes_later=0.0, **kwargs):
        nonlocal now
        now = now + datetime.timedelta(minutes=minutes_later)
        return guide.guide_act(actor=world.cora, meeting=meeting, action=action, now=now, **kwargs)

    act("start")
    guide.guide_note(
        actor=world.cora,
        meeting=meeting,
        stage=PRAISE,
        note="Specific praise, linked to the step.",
        base=meeting.__class__.objects.get(pk=meeting.pk).revision,
    )
    act("next", 2)
    if next_step is not None:
        next_step()
    act("next", 9)  # one minute over the 8 planned
    act("next", 8)
    step = cycles.current_step(meeting.engagement)
    n = len(step.success_criteria)
    practice.practice_attempt_add(
        actor=world.cora, meeting=meeting, action_step=step, met=[True] + [False] * (n - 1)
    )
    act("extend", 4, minutes=2)
    practice.practice_attempt_add(
        actor=world.cora, meeting=meeting, action_step=step, met=[True] * n, feedback="Fluent."
    )
    act("next", 8)
    plan_day = timezone.localdate(meeting.starts_at)
    guide.guide_plan(
        actor=world.cora,
        meeting=meeting,
        study_on=plan_day,
        observation_on=plan_day,
        starts_at=meeting.starts_at + datetime.timedelta(minutes=90),
        mode="in_person",
        location="Room 12",
    )
    state = act("finish", 2)
    held = guide.guide_record_held(actor=world.cora, meeting=meeting)
    return state, held


@pytest.mark.django_db
def test_two_whole_cycles_from_first_observation_to_the_next_action_step(world, instructional):
    e = instructional
    for person in (world.cora, world.tom):
        engagements.agreement_sign(actor=person, engagement=e, name=person.full_name)
    steps.library_start_from_starter(actor=world.ada, organisation=world.district)

    # Getting started: a first observation, then the first action step from the library.
    _observe(world, e, [], [])
    first_lib = LibraryStep.objects.filter(organisation=world.district).first()
    first = steps.action_step_create(
        actor=world.cora, engagement=e, title="", success_criteria=[], library_step=first_lib
    )
    assert first.title == first_lib.title
    assert first.success_criteria == first_lib.success_criteria
    done = set(e.steps.filter(status=StepStatus.DONE).values_list("step_key", flat=True))
    assert {"agree", "first-observation", "first-action-step"} <= done

    # Cycle 1: study, observe, feedback meeting.
    steps.action_step_studied(actor=world.cora, step=first, on=datetime.date(2026, 9, 14))
    _observe(world, e, seen=[0], not_yet=[1])
    start = timezone.now() - datetime.timedelta(hours=2)
    meeting1 = meetings.meeting_schedule(
        actor=world.cora, engagement=e, meeting_type="feedback", starts_at=start, mode="in_person"
    )
    state, held = _run_meeting(world, meeting1, start)
    assert held.status == MeetingStatus.HELD
    assert [round(s.spent / 60) for s in state.stages] == [2, 9, 8, 12, 2]
    assert state.stages[PRACTICE].extra == 2
    assert held.stage_notes[PRAISE] == "Specific praise, linked to the step."
    attempts = list(practice.practice_attempts(meeting1))
    assert [a.number for a in attempts] == [1, 2]  # one attempt, one re-practice
    assert e.steps.get(step_key="first-feedback").status == StepStatus.DONE

    one, two = Cycle.objects.filter(engagement=e).order_by("number")
    assert one.status == CycleStatus.CLOSED
    assert one.meeting == meeting1
    assert one.action_step == first
    assert one.studied_on == datetime.date(2026, 9, 14)
    assert one.observed_on is not None
    assert two.status == CycleStatus.OPEN
    assert two.study_planned_on == timezone.localdate(start)
    assert two.observation_planned_on == timezone.localdate(start)
    next_meeting = guide.planned_cycle(meeting1).next_meeting
    assert next_meeting is not None
    assert next_meeting.status == MeetingStatus.PLANNED

    # Cycle 2: study and observe again; in the meeting the step is mastered and the next chosen.
    steps.action_step_studied(actor=world.cora, step=first)
    _observe(world, e, seen=list(range(len(first.success_criteria))), not_yet=[])
    second_lib = LibraryStep.objects.filter(organisation=world.district).exclude(pk=first_lib.pk)[0]
    chosen = []

    def choose_next():
        chosen.append(
            steps.action_step_create(
                actor=world.cora,
                engagement=e,
                title="",
                success_criteria=[],
                library_step=second_lib,
                replace="mastered",
            )
        )

    _run_meeting(world, next_meeting, next_meeting.starts_at, next_step=choose_next)
    first.refresh_from_db()
    assert first.status == ActionStepStatus.MASTERED
    assert first.mastered_on is not None
    (second,) = chosen
    assert second.status == ActionStepStatus.CURRENT
    assert list(Cycle.objects.filter(engagement=e).values_list("number", "status")) == [
        (1, "closed"),
        (2, "closed"),
        (3, "open"),
    ]
    assert Cycle.objects.get(engagement=e, number=3).action_step == second

    # What each person sees of it.
    (row,) = caseload.caseload_rows(user=world.cora)
    assert row.teacher == world.tom
    assert row.step_title == second.title
    assert row.cycles_completed == 2
    assert row.days_since_observed == 0
    (mine,) = caseload.my_coaching(user=world.tom)
    assert [s.title for s in mine.current_steps] == [second.title]
    assert [s.title for s in mine.mastered] == [first.title]
    report = caseload.programme_cycles(
        user=world.ada,
        programme=e.programme,
        start=timezone.localdate().replace(day=1),
        end=timezone.localdate(),
    )
    assert report.total == 2
    assert [(c.name, c.total) for c in report.coaches] == [(str(world.cora), 2)]
    practice_time = next(s for s in report.stages if s.title == "Practice")
    assert practice_time.meetings == 2
    assert practice_time.planned_minutes == 10
    assert practice_time.mean_minutes == pytest.approx(12)
