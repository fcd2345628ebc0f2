"""Meetings in calendars: the .ics of one meeting and a person's private feed. Every answer is
parsed back with icalendar, as a calendar app would read it."""

import datetime
import re
import uuid
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from coachloop.access.models import AuditEvent
from coachloop.engagements.models import Engagement, ParticipantRole
from coachloop.meetings import calendar
from coachloop.meetings.models import CalendarFeed, Meeting, MeetingParticipant
from coachloop.organisations.models import Role
from coachloop.testing.factories import (
    EngagementFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgrammeFactory,
    UserFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
SECRET_MINUTES = "Pia worries about the budget meeting"


def make_meeting(engagement, author, starts_at, *, invited=(), **fields):
    values = {
        "organisation": engagement.organisation,
        "engagement": engagement,
        "meeting_type": "session",
        "title": "Coaching session",
        "starts_at": starts_at,
        "time_zone": "Europe/London",
        "minutes": 45,
        "mode": "in_person",
        "location": "Oak school, room 4",
        "author": author,
        "visibility": "team",
        "updated_at": timezone.now(),
        **fields,
    }
    meeting = Meeting.objects.create(**values)
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=meeting, user=u) for u in invited]
    )
    return meeting


def unescape_text(value):
    """RFC 5545 TEXT, as a calendar app reads it."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse(body):
    return Calendar.from_ical(body)


def events_of(body):
    return parse(body).walk("VEVENT")


def soon(days=7, hour=10):
    day = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def ics_of(meeting):
    meetings = Meeting.objects.select_related("engagement").filter(pk=meeting.pk)
    return calendar.calendar_bytes(meetings, name="Test", base_url="https://coach.example.org")


# --- The calendar file ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_meeting_becomes_an_event_a_calendar_app_understands(peer):
    meeting = make_meeting(
        peer.engagement,
        peer.pia,
        soon(),
        invited=[peer.pia, peer.paul],
        stage_notes=[SECRET_MINUTES],
        summary="Summary: " + SECRET_MINUTES,
        agenda=[{"title": "Check in", "minutes": 10, "prompt": "Ask about the budget"}],
    )
    body = ics_of(meeting)
    cal = parse(body)
    assert str(cal["PRODID"]) == "-//Coachloop//Coachloop//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Test"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"{meeting.uid}@coachloop"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Coaching session (Peer team: Pia and Paul)"
    assert str(event["LOCATION"]) == "Oak school, room 4"
    page = "https://coach.example.org" + meeting.get_absolute_url()
    assert str(event["URL"]) == page
    assert page in str(event["DESCRIPTION"])
    assert "In person" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == meeting.updated_at.replace(microsecond=0)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=45)
    # metadata only: neither the minutes nor the agenda's prompts
    text = body.decode()
    assert "budget" not in text
    assert "Check in" not in text


@pytest.mark.django_db
def test_a_video_meeting_gives_its_link_as_the_place(peer):
    link = "https://meet.example.org/pia-paul"
    meeting = make_meeting(peer.engagement, peer.pia, soon(), mode="video", location="", link=link)
    (event,) = events_of(ics_of(meeting))
    assert str(event["LOCATION"]) == link
    assert link in str(event["DESCRIPTION"])
    assert "Video" in str(event["DESCRIPTION"])


@pytest.mark.django_db
def test_the_start_carries_the_meetings_zone_with_a_matching_vtimezone(peer):
    meeting = make_meeting(peer.engagement, peer.pia, soon())
    body = ics_of(meeting)
    assert b"DTSTART;TZID=Europe/London:" in body
    cal = parse(body)
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/London"]
    (event,) = cal.walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").astimezone(LONDON).hour == 10


@pytest.mark.django_db
def test_the_instant_is_right_on_both_sides_of_the_clocks_going_back(peer):
    """British Summer Time ends on 25 October 2026: 10:00 in London is 09:00 UTC the day before
    and 10:00 UTC the day after."""
    before = make_meeting(
        peer.engagement, peer.pia, datetime.datetime(2026, 10, 24, 10, tzinfo=LONDON)
    )
    after = make_meeting(
        peer.engagement, peer.pia, datetime.datetime(2026, 10, 26, 10, tzinfo=LONDON)
    )
    meetings = Meeting.objects.select_related("engagement").order_by("starts_at")
    body = calendar.calendar_bytes(meetings, name="Test", base_url="https://x.test")
    assert b"DTSTART;TZID=Europe/London:20261024T100000" in body
    assert b"DTSTART;TZID=Europe/London:20261026T100000" in body
    cal = parse(body)
    assert len(cal.timezones) == 1
    # read as a client would: the VTIMEZONE in the file says what the local times mean
    cal.timezones[0].to_tz()
    starts = {str(e["UID"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}
    utc = datetime.UTC
    assert starts[f"{before.uid}@coachloop"].astimezone(utc) == datetime.datetime(
        2026, 10, 24, 9, tzinfo=utc
    )
    assert starts[f"{after.uid}@coachloop"].astimezone(utc) == datetime.datetime(
        2026, 10, 26, 10, tzinfo=utc
    )


@pytest.mark.django_db
def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(peer):
    meeting = make_meeting(peer.engagement, peer.pia, soon())
    (first,) = events_of(ics_of(meeting))
    meeting.starts_at = soon(days=9, hour=14)
    meeting.sequence += 1
    meeting.updated_at = timezone.now() + datetime.timedelta(minutes=1)
    meeting.save()
    (second,) = events_of(ics_of(meeting))
    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART") == soon(days=9, hour=14)
    assert second.decoded("DTSTAMP") > first.decoded("DTSTAMP")


@pytest.mark.django_db
def test_a_cancelled_meeting_is_cancelled_under_the_same_uid(peer):
    meeting = make_meeting(peer.engagement, peer.pia, soon())
    (planned,) = events_of(ics_of(meeting))
    meeting.status = "cancelled"
    meeting.sequence += 1
    meeting.cancelled_at = timezone.now()
    meeting.save()
    (cancelled,) = events_of(ics_of(meeting))
    assert str(cancelled["UID"]) == str(planned["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] == planned["SEQUENCE"] + 1


# Text a person may type: anything but control characters (a newline and a tab included).
typed_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters='\n\t,;:\\"'),
    min_size=1,
    max_size=200,
)


@settings(max_examples=150, deadline=None)
@given(title=typed_text, location=typed_text)
@example(title="\ufeff", location="0")
@example(title="0", location="\ufeff")
@example(title="a\ufeff b", location="\ufeffx")
def test_any_title_and_place_round_trip_through_the_ics(title, location):
    """Commas, semicolons, backslashes, newlines and any script come back exactly as written
    (icalendar escapes and folds them; the file stays well formed), but for U+FEFF, an
    invisible byte-order mark, which is left out (hypothesis found icalendar dropping it at the
    start of a value)."""
    invisible = str.maketrans("", "", "\ufeff")
    engagement = Engagement(pk=3, title="Peer team")
    when = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    meeting = Meeting(
        pk=7,
        engagement=engagement,
        title=title,
        location=location,
        mode="in_person",
        starts_at=when,
        time_zone="Europe/London",
        updated_at=when,
        created_at=when,
        uid=uuid.uuid4(),
    )
    body = calendar.calendar_bytes([meeting], name=title, base_url="https://x.test")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    cal = parse(body)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"{title.translate(invisible)} (Peer team)"
    assert str(event["LOCATION"]) == location.translate(invisible)
    # read as text, as calendar apps do (icalendar leaves unknown X- properties escaped)
    lines = body.decode().replace("\r\n ", "").split("\r\n")
    raw = next(line for line in lines if line.startswith("X-WR-CALNAME:"))
    calname = unescape_text(raw.split(":", 1)[1])
    assert calname == " ".join(title.translate(invisible).split())


def test_control_characters_never_reach_the_file():
    engagement = Engagement(pk=3, title="Team")
    when = datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    meeting = Meeting(
        pk=7,
        engagement=engagement,
        title="Sess\x00ion\x1b",
        mode="phone",
        starts_at=when,
        updated_at=when,
        created_at=when,
    )
    body = calendar.calendar_bytes([meeting], name="x", base_url="https://x.test")
    assert b"\x00" not in body
    assert b"\x1b" not in body
    (event,) = events_of(body)
    assert str(event["SUMMARY"]) == "Session (Team)"


# --- Feeds ---------------------------------------------------------------------------------------


@pytest.fixture
def other_tenant(world):
    """An engagement in district B, with Ben in it."""
    programme = ProgrammeFactory(organisation=world.pine)
    engagement = EngagementFactory(programme=programme, organisation=world.pine)
    ParticipantFactory(engagement=engagement, user=world.ben, role=ParticipantRole.COACHEE)
    return engagement


@pytest.mark.django_db
def test_a_feed_holds_only_the_meetings_the_person_is_invited_to(peer, world, other_tenant):
    mine = make_meeting(peer.engagement, peer.pia, soon(), invited=[peer.pia, peer.paul])
    triad = make_meeting(
        peer.engagement, peer.paul, soon(days=8), invited=[peer.paul], title="Paul alone"
    )
    # Pia invited to a meeting of another tenant's engagement (bad data): still never shown
    elsewhere = make_meeting(
        other_tenant, world.ben, soon(days=9), invited=[world.ben, peer.pia], title="District B"
    )
    too_old = make_meeting(
        peer.engagement,
        peer.pia,
        timezone.now() - datetime.timedelta(days=calendar.FEED_PAST_DAYS + 5),
        invited=[peer.pia],
    )
    recent_cancelled = make_meeting(
        peer.engagement,
        peer.pia,
        timezone.now() - datetime.timedelta(days=10),
        invited=[peer.pia],
        status="cancelled",
    )
    uids = {str(e["UID"]) for e in events_of(calendar.feed_bytes(peer.pia)[0])}
    assert uids == {f"{mine.uid}@coachloop", f"{recent_cancelled.uid}@coachloop"}
    assert f"{triad.uid}@coachloop" not in uids
    assert f"{elsewhere.uid}@coachloop" not in uids
    assert f"{too_old.uid}@coachloop" not in uids
    ben = {str(e["UID"]) for e in events_of(calendar.feed_bytes(world.ben)[0])}
    assert ben == {f"{elsewhere.uid}@coachloop"}


@pytest.mark.django_db
def test_a_token_opens_only_its_own_active_feed(peer):
    raw = calendar.feed_create(peer.pia)
    assert calendar.feed_user(raw) == peer.pia
    assert calendar.feed_user(raw + "x") is None
    assert calendar.feed_user("") is None
    assert CalendarFeed.objects.get().token_hash == calendar.hash_feed_token(raw)
    assert raw not in str(list(AuditEvent.objects.values_list("data", flat=True)))
    # a new address replaces the old one
    newer = calendar.feed_create(peer.pia)
    assert calendar.feed_user(raw) is None
    assert calendar.feed_user(newer) == peer.pia
    assert CalendarFeed.objects.filter(user=peer.pia, revoked_at__isnull=True).count() == 1
    calendar.feed_revoke(peer.pia)
    assert calendar.feed_user(newer) is None
    # an inactive person's feed stops too
    again = calendar.feed_create(peer.paul)
    peer.paul.is_active = False
    peer.paul.save(update_fields=["is_active"])
    assert calendar.feed_user(again) is None


@pytest.mark.django_db
def test_the_feed_address_serves_the_calendar_without_sign_in(client, peer):
    meeting = make_meeting(peer.engagement, peer.pia, soon(), invited=[peer.pia])
    raw = calendar.feed_create(peer.pia)
    response = client.get(reverse("calendar_feed", args=[raw]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["Last-Modified"]
    (event,) = events_of(response.content)
    assert str(event["UID"]) == f"{meeting.uid}@coachloop"
    feed = CalendarFeed.objects.get()
    assert feed.last_used_at is not None
    # the same content again: 304 with the ETag
    again = client.get(reverse("calendar_feed", args=[raw]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    # a change to the meeting changes the answer
    meeting.location = "Elm school"
    meeting.sequence += 1
    meeting.updated_at = timezone.now() + datetime.timedelta(minutes=1)
    meeting.save()
    changed = client.get(reverse("calendar_feed", args=[raw]), HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert "Elm school" in str(events_of(changed.content)[0]["LOCATION"])


@pytest.mark.django_db
def test_last_use_is_recorded_at_most_once_an_hour(peer):
    raw = calendar.feed_create(peer.pia)
    feed = calendar.feed_lookup(raw)
    assert feed is not None
    first = timezone.now()
    calendar.feed_touch(feed, now=first)
    calendar.feed_touch(feed, now=first + datetime.timedelta(minutes=30))
    assert CalendarFeed.objects.get().last_used_at == first
    later = first + datetime.timedelta(hours=1, minutes=1)
    calendar.feed_touch(feed, now=later)
    assert CalendarFeed.objects.get().last_used_at == later


@pytest.mark.django_db
def test_wrong_and_revoked_addresses_get_the_same_404(client, peer):
    raw = calendar.feed_create(peer.pia)
    calendar.feed_revoke(peer.pia)
    revoked = client.get(reverse("calendar_feed", args=[raw]))
    wrong = client.get(reverse("calendar_feed", args=["not-a-real-token"]))
    assert revoked.status_code == wrong.status_code == 404
    assert revoked.content == wrong.content
    assert b"BEGIN:VCALENDAR" not in revoked.content


@pytest.mark.django_db
def test_the_feed_takes_the_same_queries_for_5_and_50_meetings(client, peer):
    raw = calendar.feed_create(peer.pia)
    url = reverse("calendar_feed", args=[raw])

    def queries_with(count):
        Meeting.objects.all().delete()
        for n in range(count):
            make_meeting(peer.engagement, peer.pia, soon(days=1 + n), invited=[peer.pia])
        CalendarFeed.objects.update(last_used_at=None)  # the same write each time
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(events_of(response.content)) == count
        return len(captured)

    assert queries_with(5) == queries_with(50)


# --- Pages and the API ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_calendar_page_makes_shows_once_and_revokes_the_address(peer, signed_in):
    pia = signed_in(peer.pia)
    url = reverse("calendar_settings")
    html = pia.get(url).content.decode()
    assert "You have no calendar address." in html
    response = pia.post(url)
    html = response.content.decode()
    feed = CalendarFeed.objects.get()
    assert response.status_code == 200
    assert "Copy it now: it is shown only once." in html
    start = html.index('id="feed-https"')
    shown = html[start:].split('value="', 1)[1].split('"', 1)[0]
    assert shown.startswith("http")
    assert shown.endswith(".ics")
    raw = shown.rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar.hash_feed_token(raw) == feed.token_hash
    assert 'value="webcal://' in html
    # shown once: the next visit does not show it
    later = pia.get(url).content.decode()
    assert raw not in later
    assert "Last read by a calendar app" in later
    # revoke asks first
    confirm = pia.get(reverse("calendar_revoke"))
    assert "Revoke your calendar address?" in confirm.content.decode()
    assert CalendarFeed.objects.get().revoked_at is None
    done = pia.post(reverse("calendar_revoke"), follow=True)
    assert "Your calendar address is revoked" in done.content.decode()
    assert CalendarFeed.objects.get().revoked_at is not None
    assert calendar.feed_user(raw) is None


@pytest.mark.django_db
def test_the_calendar_page_needs_sign_in(client):
    response = client.get(reverse("calendar_settings"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_one_meeting_downloads_as_an_ics_file(peer, world, signed_in, other_tenant):
    meeting = make_meeting(peer.engagement, peer.pia, soon(), stage_notes=[SECRET_MINUTES])
    url = reverse("meeting_ics", args=[peer.engagement.pk, meeting.pk])
    sue = signed_in(peer.sue)  # the sponsor sees the meeting (metadata), not the minutes
    response = sue.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'
    (event,) = events_of(response.content)
    assert str(event["UID"]) == f"{meeting.uid}@coachloop"
    assert SECRET_MINUTES.encode() not in response.content
    # wrong engagement in the address, or someone who does not see it: 404
    assert sue.get(reverse("meeting_ics", args=[other_tenant.pk, meeting.pk])).status_code == 404
    ben = signed_in(world.ben)
    assert ben.get(url).status_code == 404


@pytest.mark.django_db
def test_the_api_makes_reports_and_revokes_the_feed(peer, signed_in):
    pia = signed_in(peer.pia)
    status = pia.get("/api/me/calendar").json()
    assert status == {"exists": False, "created_at": None, "last_used_at": None}
    made = pia.post("/api/me/calendar", content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["webcal_url"].startswith("webcal://")
    raw = body["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar.feed_user(raw) == peer.pia
    status = pia.get("/api/me/calendar").json()
    assert status["exists"] is True
    assert status["created_at"]
    assert raw not in str(status)
    assert pia.delete("/api/me/calendar").status_code == 204
    assert pia.get("/api/me/calendar").json()["exists"] is False
    assert calendar.feed_user(raw) is None


@pytest.mark.django_db
def test_a_member_of_another_tenant_never_sees_pias_meetings_through_their_feed(world, peer):
    """Ben (district B) invited to a meeting of the peer team gets nothing: he does not see it."""
    outsider = UserFactory(email="out@b.test")
    MembershipFactory(user=outsider, organisation=world.pine, role=Role.TEACHER)
    meeting = make_meeting(peer.engagement, peer.pia, soon(), invited=[peer.pia, outsider])
    assert events_of(calendar.feed_bytes(outsider)[0]) == []
    assert len(events_of(calendar.feed_bytes(peer.pia)[0])) == 1
    assert meeting.pk
