"""Reminders through the scan and the delivery with a frozen clock: made once, emailed once, at
the time each person asked for; never for a moved or cancelled meeting; never with content."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from coachloop.engagements.models import StepProgress, StepStatus
from coachloop.meetings.models import FollowUp, MeetingStatus
from coachloop.notifications import delivery
from coachloop.notifications.delivery import deliver_due
from coachloop.notifications.models import Notification, NotificationKind, NotificationPreference
from coachloop.notifications.scan import scan
from coachloop.notifications.tasks import tick
from coachloop.notifications.tests.conftest import at, make_meeting
from coachloop.testing.factories import UserFactory


def run(moment):
    with time_machine.travel(moment, tick=False):
        scan()
        return deliver_due()


def emails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_meeting_reminder_is_made_once_and_emailed_once_at_the_chosen_time(quiet):
    pia, paul = quiet.pia, quiet.paul
    NotificationPreference.objects.create(user=paul, before_meeting_minutes=60)
    make_meeting(quiet.engagement, [pia, paul], at(2026, 10, 8, 14, 0))

    assert run(at(2026, 10, 6, 9, 0)) == 0  # made, not due yet
    assert run(at(2026, 10, 6, 9, 5)) == 0
    assert Notification.objects.filter(kind=NotificationKind.MEETING_SOON).count() == 2
    assert mail.outbox == []

    run(at(2026, 10, 7, 14, 0))  # a day before: Pia's
    run(at(2026, 10, 7, 14, 1))
    assert len(emails_to(pia)) == 1
    assert emails_to(paul) == []
    message = emails_to(pia)[0]
    assert "Peer coaching session" in message.subject
    assert "Thursday 8 October 2026, 14:00 (UTC)" in message.subject
    assert "Peer team: Pia and Paul" in message.body
    assert f"/engagements/{quiet.engagement.pk}/meetings/" in message.body

    run(at(2026, 10, 8, 13, 0))  # an hour before: Paul's
    run(at(2026, 10, 8, 13, 30))
    assert len(emails_to(pia)) == 1
    assert len(emails_to(paul)) == 1


def test_the_reminder_shows_the_time_in_the_readers_time_zone(quiet):
    quiet.paul.time_zone = "America/New_York"
    quiet.paul.save()
    make_meeting(quiet.engagement, [quiet.paul], at(2026, 10, 8, 14, 0))
    run(at(2026, 10, 7, 15, 0))
    assert "10:00 (America/New_York)" in emails_to(quiet.paul)[0].subject


def test_a_rescheduled_meeting_gets_a_new_reminder_and_the_old_one_is_never_sent(quiet):
    pia = quiet.pia
    meeting = make_meeting(quiet.engagement, [pia], at(2026, 10, 8, 14, 0))
    run(at(2026, 10, 6, 9, 0))
    meeting.starts_at = at(2026, 10, 9, 16, 0)
    meeting.sequence += 1
    meeting.save()

    run(at(2026, 10, 7, 14, 0))  # the old reminder's time
    assert mail.outbox == []
    old = Notification.objects.get(key=f"meeting:{meeting.uid}:0")
    assert old.emailed_at is None
    assert old.email is False
    assert old.read_at is not None

    run(at(2026, 10, 8, 16, 0))
    run(at(2026, 10, 8, 16, 1))
    assert len(mail.outbox) == 1
    assert "Friday 9 October 2026, 16:00" in mail.outbox[0].subject


def test_a_cancelled_meetings_reminder_is_not_emailed(quiet):
    meeting = make_meeting(quiet.engagement, [quiet.pia], at(2026, 10, 8, 14, 0))
    run(at(2026, 10, 6, 9, 0))
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.save()
    run(at(2026, 10, 7, 14, 0))
    run(at(2026, 10, 8, 13, 0))
    assert mail.outbox == []
    assert not Notification.objects.filter(key=f"meeting:{meeting.uid}:1").exists()


def test_month_unscheduled_on_the_set_day_not_before_and_only_to_the_team(quiet):
    run(at(2026, 10, 9, 12, 0))
    assert not Notification.objects.filter(kind=NotificationKind.MONTH_UNSCHEDULED).exists()

    run(at(2026, 10, 10, 8, 0))
    run(at(2026, 10, 10, 8, 5))
    rows = Notification.objects.filter(kind=NotificationKind.MONTH_UNSCHEDULED)
    assert {n.user for n in rows} == {quiet.pia, quiet.paul}  # not the supervisor
    assert {n.key for n in rows} == {f"month:{quiet.engagement.pk}:2026-10"}
    assert len(mail.outbox) == 2
    assert "October 2026" in mail.outbox[0].subject


def test_no_month_reminder_when_the_session_is_planned(quiet):
    # a triad meeting does not count for the cadence; the session does
    make_meeting(quiet.engagement, [quiet.pia, quiet.paul], at(2026, 10, 3, 9), "triad")
    run(at(2026, 10, 10, 8, 0))
    assert Notification.objects.filter(kind=NotificationKind.MONTH_UNSCHEDULED).count() == 2
    Notification.objects.all().delete()
    make_meeting(quiet.engagement, [quiet.pia, quiet.paul], at(2026, 10, 20, 9))
    run(at(2026, 10, 10, 9, 0))
    assert not Notification.objects.filter(kind=NotificationKind.MONTH_UNSCHEDULED).exists()


def test_an_overdue_step_goes_to_the_owner_role_only_and_again_after_a_new_due_date(world):
    StepProgress.objects.update(status=StepStatus.DONE)
    step = StepProgress.objects.filter(engagement=world.engagement, owner_role="coachee").first()
    step.status, step.due_on = StepStatus.OPEN, datetime.date(2026, 10, 1)
    step.save()

    run(at(2026, 10, 1, 12, 0))  # due today: not overdue
    assert not Notification.objects.exists()
    run(at(2026, 10, 2, 12, 0))
    run(at(2026, 10, 3, 12, 0))
    assert [m.to for m in mail.outbox] == [[world.tom.email]]
    assert step.title in mail.outbox[0].subject

    step.due_on = datetime.date(2026, 10, 5)
    step.save()
    run(at(2026, 10, 6, 12, 0))
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(user=world.cora).count() == 0


def test_preferences_off_app_only_and_digest(world):
    StepProgress.objects.update(status=StepStatus.DONE)
    StepProgress.objects.filter(engagement=world.engagement, owner_role="coach").update(
        status=StepStatus.OPEN, due_on=datetime.date(2026, 10, 1)
    )
    steps = StepProgress.objects.filter(status=StepStatus.OPEN).count()
    assert steps
    pref = NotificationPreference.objects.create(user=world.cora, step_overdue=False)
    run(at(2026, 10, 6, 12, 0))  # Tuesday
    assert not Notification.objects.exists()

    pref.step_overdue, pref.email = True, False  # the app only
    pref.save()
    run(at(2026, 10, 6, 13, 0))
    assert Notification.objects.filter(user=world.cora, email=False).count() == steps
    assert mail.outbox == []

    Notification.objects.all().delete()
    pref.email, pref.weekly_digest = True, True
    pref.save()
    run(at(2026, 10, 6, 14, 0))
    assert Notification.objects.filter(user=world.cora, email=False).count() == steps
    assert mail.outbox == []  # summed in Monday's digest
    run(at(2026, 10, 11, 23, 0))  # Sunday: no digest
    assert mail.outbox == []
    run(at(2026, 10, 12, 7, 0))  # Monday
    run(at(2026, 10, 12, 9, 0))
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [world.cora.email]
    assert f"Overdue steps: {steps}" in digest.body
    run(at(2026, 10, 13, 9, 0))
    assert len(mail.outbox) == 1
    run(at(2026, 10, 19, 9, 0))  # next Monday: next week's digest
    assert len(mail.outbox) == 2


class WorkerDied(BaseException):
    """The worker process stopping dead in the middle of a batch."""


def test_a_worker_dying_mid_batch_loses_nothing_and_sends_nothing_twice(db, monkeypatch):
    people = [UserFactory(email=f"p{i}@a.test") for i in range(10)]
    with time_machine.travel(at(2026, 10, 6, 9), tick=False):
        for person in people:
            Notification.objects.create(
                user=person, kind=NotificationKind.NOTICE, key="test", subject="Hello"
            )
    real = delivery.send_mail
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise WorkerDied
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery, "send_mail", dying)
    with time_machine.travel(at(2026, 10, 6, 10), tick=False):
        with pytest.raises(WorkerDied):
            deliver_due()
        assert len(mail.outbox) == 4
        assert Notification.objects.filter(emailed_at__isnull=True).count() == 6
        assert deliver_due() == 6  # the restarted worker
        assert deliver_due() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_a_refused_address_does_not_hold_up_the_others(db, monkeypatch):
    people = [UserFactory(email=f"q{i}@a.test") for i in range(3)]
    for person in people:
        Notification.objects.create(user=person, kind=NotificationKind.NOTICE, key="k", subject="S")
    real = delivery.send_mail

    def refusing(subject, body, sender, to, **kwargs):
        if to == [people[0].email]:
            raise OSError("refused")
        return real(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(delivery, "send_mail", refusing)
    assert deliver_due() == 2
    assert Notification.objects.get(user=people[0]).emailed_at is None  # tried again later


def test_inactive_people_are_not_emailed(db):
    person = UserFactory(email="gone@a.test", is_active=False)
    Notification.objects.create(user=person, kind=NotificationKind.NOTICE, key="k", subject="S")
    assert deliver_due() == 0
    assert mail.outbox == []


def test_the_tick_task_and_the_worker_command_make_and_send_reminders(quiet):
    make_meeting(quiet.engagement, [quiet.pia], at(2026, 10, 8, 14, 0))
    with time_machine.travel(at(2026, 10, 7, 15, 0), tick=False):
        result = tick.enqueue()
        assert result.return_value["made"] == 1
        assert result.return_value["sent"] == 1
    make_meeting(quiet.engagement, [quiet.paul], at(2026, 10, 8, 15, 0))
    with time_machine.travel(at(2026, 10, 7, 16, 0), tick=False):
        call_command("worker", "--once", verbosity=0)
        call_command("worker", "--once", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([quiet.pia.email, quiet.paul.email])


def test_reminders_never_carry_the_minutes_or_next_steps(quiet):
    marker = "ZEBRA-CONFIDENTIAL"
    meeting = make_meeting(
        quiet.engagement,
        [quiet.pia, quiet.paul],
        at(2026, 10, 8, 14, 0),
        title=f"Session {marker}",
        summary=f"{marker} summary",
        stage_notes=[f"{marker} notes"],
        location=f"Room {marker}",
    )
    FollowUp.objects.create(
        organisation=quiet.engagement.organisation,
        engagement=quiet.engagement,
        meeting=meeting,
        text=f"{marker} next step",
        owner=quiet.pia,
        due_on=datetime.date(2026, 10, 2),
        author=quiet.pia,
        visibility="private",
    )
    NotificationPreference.objects.create(user=quiet.paul, weekly_digest=True)
    run(at(2026, 10, 7, 15, 0))
    run(at(2026, 10, 12, 9, 0))  # Monday: Paul's digest too
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {NotificationKind.MEETING_SOON, NotificationKind.FOLLOW_UP_OVERDUE} <= kinds
    assert NotificationKind.DIGEST in kinds
    for n in Notification.objects.all():
        assert marker not in n.subject + n.body + n.path
    assert mail.outbox
    for message in mail.outbox:
        assert marker not in message.subject + message.body


def test_scan_is_set_based(quiet, django_assert_max_num_queries):
    for day in range(13, 18):
        make_meeting(quiet.engagement, [quiet.pia, quiet.paul], at(2026, 10, day, 9))
    StepProgress.objects.filter(engagement=quiet.engagement).update(status=StepStatus.OPEN)
    with (
        time_machine.travel(at(2026, 10, 12, 9, 0), tick=False),
        django_assert_max_num_queries(20),
    ):
        made = scan()
    steps = StepProgress.objects.filter(
        engagement=quiet.engagement, due_on__lt=datetime.date(2026, 10, 12)
    ).count()
    assert made == 5 * 2 + steps * 2  # each step is owned by both, as coach or coachee


# --- A property: whatever the order of scans, deliveries and crashes, one email per reminder ---

import contextlib  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: one worker round: the minutes the clock moves on, whether the scan runs, and after how
#: many sends the worker dies in this round (None: it finishes)
ROUND = st.tuples(
    st.integers(min_value=0, max_value=36 * 60),
    st.booleans(),
    st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
)


def dying_after(sends, real_send):
    """send_mail for a worker that dies (WorkerDied) after `sends` emails; None: never."""
    count = 0

    def send(*args, **kwargs):
        nonlocal count
        if sends is not None and count >= sends:
            raise WorkerDied
        count += 1
        return real_send(*args, **kwargs)

    return send


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rounds=st.lists(ROUND, min_size=1, max_size=8),
    starts=st.lists(st.integers(min_value=1, max_value=72), min_size=1, max_size=4),
)
def test_any_run_of_workers_emails_each_due_reminder_exactly_once(quiet, rounds, starts):
    """Meetings some hours ahead; workers scan or not, the clock jumps, a worker dies after a
    few sends. At the end, after one clean round, every reminder that came due was emailed once,
    and none was emailed twice, whatever happened before."""
    Notification.objects.all().delete()
    mail.outbox.clear()
    from coachloop.meetings.models import Meeting

    Meeting.objects.filter(engagement=quiet.engagement).delete()
    begin = at(2026, 10, 5, 8, 0)
    for hours in starts:
        make_meeting(
            quiet.engagement, [quiet.pia, quiet.paul], begin + datetime.timedelta(hours=hours)
        )
    now = begin
    real_send = delivery.send_mail
    try:
        for minutes, scans, dies_after in rounds:
            now += datetime.timedelta(minutes=minutes)
            delivery.send_mail = dying_after(dies_after, real_send)
            with time_machine.travel(now, tick=False):
                if scans:
                    scan()
                with contextlib.suppress(WorkerDied):
                    deliver_due()
        delivery.send_mail = real_send
        with time_machine.travel(now, tick=False):
            scan()
            deliver_due()
    finally:
        delivery.send_mail = real_send
    emailed = Notification.objects.exclude(emailed_at=None)
    assert emailed.count() == len(mail.outbox)  # one email per reminder marked emailed
    due = Notification.objects.filter(email=True, due_at__lte=now)
    assert not due.filter(emailed_at=None).exists()  # none due was left behind
