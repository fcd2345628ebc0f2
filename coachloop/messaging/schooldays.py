"""School time: how much of an interval falls on school days, and when an agreed number of school
days runs out (seed 003: responding "within a mutually determined number of days").

A school day is a whole calendar day, in the calendar's time zone, whose ISO weekday is one of the
calendar's weekdays and which is not a holiday. School time between two moments is the part of
the interval that lies on school days, in seconds; "2 school days" is 2 x 86,400 seconds of school
time. A question asked on Friday at 15:00 and answered on Monday at 09:00 took 9 + 9 = 18 hours of
school time (0.75 school days) when Saturday and Sunday are not school days.

Every organisation uses the nearest calendar on its path to the root (a district's calendar
serves its schools) and the holidays of every organisation on that path.

Moments are counted to the whole second (a fraction of a second is dropped), so school time is
exactly additive: the school time from a to b plus that from b to c is the school time from a to c.
All arithmetic is done on UTC instants: a day across a clock change is 23 or 25 hours long, and
all of it counts when it is a school day.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings

from coachloop.organisations.models import Holiday, Organisation, SchoolCalendar

DAY = 86_400
#: Monday to Friday, when no calendar on an organisation's path says otherwise
DEFAULT_WEEKDAYS = frozenset({1, 2, 3, 4, 5})
#: how far ahead `add_working` looks for school days before giving up
HORIZON_DAYS = 3660

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SECOND = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Calendar:
    weekdays: frozenset[int]
    holidays: frozenset[dt.date]
    zone: ZoneInfo

    def is_school_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays


def server_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def zone_or_none(name: str) -> ZoneInfo | None:
    """The time zone called `name` (an IANA name such as Europe/London), None when unknown."""
    name = (name or "").strip()
    if not name or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_choices() -> list[str]:
    return sorted(_zone_names())


def default_calendar() -> Calendar:
    return Calendar(DEFAULT_WEEKDAYS, frozenset(), server_zone())


def calendar_for(organisation: Organisation) -> Calendar:
    """The calendar in force at `organisation`: the nearest SchoolCalendar on its path, with the
    holidays of every organisation on the path."""
    ids = organisation.ancestor_ids() or [organisation.pk]
    calendars = {
        c.organisation_id: c for c in SchoolCalendar.objects.filter(organisation_id__in=ids)
    }
    holidays = Holiday.objects.filter(organisation_id__in=ids).values_list("date", flat=True)
    return build(ids, calendars, holidays)


def calendars_for(organisations: Iterable[Organisation]) -> dict[int, Calendar]:
    """The calendars in force at several organisations, in two queries, by organisation id."""
    paths = {o.pk: (o.ancestor_ids() or [o.pk]) for o in organisations}
    ids = {i for path in paths.values() for i in path}
    calendars = {
        c.organisation_id: c for c in SchoolCalendar.objects.filter(organisation_id__in=ids)
    }
    days: dict[int, list[dt.date]] = {}
    for org_id, day in Holiday.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "date"
    ):
        days.setdefault(org_id, []).append(day)
    return {
        pk: build(path, calendars, (d for i in path for d in days.get(i, ())))
        for pk, path in paths.items()
    }


def in_force(path_ids: list[int], calendars: dict[int, SchoolCalendar]) -> SchoolCalendar | None:
    """The nearest calendar on a path (root first), the one that decides weekdays and zone."""
    return next((calendars[i] for i in reversed(path_ids) if i in calendars), None)


def build(
    path_ids: list[int], calendars: dict[int, SchoolCalendar], holidays: Iterable[dt.date]
) -> Calendar:
    """A calendar from rows already read (for batches: one read for many organisations)."""
    nearest = in_force(path_ids, calendars)
    weekdays = DEFAULT_WEEKDAYS
    zone = server_zone()
    if nearest is not None:
        chosen = frozenset(int(d) for d in nearest.weekdays or () if 1 <= int(d) <= 7)
        if chosen:
            weekdays = chosen
        zone = zone_or_none(nearest.time_zone) or zone
    return Calendar(weekdays, frozenset(holidays), zone)


# --- Arithmetic on whole seconds since the epoch -----------------------------------------------


def _seconds(moment: dt.datetime) -> int:
    """Whole seconds since the epoch (a fraction is dropped; exact, no float rounding)."""
    if moment.tzinfo is None:
        raise ValueError("School time needs aware datetimes.")
    return (moment - _EPOCH) // _SECOND


def _moment(seconds: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=seconds)


@functools.lru_cache(maxsize=65_536)
def _day_start(day: dt.date, zone: ZoneInfo) -> int:
    """Local midnight of `day` as seconds since the epoch. Where midnight does not exist (a clock
    change at midnight) the day starts at the change; where it happens twice, at the first."""
    return _seconds(dt.datetime.combine(day, dt.time(), tzinfo=zone))


def _local_day(seconds: int, zone: ZoneInfo) -> dt.date:
    return _moment(seconds).astimezone(zone).date()


def day_seconds(day: dt.date, zone: ZoneInfo) -> int:
    """How long a local day is (86,400, or 82,800 and 90,000 across a clock change)."""
    return _day_start(day + dt.timedelta(days=1), zone) - _day_start(day, zone)


def working_seconds(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> int:
    """Seconds of school time in [start, end); 0 when end is not after start."""
    a, b = _seconds(start), _seconds(end)
    if b <= a:
        return 0
    zone = calendar.zone
    day = _local_day(a, zone)
    last = _local_day(b, zone)
    total = 0
    while day <= last:
        if calendar.is_school_day(day):
            begin = max(a, _day_start(day, zone))
            finish = min(b, _day_start(day + dt.timedelta(days=1), zone))
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return total


def add_working(start: dt.datetime, seconds: int, calendar: Calendar) -> dt.datetime:
    """The last moment at which no more than `seconds` of school time have passed since `start`
    (UTC, to the whole second): an answer at or before it is within the agreement, one after it is
    late. When the time runs out at the end of a school day, that is the start of the next school
    day (the evening, weekend and holidays in between cost nothing). With no school day within
    HORIZON_DAYS, raises ValueError (a calendar with every day a holiday)."""
    if seconds <= 0:
        return start
    a = _seconds(start)
    zone = calendar.zone
    day = _local_day(a, zone)
    left = seconds
    used_up = False
    for _ in range(HORIZON_DAYS):
        if calendar.is_school_day(day):
            begin = max(a, _day_start(day, zone))
            if used_up:
                return _moment(begin)
            finish = _day_start(day + dt.timedelta(days=1), zone)
            available = max(finish - begin, 0)
            if available > left:
                return _moment(begin + left)
            left -= available
            used_up = left == 0
        day += dt.timedelta(days=1)
    raise ValueError("This calendar has no school day in the next ten years.")
