"""Coaching-experience feedback through the services: the rounds the worker makes each quarter
(one per coach and programme, every current coachee invited once), the coachee invited when a
coaching cycle closes, the round closing at the period's end, and the coach's reply."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from coachloop.access.models import AuditEvent
from coachloop.coaches import feedback
from coachloop.coaches.models import FeedbackReply, FeedbackRound
from coachloop.engagements.models import EngagementStatus
from coachloop.lib.errors import DomainError
from coachloop.notifications.tasks import run_tick
from coachloop.surveys import tokens
from coachloop.surveys.models import Invitation
from coachloop.surveys.services import close_due, submit

pytestmark = pytest.mark.django_db

#: a Monday in the autumn term, 2026-Q4
ON = dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
#: the first school day after the quarter
AFTER = dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)


def asked(today=None):
    with time_machine.travel(ON, tick=False):
        return feedback.ask_quarterly(today)


def round_of(programme, coach):
    return FeedbackRound.objects.select_related("administration").get(
        programme=programme, coach=coach
    )


def invited(feedback_round):
    return sorted(
        Invitation.objects.filter(administration_id=feedback_round.administration_id).values_list(
            "email", flat=True
        )
    )


def answer(feedback_round, values, comment=""):
    """Each value in `values` is one coachee's answer to every item (comments optional)."""
    administration = feedback_round.administration
    keys = [i.key for i in administration.spec.items_for("participant")]
    unused = list(
        Invitation.objects.filter(administration=administration, used=False).order_by("id")
    )
    assert len(unused) >= len(values)
    with time_machine.travel(ON + dt.timedelta(days=3), tick=False):
        for invitation, value in zip(unused, values, strict=False):
            submit(
                token=tokens.unseal(invitation.sealed_token),
                values=dict.fromkeys(keys, value),
                comments={"change": comment} if comment else {},
            )


def close_quarter():
    with time_machine.travel(AFTER, tick=False):
        return close_due()


@pytest.mark.parametrize(
    ("day", "months", "label", "starts", "ends"),
    [
        (dt.date(2026, 10, 5), None, "2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 3, 31), 3, "2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (dt.date(2026, 2, 10), 1, "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 9, 1), 6, "2026-H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 5, 1), 12, "2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        (dt.date(2026, 12, 1), 5, "2026-M11", dt.date(2026, 11, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods_are_quarters_or_blocks_of_months_from_january(day, months, label, starts, ends):
    assert feedback.period_of(day, months) == feedback.Period(label, starts, ends)


def test_each_quarter_every_coach_gets_one_round_with_every_coachee_invited(
    coachdev, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = asked()
    cora = round_of(coachdev.programme, world.cora)
    carl = round_of(coachdev.programme, coachdev.carl)
    assert cora.period == "2026-Q4"
    assert (cora.starts_on, cora.ends_on) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert invited(cora) == sorted(t.email for t in coachdev.teachers)
    assert invited(carl) == ["uma@a.test", "uri@a.test"]
    administration = cora.administration
    assert administration.subject == world.cora
    assert administration.engagement is None
    assert administration.roles == ["participant"]
    assert administration.version.instrument.key == "coaching-experience"
    assert administration.invited_count == 5
    assert not administration.live_results
    assert (administration.opens_on, administration.closes_on) == (
        dt.date(2026, 10, 5),
        dt.date(2026, 12, 31),
    )
    # the performance-coaching programme of `world` asks each quarter too: Cora coaches Tom
    tom_only = FeedbackRound.objects.exclude(programme=coachdev.programme).get()
    assert invited(tom_only) == ["tom@a.test"]
    # the lead coach's development programme asks for no coaching feedback
    assert not FeedbackRound.objects.filter(coach=coachdev.lola).exists()
    assert made == 5 + 2 + 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [t.email for t in coachdev.teachers] + ["uma@a.test", "uri@a.test", "tom@a.test"]
    )

    # idempotent: the next tick of the quarter invites nobody again
    assert asked() == 0
    assert FeedbackRound.objects.count() == 3
    assert Invitation.objects.count() == 8


def test_a_new_coachee_is_invited_at_the_next_tick_and_a_finished_engagement_is_not(
    coachdev, world
):
    coachdev.engagements[4].status = EngagementStatus.COMPLETED
    coachdev.engagements[4].save()
    asked()
    cora = round_of(coachdev.programme, world.cora)
    assert "tia@a.test" not in invited(cora)
    coachdev.engagements[4].status = EngagementStatus.ACTIVE
    coachdev.engagements[4].save()
    assert asked() == 1
    assert "tia@a.test" in invited(cora)
    cora.administration.refresh_from_db()
    assert cora.administration.invited_count == 5


def test_the_worker_tick_makes_the_rounds_once_a_day(coachdev, world):
    with time_machine.travel(ON, tick=False):
        result = run_tick()
        assert result["feedback_invited"] == 8
        assert FeedbackRound.objects.filter(coach=world.cora).count() == 2
        assert run_tick()["feedback_invited"] is None  # already done today
    with time_machine.travel(ON + dt.timedelta(days=1), tick=False):
        assert run_tick()["feedback_invited"] == 0  # tried again the next day: nothing new


def test_a_closed_cycle_invites_its_coachee_once_into_the_coachs_round(coachdev, world):
    from coachloop.actionsteps.tests.test_cycles import _feedback, _hold

    engagement = coachdev.engagements[0]  # Cora coaches Tom
    with time_machine.travel(ON, tick=False):
        _hold(world, _feedback(world, engagement))
    cora = round_of(coachdev.programme, world.cora)
    assert invited(cora) == ["tom@a.test"]
    assert cora.period == "2026-Q4"
    # a second cycle in the quarter: Tom is already invited
    with time_machine.travel(ON + dt.timedelta(days=14), tick=False):
        _hold(world, _feedback(world, engagement))
    assert invited(cora) == ["tom@a.test"]
    # the quarterly round is the same round: the others join it, Tom is not invited twice
    asked()
    assert FeedbackRound.objects.filter(programme=coachdev.programme, coach=world.cora).count() == 1
    assert invited(cora) == sorted(t.email for t in coachdev.teachers)


def test_a_cycle_in_a_playbook_without_after_cycle_feedback_asks_nobody(coachdev, world):
    from coachloop.actionsteps.models import Cycle

    cycle = Cycle.objects.create(
        organisation=coachdev.development.organisation,
        engagement=coachdev.development,
        number=1,
        opened_on=dt.date(2026, 10, 1),
    )
    assert feedback.ask_after_cycle(cycle) == []
    assert not FeedbackRound.objects.exists()


def test_the_round_closes_at_the_end_of_the_quarter(coachdev, world):
    asked()
    cora = round_of(coachdev.programme, world.cora)
    with time_machine.travel(dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC), tick=False):
        assert close_due() == 0
        assert feedback.status_of(cora) == "open"
    assert close_quarter() == 3
    cora.administration.refresh_from_db()
    assert cora.administration.is_closed
    # the next quarter's tick makes the next round
    with time_machine.travel(AFTER, tick=False):
        feedback.ask_quarterly()
    assert FeedbackRound.objects.filter(coach=world.cora, period="2027-Q1").count() == 2


def _shown_round(coachdev, world):
    """Cora's round closed with three answers; Carl's with his two coachees' answers."""
    asked()
    cora = round_of(coachdev.programme, world.cora)
    answer(cora, [3, 4, 2])
    answer(round_of(coachdev.programme, coachdev.carl), [4, 4])
    close_quarter()
    cora.administration.refresh_from_db()
    return cora


def test_cora_replies_after_close_and_changes_her_reply(coachdev, world):
    cora = _shown_round(coachdev, world)
    saved = feedback.reply(world.cora, cora, "  I will agree the next step before we leave.  ")
    assert saved.text == "I will agree the next step before we leave."
    first = saved.updated_at
    again = feedback.reply(world.cora, cora, "I will send the plan the same day.")
    assert again.pk == saved.pk
    assert FeedbackReply.objects.get().text == "I will send the plan the same day."
    assert again.updated_at >= first
    events = AuditEvent.objects.filter(action="feedback.reply")
    assert [e.data["changed"] for e in events.order_by("id")] == [False, True]


def test_only_the_coach_replies_and_only_to_shown_results(coachdev, world):
    cora = _shown_round(coachdev, world)
    with pytest.raises(DomainError) as err:
        feedback.reply(world.ada, cora, "Not mine to say")
    assert err.value.status == 403
    with pytest.raises(DomainError) as err:
        feedback.reply(coachdev.lola, cora, "Not mine either")
    assert err.value.status == 403
    with pytest.raises(DomainError) as err:  # Carl may not even see Cora's round
        feedback.reply(coachdev.carl, cora, "Hello")
    assert err.value.status == 404
    # Carl's own round closed with his two coachees' answers: nothing to reply to
    carl = round_of(coachdev.programme, coachdev.carl)
    with pytest.raises(DomainError) as err:
        feedback.reply(coachdev.carl, carl, "I will change")
    assert err.value.status == 409
    assert "fewer than 3" in err.value.message
    with pytest.raises(DomainError) as err:
        feedback.reply(world.cora, cora, "   ")
    assert err.value.errors == {"text": "Write what you will change."}
    assert not FeedbackReply.objects.exists()


def test_no_reply_while_the_round_is_open(coachdev, world):
    asked()
    cora = round_of(coachdev.programme, world.cora)
    answer(cora, [3, 3, 3])
    with pytest.raises(DomainError) as err:
        feedback.reply(world.cora, cora, "Too soon")
    assert err.value.status == 409
    assert not FeedbackReply.objects.exists()


def test_coachees_read_their_coachs_reply_and_nobody_else_does(coachdev, world):
    cora = _shown_round(coachdev, world)
    feedback.reply(world.cora, cora, "Shorter meetings, clearer next steps.")
    for reader in (world.tom, world.tina, world.ada, coachdev.lola, world.cora):
        assert [r.text for r in feedback.replies_for(reader)] == [
            "Shorter meetings, clearer next steps."
        ], reader
    uma = coachdev.carl_engagements[0].participants.get(role="coachee").user
    for outsider in (uma, coachdev.carl, world.lena, world.dan, world.bea, world.ben):
        assert not feedback.replies_for(outsider).exists(), outsider
