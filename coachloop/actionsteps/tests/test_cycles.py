"""Cycle bookkeeping (Study, Observe, Feedback meeting, Plan, then again): a held feedback
meeting closes the open cycle and opens the next with the dates planned in that meeting; other
meetings and playbooks without cycles leave cycles alone."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from coachloop.actionsteps import cycles
from coachloop.actionsteps.models import ActionStep, Cycle, CycleStatus
from coachloop.meetings import services as meetings


def _feedback(world, engagement, kind="feedback", when=None):
    return meetings.meeting_schedule(
        actor=world.cora,
        engagement=engagement,
        meeting_type=kind,
        starts_at=when or timezone.now() - datetime.timedelta(hours=1),
        mode="in_person",
    )


def _hold(world, meeting):
    return meetings.meeting_record(
        actor=world.cora,
        meeting=meeting,
        stage_notes=["" for _ in meeting.agenda],
        summary="",
        held=True,
    )


def _step(world, engagement):
    return ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility="team",
        title="Wait three seconds after a question",
        success_criteria=["Waits", "Calls on a non-volunteer"],
    )


@pytest.mark.django_db
def test_a_held_feedback_meeting_closes_the_cycle_and_opens_the_next_with_the_plan(
    world, instructional
):
    step = _step(world, instructional)
    first = cycles.mark_observed(instructional, datetime.date(2026, 9, 8))
    assert first.number == 1
    assert first.action_step == step
    meeting = _feedback(world, instructional)
    cycles.plan_next(
        meeting,
        study_on=datetime.date(2026, 9, 20),
        observation_on=datetime.date(2026, 9, 22),
    )
    _hold(world, meeting)
    closed, opened = Cycle.objects.filter(engagement=instructional).order_by("number")
    assert closed.status == CycleStatus.CLOSED
    assert closed.meeting == meeting
    assert closed.closed_by == world.cora
    assert closed.observed_on == datetime.date(2026, 9, 8)
    assert closed.length_days == (closed.closed_on - closed.opened_on).days
    assert opened.status == CycleStatus.OPEN
    assert opened.number == 2
    assert opened.action_step == step
    assert opened.study_planned_on == datetime.date(2026, 9, 20)
    assert opened.observation_planned_on == datetime.date(2026, 9, 22)
    # Holding it again (saving the minutes once more) closes nothing more.
    meetings.meeting_record(
        actor=world.cora, meeting=meeting, stage_notes=["" for _ in meeting.agenda], summary="x"
    )
    assert Cycle.objects.filter(engagement=instructional).count() == 2


@pytest.mark.django_db
def test_planning_after_the_meeting_was_held_dates_the_open_cycle(world, instructional):
    meeting = _hold(world, _feedback(world, instructional))
    cycles.plan_next(meeting, study_on=datetime.date(2026, 10, 1), observation_on=None)
    assert cycles.open_cycle(instructional).study_planned_on == datetime.date(2026, 10, 1)


@pytest.mark.django_db
def test_study_sessions_and_other_playbooks_have_no_cycle_effect(world, instructional):
    _hold(world, _feedback(world, instructional, kind="study"))
    assert not Cycle.objects.filter(status=CycleStatus.CLOSED).exists()
    assert cycles.ensure_open_cycle(world.engagement) is None  # performance coaching
    assert cycles.mark_studied(world.engagement, datetime.date(2026, 9, 3)) is None


@pytest.mark.django_db
def test_an_engagement_has_one_open_cycle_at_most(world, instructional):
    one = cycles.ensure_open_cycle(instructional)
    assert cycles.ensure_open_cycle(instructional) == one
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            organisation=instructional.organisation, engagement=instructional, number=2
        )
