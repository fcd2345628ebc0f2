"""Scheduling, moving and cancelling meetings, with time zones, participants and attendance:
the rules of the meetings service and the pages that use it, bad input included."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from coachloop.access.models import AuditEvent
from coachloop.lib.errors import DomainError
from coachloop.meetings import services, times
from coachloop.meetings.models import Meeting, MeetingParticipant, MeetingStatus
from coachloop.meetings.signals import meeting_changed

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "UTC", "Asia/Kolkata"]


# --- Local times ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    local=st.datetimes(
        min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2040, 12, 31)
    ),
    zone=st.sampled_from(ZONES),
)
def test_a_local_time_round_trips_or_is_refused_as_a_gap(local, zone):
    local = local.replace(microsecond=0)
    tz = ZoneInfo(zone)
    wall = local.replace(tzinfo=tz).astimezone(datetime.UTC).astimezone(tz)
    if wall.replace(tzinfo=None) != local:  # the zone's clock skips this time
        with pytest.raises(DomainError, match="does not exist") as err:
            times.to_aware(local, zone)
        assert err.value.field == "starts_at"
        return
    instant = times.to_aware(local, zone)
    assert instant.tzinfo == datetime.UTC
    assert times.local(instant, zone).replace(tzinfo=None) == local


def test_the_spring_gap_in_london_is_explained_and_the_autumn_hour_is_the_first():
    with pytest.raises(DomainError) as err:
        times.to_aware(datetime.datetime(2026, 3, 29, 1, 30), "Europe/London")
    assert err.value.field == "starts_at"
    assert err.value.message == (
        "1:30 on 29 March 2026 does not exist in Europe/London: the clocks go forward. "
        "Choose another time."
    )
    # 1:30 happens twice on 25 October 2026: the first is still summer time (UTC+1).
    first = times.to_aware(datetime.datetime(2026, 10, 25, 1, 30), "Europe/London")
    assert first == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)


def test_an_unknown_zone_is_refused():
    with pytest.raises(DomainError, match="not a time zone we know"):
        times.to_aware(datetime.datetime(2026, 10, 1, 9), "Mars/Olympus")


# --- Scheduling ------------------------------------------------------------------------------------


def plan(peer, **kwargs):
    fields = {
        "actor": peer.pia,
        "engagement": peer.engagement,
        "meeting_type": "session",
        "starts_at": datetime.datetime(2026, 10, 6, 16, 0),
        "time_zone": "Europe/London",
        "mode": "in_person",
    }
    return services.meeting_schedule(**{**fields, **kwargs})


def test_a_session_is_planned_in_its_zone_with_the_team_invited(peer):
    heard = []

    def listener(sender, meeting, actor, **kwargs):
        heard.append((meeting.pk, actor.pk))

    meeting_changed.connect(listener)
    try:
        meeting = plan(peer, link="https://meet.example.org/pia-paul", mode="video")
    finally:
        meeting_changed.disconnect(listener)
    # 16:00 in London in October is 15:00 UTC (summer time).
    assert meeting.starts_at == datetime.datetime(2026, 10, 6, 15, 0, tzinfo=datetime.UTC)
    assert meeting.time_zone == "Europe/London"
    assert meeting.minutes == 60
    assert meeting.visibility == "team"
    invited = set(meeting.participants.values_list("user__email", flat=True))
    assert invited == {"pia@a.test", "paul@a.test"}  # the session's attendees: no supervisor
    assert heard == [(meeting.pk, peer.pia.pk)]
    # The triad meeting invites the supervisor and is minuted at the sponsors level.
    triad = plan(peer, meeting_type="triad")
    assert triad.visibility == "sponsors"
    assert peer.sue.pk in set(triad.participants.values_list("user_id", flat=True))


def test_the_end_sets_the_length_and_an_end_before_the_start_is_refused(peer):
    meeting = plan(peer, ends_at=datetime.datetime(2026, 10, 6, 17, 30))
    assert meeting.minutes == 90
    with pytest.raises(DomainError) as err:
        plan(peer, ends_at=datetime.datetime(2026, 10, 6, 15, 0))
    assert (err.value.field, err.value.message) == ("ends_at", "The meeting ends before it starts.")
    assert Meeting.objects.count() == 1


def test_a_start_in_the_dst_gap_writes_nothing(peer):
    with pytest.raises(DomainError) as err:
        plan(peer, starts_at=datetime.datetime(2026, 3, 29, 1, 30))
    assert err.value.field == "starts_at"
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("name", ["tom", "ben"])
def test_an_outsider_cannot_be_invited_and_nothing_is_written(peer, world, name):
    outsider = getattr(world, name)
    with pytest.raises(DomainError) as err:
        plan(peer, participants=[peer.paul, outsider])
    assert err.value.field == "participants"
    assert str(outsider) in err.value.message
    assert "Pia" not in err.value.message
    assert "Paul" not in err.value.message
    # By id (the API), the message names only the number that was sent.
    with pytest.raises(DomainError) as err:
        plan(peer, participants=[peer.paul.pk, outsider.pk])
    assert err.value.message.endswith(f"person {outsider.pk}.")
    assert str(outsider) not in err.value.message
    assert not Meeting.objects.exists()
    assert not MeetingParticipant.objects.exists()


def test_a_chosen_participant_list_is_kept(peer):
    meeting = plan(peer, meeting_type="triad", participants=[peer.pia, peer.sue])
    assert set(meeting.participants.values_list("user_id", flat=True)) == {
        peer.pia.pk,
        peer.sue.pk,
    }


def test_a_bad_video_link_is_refused(peer):
    for link in ("javascript:alert(1)", "ftp://files.example.org/x", "meet me"):
        with pytest.raises(DomainError) as err:
            plan(peer, link=link, mode="video")
        assert err.value.field == "link"
    assert not Meeting.objects.exists()


def test_the_same_submission_twice_makes_one_meeting_and_one_notice(
    peer, mailoutbox, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = plan(peer, submission=key)
    sent = len(mailoutbox)
    assert sent == 1  # Paul is told; Pia planned it
    with django_capture_on_commit_callbacks(execute=True):
        again = plan(peer, submission=key, starts_at=datetime.datetime(2026, 10, 7, 9, 0))
    assert again.pk == first.pk
    assert Meeting.objects.count() == 1
    assert len(mailoutbox) == sent
    # Another form is another meeting.
    plan(peer, submission=uuid.uuid4())
    assert Meeting.objects.count() == 2


def test_the_default_zone_is_the_planners_own(peer):
    peer.pia.time_zone = "America/New_York"
    peer.pia.save(update_fields=["time_zone"])
    meeting = plan(peer, time_zone=None)
    assert meeting.time_zone == "America/New_York"
    assert meeting.starts_at == datetime.datetime(2026, 10, 6, 20, 0, tzinfo=datetime.UTC)


# --- Moving and cancelling -------------------------------------------------------------------------


def test_moving_raises_the_sequence_and_tells_the_others(
    peer, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = plan(peer)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.meeting_reschedule(
            actor=peer.paul,
            meeting=meeting,
            starts_at=datetime.datetime(2026, 10, 8, 9, 30),
            reason="Paul has an inspection",
        )
    assert moved.sequence == meeting.sequence + 1
    assert moved.starts_at == datetime.datetime(2026, 10, 8, 8, 30, tzinfo=datetime.UTC)
    assert moved.minutes == 60
    assert moved.reason == "Paul has an inspection"
    assert moved.updated_at > meeting.updated_at
    assert [m.to for m in mailoutbox] == [[peer.pia.email]]
    assert "inspection" not in mailoutbox[0].body  # what happened, not why
    assert AuditEvent.objects.filter(
        action="meeting.reschedule", target_id=str(meeting.pk)
    ).exists()


def test_cancelling_needs_a_reason_and_raises_the_sequence(peer):
    meeting = plan(peer)
    with pytest.raises(DomainError) as err:
        services.meeting_cancel(actor=peer.pia, meeting=meeting, reason="  ")
    assert err.value.field == "reason"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    cancelled = services.meeting_cancel(actor=peer.pia, meeting=meeting, reason="Snow day")
    assert cancelled.status == MeetingStatus.CANCELLED
    assert (cancelled.sequence, cancelled.reason) == (1, "Snow day")
    assert cancelled.cancelled_by == peer.pia
    assert cancelled.cancelled_at is not None
    with pytest.raises(DomainError) as err:
        services.meeting_reschedule(
            actor=peer.pia, meeting=cancelled, starts_at=datetime.datetime(2026, 10, 9, 9)
        )
    assert err.value.status == 409


def held_meeting(peer):
    meeting = plan(peer, starts_at=datetime.datetime(2026, 9, 2, 10, 0))
    return services.meeting_record(
        actor=peer.pia, meeting=meeting, stage_notes=[""] * len(meeting.agenda), summary="Met"
    )


def test_a_held_meeting_is_neither_cancelled_nor_moved(peer):
    meeting = held_meeting(peer)
    with pytest.raises(DomainError) as err:
        services.meeting_cancel(actor=peer.pia, meeting=meeting, reason="Oops")
    assert err.value.status == 409
    with pytest.raises(DomainError) as err:
        services.meeting_reschedule(
            actor=peer.pia, meeting=meeting, starts_at=datetime.datetime(2026, 10, 9, 9)
        )
    assert err.value.status == 409
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.HELD, 0)


def test_the_supervisor_neither_moves_nor_cancels(peer):
    meeting = plan(peer)
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(actor=peer.sue, meeting=meeting, reason="No")
    with pytest.raises(PermissionDenied):
        services.meeting_reschedule(
            actor=peer.sue, meeting=meeting, starts_at=datetime.datetime(2026, 10, 9, 9)
        )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


# --- Attendance ------------------------------------------------------------------------------------


def test_attendance_is_for_participants_of_a_meeting_that_took_place(peer, world):
    future = plan(peer, starts_at=datetime.datetime(2027, 1, 5, 10))
    with pytest.raises(DomainError) as err:
        services.meeting_attendance(actor=peer.pia, meeting=future, attended={peer.pia.pk: True})
    assert err.value.status == 409
    meeting = held_meeting(peer)
    with pytest.raises(DomainError) as err:
        services.meeting_attendance(
            actor=peer.pia, meeting=meeting, attended={peer.pia.pk: True, peer.sue.pk: True}
        )
    assert err.value.field == "attended"
    assert not meeting.participants.filter(attended__isnull=False).exists()
    services.meeting_attendance(
        actor=peer.pia, meeting=meeting, attended={peer.pia.pk: True, peer.paul.pk: False}
    )
    assert dict(meeting.participants.values_list("user_id", "attended")) == {
        peer.pia.pk: True,
        peer.paul.pk: False,
    }


def test_the_meeting_page_shows_times_participants_and_attendance(peer, signed_in):
    meeting = held_meeting(peer)
    services.meeting_attendance(
        actor=peer.pia, meeting=meeting, attended={peer.pia.pk: True, peer.paul.pk: False}
    )
    peer.sue.time_zone = "America/New_York"
    peer.sue.save(update_fields=["time_zone"])
    html = signed_in(peer.sue).get(meeting.get_absolute_url()).content.decode()
    assert "Wednesday 2 September 2026, 10:00 to 11:00 (Europe/London)" in html
    assert "Your time: Wednesday 2 September 2026, 05:00 (America/New York)" in html
    assert f"Attended: {peer.pia}; absent: {peer.paul}" in html
    assert "Save attendance" not in html  # the supervisor sees attendance, does not record it


# --- Pages -----------------------------------------------------------------------------------------


def schedule_form(peer, **data):
    return {
        "meeting_type": "session",
        "starts_at": "2026-10-06T16:00",
        "ends_at": "",
        "minutes": "",
        "time_zone": "Europe/London",
        "mode": "in_person",
        "location": "Oak, library",
        "link": "",
        "participants": [peer.pia.pk, peer.paul.pk],
        "submission": "0b6d1c1e-4c63-4d6f-9b55-1d1fbd8c7a11",
        **data,
    }


def test_the_schedule_page_plans_once_for_a_double_submit(peer, signed_in):
    pia = signed_in(peer.pia)
    url = reverse("meeting_list", args=[peer.engagement.pk])
    html = pia.get(url).content.decode()
    assert "Who is invited" in html
    assert 'name="submission"' in html
    first = pia.post(url, schedule_form(peer, ends_at="17:15"))
    second = pia.post(url, schedule_form(peer, ends_at="17:15"))
    meeting = Meeting.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == meeting.get_absolute_url()
    assert meeting.minutes == 75
    page = pia.get(meeting.get_absolute_url()).content.decode()
    assert "Tuesday 6 October 2026, 16:00 to 17:15 (Europe/London)" in page


def test_the_schedule_page_explains_bad_input_and_keeps_it(peer, signed_in, world):
    pia = signed_in(peer.pia)
    url = reverse("meeting_list", args=[peer.engagement.pk])
    response = pia.post(url, schedule_form(peer, ends_at="15:00"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "The meeting ends before it starts." in html
    assert 'value="Oak, library"' in html
    response = pia.post(url, schedule_form(peer, starts_at="2026-03-29T01:30"))
    assert response.status_code == 422
    assert "does not exist in Europe/London" in response.content.decode()
    response = pia.post(url, schedule_form(peer, participants=[peer.pia.pk, world.ben.pk]))
    assert response.status_code == 422
    assert str(world.ben) not in response.content.decode()
    assert not Meeting.objects.exists()


def test_moving_and_cancelling_through_the_pages(peer, signed_in):
    meeting = plan(peer)
    pia = signed_in(peer.pia)
    url = reverse("meeting_reschedule", args=[peer.engagement.pk, meeting.pk])
    html = pia.get(url).content.decode()
    assert 'value="2026-10-06T16:00"' in html  # the meeting's own clock
    form = {
        "starts_at": "2026-10-07T09:00",
        "ends_at": "08:00",
        "minutes": "",
        "time_zone": "Europe/London",
        "mode": "phone",
        "location": "",
        "link": "",
        "reason": "A clash",
    }
    response = pia.post(url, form)
    assert response.status_code == 422
    assert "The meeting ends before it starts." in response.content.decode()
    response = pia.post(url, {**form, "ends_at": "10:00"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.mode, meeting.reason) == (1, "phone", "A clash")
    assert meeting.starts_at == timezone.make_aware(
        datetime.datetime(2026, 10, 7, 8, 0), datetime.UTC
    )
    page = pia.get(meeting.get_absolute_url()).content.decode()
    assert "Why it was moved" in page
    assert "A clash" in page
    # Sue sees the meeting but cannot move it.
    assert signed_in(peer.sue).get(url).status_code == 403


def test_attendance_through_the_meeting_page(peer, signed_in):
    meeting = held_meeting(peer)
    pia = signed_in(peer.pia)
    url = reverse("meeting_attendance", args=[peer.engagement.pk, meeting.pk])
    assert "Save attendance" in pia.get(meeting.get_absolute_url()).content.decode()
    response = pia.post(url, {f"attended_{peer.sue.pk}": "yes"})
    assert response.status_code == 422
    assert "Attendance is only for those invited" in response.content.decode()
    assert str(peer.sue) not in response.content.decode().split("Attendance is only")[1][:200]
    response = pia.post(
        url, {f"attended_{peer.pia.pk}": "yes", f"attended_{peer.paul.pk}": "no"}, follow=True
    )
    assert "Attendance saved." in [str(m) for m in response.context["messages"]]
    assert f"Attended: {peer.pia}; absent: {peer.paul}" in response.content.decode()
    # The supervisor may not record it.
    assert signed_in(peer.sue).post(url, {f"attended_{peer.pia.pk}": "no"}).status_code == 403
    assert meeting.participants.get(user=peer.pia).attended is True
