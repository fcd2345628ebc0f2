"""The playbook's cadence rules as one pure function: given the sessions of an engagement, is the
team on track, at risk or off track, and why. No database, no clock: the caller passes `today`.

Which sessions: only the meeting types of `cadence.meeting_types` count (every type when it is
empty); the caller filters them before calling. Each session counts in the month of its *local
date*, the date in the time zone the meeting was planned in (`local_date`): a session at 00:30
on 1 November in Sydney counts for November, though it is still 31 October in UTC.

The rules:

- **Sessions per month** (`meetings_per_month_at_least`, N). The months checked run from the
  engagement's start month to the month before `today`; the start month is left out when the
  engagement started after the month's `schedule_by_day` (the team had no fair chance to meet).
  A month with fewer than N sessions *held* is missed.
  - The last month checked missed: **off track** ("No session in October 2026").
  - Earlier missed months are counted (`months_missed`) and listed as history; on their own they
    do not make the engagement off track: a team that met in the months since is on track again.
  - The current month (when it is checked, see above): from `schedule_by_day` onwards, fewer
    than N sessions held or planned in it is **at risk** ("No session scheduled for November
    yet"); before that day it is fine.
- **In person** (`in_person: {at_least: k, of: n}`), over the sessions *held*, in date order:
  - fewer than k in person among the last n: **off track** ("None of the last 3 sessions was
    in person"); with fewer than n sessions held there is no such verdict yet;
  - once at least one and at least n - 1 sessions are held: when the last n - 1 hold fewer than
    k in person, the next session must be in person (`next_in_person_due`); if the next planned
    session (on or after `today`) is not in person, or none is planned: **at risk** ("The next
    session should be in person").
- The status is the worst outcome of the rules (on track < at risk < off track); the reasons
  list each, the worst first, the history last. No rules at all: "none".
- An engagement that has ended (`ends_on` before `today`; the caller passes the completion date
  for a completed one) is checked up to its end and is never at risk: the months checked are the
  complete months up to `ends_on` (its own month only when `ends_on` is that month's last day).
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from coachloop.engagements.models import CadenceStatus
from coachloop.meetings.models import MeetingMode, MeetingStatus
from coachloop.meetings.times import stored_zone
from coachloop.playbooks.schema import CadenceSpec

#: worst last
SEVERITY = {
    CadenceStatus.NONE: 0,
    CadenceStatus.ON_TRACK: 1,
    CadenceStatus.AT_RISK: 2,
    CadenceStatus.OFF_TRACK: 3,
}
#: a reason that is history only (an earlier month missed): it does not set the status
HISTORY = "history"


class Session(NamedTuple):
    """One counted meeting: its date in its own time zone, its mode and its status."""

    local_date: datetime.date
    mode: str
    status: str


@dataclass
class Verdict:
    status: str
    #: [{"code", "message", "level": off_track | at_risk | history, "month"?: "YYYY-MM"}]
    reasons: list[dict[str, Any]] = field(default_factory=list)
    months_missed: int = 0
    next_in_person_due: bool = False


def local_date(starts_at: datetime.datetime, tz: str | ZoneInfo) -> datetime.date:
    """The date an aware datetime falls on in the time zone `tz` (a name or a ZoneInfo)."""
    info = tz if isinstance(tz, ZoneInfo) else stored_zone(tz)
    return starts_at.astimezone(info).date()


def has_rules(spec: CadenceSpec | None) -> bool:
    return spec is not None and (
        spec.meetings_per_month_at_least is not None or spec.in_person is not None
    )


def _month(d: datetime.date) -> tuple[int, int]:
    return d.year, d.month


def _next_month(month: tuple[int, int]) -> tuple[int, int]:
    year, m = month
    return (year + 1, 1) if m == 12 else (year, m + 1)


def _month_name(month: tuple[int, int]) -> str:
    return _month_name_in(get_language(), month)


@functools.lru_cache(maxsize=4096)
def _month_name_in(language: str | None, month: tuple[int, int]) -> str:
    return str(dateformat.format(datetime.date(month[0], month[1], 1), "F Y"))


def _month_key(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def checked_months(
    spec: CadenceSpec,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    today: datetime.date,
) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """The complete months checked, in order, and the current month when it is checked (None
    when the engagement has ended, not yet started, or started this month after the day)."""
    ended = ends_on is not None and ends_on < today
    first = _month(starts_on)
    if starts_on.day > spec.schedule_by_day:
        first = _next_month(first)
    if ended:
        assert ends_on is not None
        # complete months up to the end: the end's own month when it ends on its last day
        stop = _month(ends_on + datetime.timedelta(days=1))
        current = None
    else:
        stop = _month(today)
        current = stop if first <= stop else None
    months: list[tuple[int, int]] = []
    month = first
    while month < stop:
        months.append(month)
        month = _next_month(month)
    return months, current


def _monthly(
    spec: CadenceSpec,
    sessions: Sequence[Session],
    verdict: Verdict,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    today: datetime.date,
) -> None:
    needed = spec.meetings_per_month_at_least
    if needed is None:
        return
    months, current = checked_months(spec, starts_on=starts_on, ends_on=ends_on, today=today)
    held: Counter[tuple[int, int]] = Counter()
    booked: Counter[tuple[int, int]] = Counter()
    for s in sessions:
        if s.status == MeetingStatus.HELD:
            held[_month(s.local_date)] += 1
        if s.status in (MeetingStatus.HELD, MeetingStatus.PLANNED):
            booked[_month(s.local_date)] += 1
    missed = [m for m in months if held[m] < needed]
    verdict.months_missed = len(missed)
    if missed and missed[-1] == months[-1]:
        last = missed[-1]
        verdict.reasons.append(
            {
                "code": "month_missed",
                "level": CadenceStatus.OFF_TRACK.value,
                "month": _month_key(last),
                "message": _missed_message(needed, held[last], last),
            }
        )
        missed = missed[:-1]
    if current is not None and booked[current] < needed and today.day >= spec.schedule_by_day:
        name = str(dateformat.format(datetime.date(*current, 1), "F"))
        if needed == 1:
            message = _("No session scheduled for %(month)s yet") % {"month": name}
        else:
            message = _("Only %(count)d of %(needed)d sessions scheduled for %(month)s yet") % {
                "count": booked[current],
                "needed": needed,
                "month": name,
            }
        verdict.reasons.append(
            {
                "code": "month_unscheduled",
                "level": CadenceStatus.AT_RISK.value,
                "month": _month_key(current),
                "message": message,
            }
        )
    for month in missed:
        verdict.reasons.append(
            {
                "code": "month_missed_earlier",
                "level": HISTORY,
                "month": _month_key(month),
                "message": _missed_message(needed, held[month], month),
            }
        )


def _missed_message(needed: int, count: int, month: tuple[int, int]) -> str:
    return _missed_message_in(get_language(), needed, count, month)


@functools.lru_cache(maxsize=4096)
def _missed_message_in(
    language: str | None, needed: int, count: int, month: tuple[int, int]
) -> str:
    name = _month_name(month)
    if count == 0:
        return _("No session in %(month)s") % {"month": name}
    return ngettext(
        "Only %(count)d of %(needed)d sessions in %(month)s",
        "Only %(count)d of %(needed)d sessions in %(month)s",
        needed,
    ) % {"count": count, "needed": needed, "month": name}


def _in_person(
    spec: CadenceSpec,
    sessions: Sequence[Session],
    verdict: Verdict,
    *,
    ended: bool,
    today: datetime.date,
) -> None:
    rule = spec.in_person
    if rule is None:
        return
    at_least, of = rule.at_least, rule.of
    held = sorted(
        (s for s in sessions if s.status == MeetingStatus.HELD), key=lambda s: s.local_date
    )
    if len(held) >= of:
        last = held[-of:]
        count = sum(1 for s in last if s.mode == MeetingMode.IN_PERSON)
        if count < at_least:
            if count == 0:
                message = ngettext(
                    "The last session was not in person",
                    "None of the last %(of)d sessions was in person",
                    of,
                ) % {"of": of}
            else:
                message = ngettext(
                    "Only %(count)d of the last %(of)d sessions was in person; "
                    "at least %(at_least)d should be",
                    "Only %(count)d of the last %(of)d sessions were in person; "
                    "at least %(at_least)d should be",
                    count,
                ) % {"count": count, "of": of, "at_least": at_least}
            verdict.reasons.append(
                {"code": "in_person", "level": CadenceStatus.OFF_TRACK.value, "message": message}
            )
    if held and len(held) >= of - 1:
        window = held[len(held) - (of - 1) :] if of > 1 else []
        if sum(1 for s in window if s.mode == MeetingMode.IN_PERSON) < at_least:
            verdict.next_in_person_due = True
            planned = sorted(
                (
                    s
                    for s in sessions
                    if s.status == MeetingStatus.PLANNED and s.local_date >= today
                ),
                key=lambda s: s.local_date,
            )
            if not ended and (not planned or planned[0].mode != MeetingMode.IN_PERSON):
                verdict.reasons.append(
                    {
                        "code": "in_person_next",
                        "level": CadenceStatus.AT_RISK.value,
                        "message": _("The next session should be in person"),
                    }
                )


def evaluate(
    spec: CadenceSpec | None,
    meetings: Sequence[Session],
    *,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    today: datetime.date,
) -> Verdict:
    """The engagement's cadence on `today` (see the module's docstring for the rules)."""
    if spec is None or not has_rules(spec):
        return Verdict(status=CadenceStatus.NONE.value)
    verdict = Verdict(status=CadenceStatus.ON_TRACK.value)
    ended = ends_on is not None and ends_on < today
    _monthly(spec, meetings, verdict, starts_on=starts_on, ends_on=ends_on, today=today)
    _in_person(spec, meetings, verdict, ended=ended, today=today)
    order = {CadenceStatus.OFF_TRACK.value: 0, CadenceStatus.AT_RISK.value: 1, HISTORY: 2}
    verdict.reasons.sort(key=lambda r: order[r["level"]])
    for reason in verdict.reasons:
        level = reason["level"]
        if (
            level != HISTORY
            and SEVERITY[CadenceStatus(level)] > SEVERITY[CadenceStatus(verdict.status)]
        ):
            verdict.status = level
    return verdict
