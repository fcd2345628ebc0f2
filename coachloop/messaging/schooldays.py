"""School time: how much of an interval falls on school days, and when an agreed number of school
days runs out (seed 003: responding "within a mutually determined number of days").

A school day is a whole calendar day, in the calendar's time zone, whose ISO weekday is one of the
calendar's weekdays and which is not a holiday. School time between two moments is the part of
the interval that lies on school days, in seconds; "2 school days" is 2 x 86,400 seconds of school
time. A question asked on Friday at 15:00 and answered on Monday at 09:00 took 9 + 9 = 18 hours of
school time (0.75 school days) when Saturday and Sunday are not school days.

Every organisation uses the nearest calendar on its path to the root (a district's calendar
serves its schools) and the holidays of every organisation on that path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from coachloop.organisations.models import Holiday, Organisation, SchoolCalendar

DAY = 86_400
#: Monday to Friday, when no calendar on an organisation's path says otherwise
DEFAULT_WEEKDAYS = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True)
class Calendar:
    weekdays: frozenset[int]
    holidays: frozenset[dt.date]
    zone: ZoneInfo

    def is_school_day(self, day: dt.date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays


def default_calendar() -> Calendar:
    return Calendar(DEFAULT_WEEKDAYS, frozenset(), ZoneInfo(settings.TIME_ZONE))


def calendar_for(organisation: Organisation) -> Calendar:
    """The calendar in force at `organisation`: the nearest SchoolCalendar on its path, with the
    holidays of every organisation on the path."""
    ids = organisation.ancestor_ids() or [organisation.pk]
    calendars = {
        c.organisation_id: c for c in SchoolCalendar.objects.filter(organisation_id__in=ids)
    }
    holidays = Holiday.objects.filter(organisation_id__in=ids).values_list("date", flat=True)
    return build(ids, calendars, holidays)


def build(
    path_ids: list[int], calendars: dict[int, SchoolCalendar], holidays: Iterable[dt.date]
) -> Calendar:
    """A calendar from rows already read (for batches: one read for many organisations)."""
    nearest = next((calendars[i] for i in reversed(path_ids) if i in calendars), None)
    weekdays = DEFAULT_WEEKDAYS
    zone = ZoneInfo(settings.TIME_ZONE)
    if nearest is not None:
        if nearest.weekdays:
            weekdays = frozenset(int(d) for d in nearest.weekdays)
        if nearest.time_zone:
            zone = ZoneInfo(nearest.time_zone)
    return Calendar(weekdays, frozenset(holidays), zone)


def _day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Local midnight as a UTC instant (arithmetic on aware datetimes that share a ZoneInfo is
    wall-clock arithmetic, wrong across a clock change, so all of it is done in UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def working_seconds(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> int:
    """Seconds of school time in [start, end); 0 when end is not after start."""
    if end <= start:
        return 0
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    zone = calendar.zone
    local_start = start.astimezone(zone)
    day = local_start.date()
    last = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        if calendar.is_school_day(day):
            begin = max(start, _day_start(day, zone))
            finish = min(end, _day_start(day + dt.timedelta(days=1), zone))
            if finish > begin:
                total += (finish - begin).total_seconds()
        day += dt.timedelta(days=1)
    return int(total)


def add_working(start: dt.datetime, seconds: int, calendar: Calendar) -> dt.datetime:
    """The moment at which `seconds` of school time have passed since `start`. With no school day
    in the next ten years, raises ValueError (a calendar with every day a holiday)."""
    if seconds <= 0:
        return start
    start = start.astimezone(dt.UTC)
    zone = calendar.zone
    day = start.astimezone(zone).date()
    left = float(seconds)
    for _ in range(3660):
        if calendar.is_school_day(day):
            begin = max(start, _day_start(day, zone))
            finish = _day_start(day + dt.timedelta(days=1), zone)
            available = (finish - begin).total_seconds()
            if available >= left:
                return begin + dt.timedelta(seconds=left)
            left -= max(available, 0)
        day += dt.timedelta(days=1)
    raise ValueError("This calendar has no school day in the next ten years.")
