"""Meetings in people's calendars: iCalendar (.ics) files for one meeting or a whole feed, and
the private feed addresses (a random token in the URL, of which only the hash is stored).

A calendar entry carries metadata only: when, how long, where or the video link, which
engagement and a link to the meeting's page. Never the minutes, notes or agenda notes: calendar
entries end up in other systems, on phones and in shared calendars.

Each meeting keeps one UID for ever (`<meeting.uid>@coachloop`); rescheduling or cancelling
raises its SEQUENCE (the meetings services do), so calendar clients update the entry in place,
and a cancelled meeting stays in the feed with STATUS:CANCELLED so that clients remove it."""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vText

from coachloop.access import audit, policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.meetings import times
from coachloop.meetings.models import CalendarFeed, Meeting, MeetingStatus

PRODID = "-//Coachloop//Coachloop//EN"
#: a feed shows meetings from this many days ago onwards (cancelled ones included)
FEED_PAST_DAYS = 90
#: and at most this many meetings
FEED_LIMIT = 2000
#: last_used_at is written at most this often
FEED_TOUCH_EVERY = datetime.timedelta(hours=1)
#: SUMMARY, LOCATION and DESCRIPTION are cut to this many characters
TEXT_LIMIT = 1000


def site_url() -> str:
    return str(settings.COACHLOOP_SITE_URL).rstrip("/")


def _text(value: str) -> str:
    """Text as it goes into the calendar: no NUL or other control characters a client might
    choke on (newlines and tabs are kept; icalendar escapes them), no U+FEFF (an invisible
    byte-order mark, which icalendar drops at the start of a value, so a title beginning with
    one would change on the way), and limited in length."""
    cleaned = "".join(ch for ch in value if ch in "\n\t" or (ch >= " " and ch not in "\x7f\ufeff"))
    return cleaned[:TEXT_LIMIT]


def meeting_url(meeting: Meeting, base_url: str) -> str:
    return base_url.rstrip("/") + meeting.get_absolute_url()


def meeting_summary(meeting: Meeting) -> str:
    """The entry's title: the meeting's title and the engagement's."""
    return _text(f"{meeting.title} ({meeting.engagement.title})")


def meeting_event(meeting: Meeting, site_url: str) -> Event:
    """One meeting as a VEVENT (the meeting's engagement should be selected with it)."""
    zone = times.stored_zone(meeting.time_zone)
    page = meeting_url(meeting, site_url)
    where = meeting.location or meeting.link
    event = Event()
    event.add("uid", f"{meeting.uid}@coachloop")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    event.add("created", meeting.created_at.astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting_summary(meeting))
    if where:
        event.add("location", _text(where))
    event.add("url", page)
    lines = [str(meeting.get_mode_display())]
    if meeting.location:
        lines.append(_("Where: %s") % meeting.location)
    if meeting.link:
        lines.append(_("Video link: %s") % meeting.link)
    if meeting.status == MeetingStatus.CANCELLED:
        lines.append(_("This meeting is cancelled."))
    lines.append(_("Meeting page: %s") % page)
    event.add("description", _text("\n".join(lines)))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("class", "PRIVATE")
    return event


@functools.lru_cache(maxsize=128)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone | None:
    """The VTIMEZONE for a zone between two years (cached: working it out takes a moment)."""
    try:
        return Timezone.from_tzid(
            tzid,
            first_date=datetime.date(first_year, 1, 1),
            last_date=datetime.date(last_year, 1, 1),
        )
    except ValueError:
        return None


def _row(meeting: Meeting) -> tuple[object, ...]:
    """Everything a meeting's calendar entry shows, in `FEED_VALUES` order: the entry is built
    again when one of them changes."""
    return tuple(
        meeting.engagement.title if name == "engagement__title" else getattr(meeting, name)
        for name in FEED_VALUES
    )


def _meeting_of(row: tuple[object, ...]) -> Meeting:
    """A meeting (with its engagement's title) from a row of `FEED_VALUES`, to build its entry."""
    values = dict(zip(FEED_VALUES, row, strict=True))
    title = values.pop("engagement__title")
    meeting = Meeting(**values)
    meeting.engagement = Engagement(pk=meeting.engagement_id, title=str(title))
    return meeting


def _event_key(row: tuple[object, ...], head: str) -> str:
    digest = hashlib.sha256((head + repr(row)).encode()).hexdigest()
    return f"calendar-event:{digest[:40]}"


def events_ical(rows: list[tuple[object, ...]], base: str) -> list[bytes]:
    """Each meeting's VEVENT as text, from its row of `FEED_VALUES`. icalendar takes a few
    milliseconds per event, so each one is kept in the cache under a digest of what it shows: a
    feed whose meetings did not change is joined from the cache, and a change builds only the
    entries that changed."""
    head = repr((FEED_FORMAT, base, translation.get_language() or ""))
    keys = [_event_key(row, head) for row in rows]
    found = cache.get_many(keys)
    built: dict[str, bytes] = {}
    out = []
    for row, key in zip(rows, keys, strict=True):
        text = found.get(key)
        if not isinstance(text, bytes):
            text = bytes(meeting_event(_meeting_of(row), base).to_ical())
            built[key] = text
        out.append(text)
    if built:
        cache.set_many(built, FEED_CACHE_SECONDS * 24)
    return out


END = b"END:VCALENDAR\r\n"


def calendar_bytes(meetings: Iterable[Meeting], *, name: str, base_url: str | None = None) -> bytes:
    """A VCALENDAR with each meeting as an event and a VTIMEZONE for every zone they use."""
    return rows_calendar([_row(m) for m in meetings], name=name, base_url=base_url)


def rows_calendar(
    rows: list[tuple[object, ...]], *, name: str, base_url: str | None = None
) -> bytes:
    """`calendar_bytes` from rows of `FEED_VALUES` (the feed reads plain rows, not models)."""
    base = (base_url or site_url()).rstrip("/")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # one line, and typed as text so that icalendar escapes it (an X- property is not by default)
    title = vText(_text(" ".join(name.split())))
    cal.add("name", title)  # RFC 7986
    cal.add("x-wr-calname", title)  # what Google, Outlook and Apple read
    # how often a client should fetch the feed again (Outlook and Apple read these)
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    years: dict[str, tuple[int, int]] = {}
    for row in rows:
        values = dict(zip(FEED_VALUES, row, strict=True))
        tzid = times.stored_zone(str(values["time_zone"])).key
        if tzid == "UTC":
            continue
        starts = values["starts_at"]
        assert isinstance(starts, datetime.datetime)
        ends = starts + datetime.timedelta(minutes=int(values["minutes"]))  # type: ignore[call-overload]
        first, last = years.get(tzid, (starts.year, ends.year))
        years[tzid] = (min(first, starts.year), max(last, ends.year))
    for tzid, (first, last) in sorted(years.items()):
        vtimezone = _vtimezone(tzid, first - 1, last + 2)
        if vtimezone is not None:
            cal.add_component(vtimezone)
    head = bytes(cal.to_ical())
    assert head.endswith(END)
    return b"".join([head[: -len(END)], *events_ical(rows, base), END])


def ics_filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}.ics"


# --- Feeds ---------------------------------------------------------------------------------------


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_path(raw: str) -> str:
    from django.urls import reverse

    return reverse("calendar_feed", args=[raw])


@dataclass(frozen=True)
class FeedAddress:
    """A new feed's addresses, shown once: https:// and the webcal:// form calendar apps open."""

    https: str
    webcal: str


def feed_address(raw: str) -> FeedAddress:
    url = site_url() + feed_path(raw)
    webcal = "webcal://" + url.split("://", 1)[1]
    return FeedAddress(https=url, webcal=webcal)


def active_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def feed_create(user: User) -> str:
    """Make the user's private feed address and return its raw token, shown once only. Any
    previous address of theirs stops working: one private address per person."""
    now = timezone.now()
    User.objects.select_for_update().filter(pk=user.pk).first()  # one at a time per person
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_feed_token(raw), created_at=now)
    audit.record(
        actor=user,
        action="calendar_feed.create",
        target=feed,
        data={"replaced": revoked},
    )
    return raw


@transaction.atomic
def feed_revoke(user: User) -> bool:
    """End the user's feed address; False when there was none."""
    now = timezone.now()
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    )
    for feed in feeds:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        audit.record(actor=user, action="calendar_feed.revoke", target=feed)
    return bool(feeds)


def feed_lookup(raw: str) -> CalendarFeed | None:
    """The active feed behind a raw token, with its (active) user; None otherwise."""
    if not raw or len(raw) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_feed_token(raw), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed


def feed_user(raw: str) -> User | None:
    """The person whose feed the token opens: None for an unknown, revoked or inactive one."""
    feed = feed_lookup(raw)
    return feed.user if feed is not None else None


def feed_touch(feed: CalendarFeed, *, now: datetime.datetime | None = None) -> None:
    """Record that a calendar app fetched the feed, at most once an hour."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now


def feed_meetings(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """The meetings in a person's feed: those they are invited to, in engagements they still
    take part in, from FEED_PAST_DAYS ago onwards (cancelled ones too, so clients remove them)."""
    since = (now or timezone.now()) - datetime.timedelta(days=FEED_PAST_DAYS)
    return (
        policy.meetings_in_calendar_of(user)
        .filter(starts_at__gte=since)
        .order_by("starts_at", "id")[:FEED_LIMIT]
    )


#: what a calendar entry shows, read as plain rows: not the agenda, minutes or guide (a feed
#: shows none of them, and they are large), and no model objects unless an entry is built
FEED_VALUES = (
    "id",
    "engagement_id",
    "engagement__title",
    "uid",
    "sequence",
    "status",
    "title",
    "starts_at",
    "minutes",
    "time_zone",
    "mode",
    "location",
    "link",
    "updated_at",
    "created_at",
)
UPDATED_AT = FEED_VALUES.index("updated_at")


def feed_rows(user: User, *, now: datetime.datetime | None = None) -> list[tuple[object, ...]]:
    return list(feed_meetings(user, now=now).values_list(*FEED_VALUES))


def feed_name(user: User) -> str:
    return _("Coaching meetings (Coachloop)")


@dataclass
class FeedContent:
    """A feed as served: its ETag (a fingerprint of everything the file shows, known before
    the file is built), when its newest meeting last changed, and the file, built on demand
    and kept in the cache under the fingerprint (so an unchanged feed is not built again)."""

    rows: list[tuple[object, ...]]
    name: str
    base_url: str
    etag: str
    newest: datetime.datetime | None

    def body(self) -> bytes:
        key = "calendar-feed:" + self.etag.strip('"')
        cached = cache.get(key)
        if isinstance(cached, bytes):
            return cached
        body = rows_calendar(self.rows, name=self.name, base_url=self.base_url)
        cache.set(key, body, FEED_CACHE_SECONDS)
        return body


#: bump when the file's layout changes, so that cached files and ETags are renewed
FEED_FORMAT = "2"
FEED_CACHE_SECONDS = 60 * 60


def _fingerprint(rows: list[tuple[object, ...]], name: str, base_url: str) -> str:
    head = (FEED_FORMAT, name, base_url, translation.get_language() or "")
    digest = hashlib.sha256(repr((head, rows)).encode())
    return '"' + digest.hexdigest()[:40] + '"'


def feed_content(user: User, *, now: datetime.datetime | None = None) -> FeedContent:
    """A person's feed (one query for the meetings), ready to compare with a client's ETag."""
    rows = feed_rows(user, now=now)
    name = feed_name(user)
    base = site_url()
    stamps = [row[UPDATED_AT] for row in rows]
    newest = max((s for s in stamps if isinstance(s, datetime.datetime)), default=None)
    return FeedContent(
        rows=rows,
        name=name,
        base_url=base,
        etag=_fingerprint(rows, name, base),
        newest=newest,
    )


def feed_bytes(
    user: User, *, now: datetime.datetime | None = None
) -> tuple[bytes, datetime.datetime | None]:
    """The feed's file and when its newest meeting last changed."""
    content = feed_content(user, now=now)
    return content.body(), content.newest
