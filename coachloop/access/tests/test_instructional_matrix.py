"""The instructional coaching content (issue 4) obeys the visibility rule of DESIGN.md,
invariant 1: action steps, observations and the feedback meeting's notes and practice attempts,
persona x visibility level, through the policy querysets and the object check. An observation
still being written is its author's alone, whatever its visibility. Cycles are metadata: whoever
sees the engagement sees that they happen.

The pages, API and exports read through these querysets; test_instructional_channels.py checks
what they show."""

import datetime

import pytest
from django.utils import timezone

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.actionsteps.models import ActionStep, Cycle, PracticeAttempt
from coachloop.meetings.models import Meeting
from coachloop.observations.models import Observation, ObservationStatus

P, T, S, G = Visibility.PRIVATE, Visibility.TEAM, Visibility.SPONSORS, Visibility.PROGRAMME
CAN_READ_AUTHORED_BY_CORA = {
    "cora": {P, T, S, G},
    "tom": {T, S, G},
    "lena": {S, G},
    "dan": {S, G},
    "ada": {G},
    "sam": set(),
    "tina": set(),
    "bea": set(),
    "ben": set(),
}
SEES_THE_ENGAGEMENT = {"cora", "tom", "lena", "dan", "ada"}


def _step(world, engagement, visibility):
    return ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility=visibility,
        title=f"Step at {visibility}",
        success_criteria=["Waits three seconds", "Calls on a non-volunteer"],
    )


def _meeting(world, engagement, visibility):
    return Meeting.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        meeting_type="feedback",
        title="Feedback meeting",
        starts_at=timezone.now(),
        mode="in_person",
        author=world.cora,
        visibility=visibility,
        agenda=[{"title": "Praise", "minutes": 2}],
        stage_notes=["Secret praise"],
    )


def make(kind, world, engagement, visibility, status=ObservationStatus.FINAL):
    if kind == "action_step":
        return _step(world, engagement, visibility)
    if kind == "observation":
        return Observation.objects.create(
            organisation=engagement.organisation,
            engagement=engagement,
            coachee=world.tom,
            author=world.cora,
            visibility=visibility,
            status=status,
            notes="Secret observation",
        )
    if kind == "minutes":
        return _meeting(world, engagement, visibility)
    if kind == "practice":
        return PracticeAttempt.objects.create(
            organisation=engagement.organisation,
            meeting=_meeting(world, engagement, visibility),
            action_step=_step(world, engagement, Visibility.TEAM),
            number=1,
            criteria=[{"criterion": "Waits three seconds", "met": True}],
            author=world.cora,
        )
    raise AssertionError(kind)


QUERYSETS = {
    "action_step": policy.action_steps_visible_to,
    "observation": policy.observations_visible_to,
    "minutes": policy.meeting_minutes_visible_to,
    "practice": policy.practice_attempts_visible_to,
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(QUERYSETS))
def test_each_persona_reads_exactly_the_levels_of_the_matrix(world, instructional, kind):
    rows = {level: make(kind, world, instructional, level) for level in Visibility.values}
    for name, user in world.people.items():
        readable = set(QUERYSETS[kind](user).values_list("pk", flat=True))
        expected = {rows[level].pk for level in CAN_READ_AUTHORED_BY_CORA[name]}
        assert readable == expected, (kind, name)
        if kind in ("action_step", "observation"):  # a meeting itself is metadata
            for level, row in rows.items():
                assert policy.allowed(user, Action.VIEW, row) == (
                    level in CAN_READ_AUTHORED_BY_CORA[name]
                ), (kind, name, level)


@pytest.mark.django_db
@pytest.mark.parametrize("level", Visibility.values)
def test_a_draft_observation_is_its_authors_alone(world, instructional, level):
    draft = make("observation", world, instructional, level, status=ObservationStatus.DRAFT)
    for name, user in world.people.items():
        sees = policy.observations_visible_to(user).filter(pk=draft.pk).exists()
        assert sees == (name == "cora"), name


@pytest.mark.django_db
def test_cycles_are_metadata_for_whoever_sees_the_engagement(world, instructional):
    cycle = Cycle.objects.create(
        organisation=instructional.organisation,
        engagement=instructional,
        number=1,
        opened_on=datetime.date(2026, 9, 1),
    )
    for name, user in world.people.items():
        assert policy.allowed(user, Action.VIEW, cycle) == (name in SEES_THE_ENGAGEMENT), name
