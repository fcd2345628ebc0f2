"""Practice attempts in the feedback meeting: numbered per meeting and action step, one answer
per success criterion, logged by the coach only, read with the meeting's minutes."""

import datetime

import pytest
from django.utils import timezone

from coachloop.access import policy
from coachloop.access.models import AuditEvent
from coachloop.actionsteps.models import ActionStep, PracticeAttempt
from coachloop.actionsteps.practice import (
    met_count,
    practice_attempt_add,
    practice_attempts,
    practice_summary,
)
from coachloop.lib.errors import DomainError
from coachloop.meetings import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world, instructional):
    return services.meeting_schedule(
        actor=world.cora,
        engagement=instructional,
        meeting_type="feedback",
        starts_at=timezone.now() - datetime.timedelta(minutes=20),
        mode="in_person",
    )


def make_step(world, engagement, title="Use a 3-2-1 countdown", criteria=None):
    return ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=world.tom,
        author=world.cora,
        visibility="team",
        title=title,
        success_criteria=criteria if criteria is not None else ["Counts down", "Waits", "Praises"],
    )


def test_attempts_are_numbered_per_meeting_and_step_and_later_ones_are_re_practices(
    world, instructional, meeting
):
    step = make_step(world, instructional)
    other = make_step(
        world, instructional, title="Cold call", criteria=["Names after the question"]
    )
    first = practice_attempt_add(
        actor=world.cora, meeting=meeting, action_step=step, met=[True, False, False]
    )
    second = practice_attempt_add(
        actor=world.cora,
        meeting=meeting,
        action_step=step,
        met=[True, True, False],
        feedback="  Wait longer for silence.  ",
    )
    third = practice_attempt_add(
        actor=world.cora, meeting=meeting, action_step=step, met=[True, True, True]
    )
    elsewhere = practice_attempt_add(
        actor=world.cora, meeting=meeting, action_step=other, met=[True]
    )
    assert [first.number, second.number, third.number, elsewhere.number] == [1, 2, 3, 1]
    assert second.criteria == [
        {"criterion": "Counts down", "met": True},
        {"criterion": "Waits", "met": True},
        {"criterion": "Praises", "met": False},
    ]
    assert second.feedback == "Wait longer for silence."
    assert [met_count(a) for a in (first, second, third)] == [1, 2, 3]
    attempts = list(practice_attempts(meeting))
    assert practice_summary(attempts, step).repractices == 2
    assert practice_summary(attempts, other).repractices == 0
    assert practice_summary(attempts) == practice_summary(attempts).__class__(
        attempts=4, repractices=2
    )
    assert AuditEvent.objects.filter(action="practice.attempt").count() == 4


def test_one_answer_per_success_criterion_or_a_clear_refusal(world, instructional, meeting):
    step = make_step(world, instructional)
    with pytest.raises(DomainError) as refused:
        practice_attempt_add(actor=world.cora, meeting=meeting, action_step=step, met=[True])
    assert refused.value.field == "met"
    assert "each of the step's 3 success criteria" in refused.value.message
    assert "got 1 answers" in refused.value.message
    assert not PracticeAttempt.objects.exists()
    bare = make_step(world, instructional, title="Smile at the door", criteria=[])
    assert (
        practice_attempt_add(
            actor=world.cora, meeting=meeting, action_step=bare, met=[], feedback="Warm."
        ).criteria
        == []
    )


def test_the_step_must_belong_to_the_meetings_engagement(world, instructional, meeting):
    foreign = make_step(world, world.engagement, title="Another engagement's step")
    with pytest.raises(DomainError, match="Choose an action step of this engagement") as refused:
        practice_attempt_add(
            actor=world.cora, meeting=meeting, action_step=foreign, met=[True, True, True]
        )
    assert refused.value.field == "action_step"


def test_only_the_coach_logs_attempts_and_readers_of_the_minutes_see_them(
    world, instructional, meeting
):
    step = make_step(world, instructional)
    for someone in (world.tom, world.lena, world.ada):
        with pytest.raises(DomainError, match="Only the engagement's coaches") as refused:
            practice_attempt_add(actor=someone, meeting=meeting, action_step=step, met=[True] * 3)
        assert refused.value.status == 403
    attempt = practice_attempt_add(
        actor=world.cora, meeting=meeting, action_step=step, met=[True] * 3
    )
    assert list(practice_attempts(meeting, actor=world.tom)) == [attempt]
    for outsider in (world.lena, world.dan, world.sam, world.bea):
        assert not practice_attempts(meeting, actor=outsider).exists()
        assert not policy.practice_attempts_visible_to(outsider).filter(pk=attempt.pk).exists()


def test_a_cancelled_meeting_takes_no_attempts(world, instructional, meeting):
    step = make_step(world, instructional)
    services.meeting_cancel(actor=world.cora, meeting=meeting, reason="Tom is ill")
    with pytest.raises(DomainError, match="cancelled"):
        practice_attempt_add(actor=world.cora, meeting=meeting, action_step=step, met=[True] * 3)
