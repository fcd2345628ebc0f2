"""Time actually spent per agenda stage, from the live guide's record, rolled up per programme,
month, meeting type and stage when a meeting is recorded as held. The programme's cycle report
reads the roll-ups: a year of a large programme is a few dozen rows, not every meeting's guide.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coachloop.meetings.models import Meeting, MeetingStatus, StageTimeMonth

#: the spread's buckets: medians are exact to this many seconds
BUCKET = 10


@dataclass(frozen=True)
class Timing:
    position: int
    title: str
    planned_minutes: int
    spent_seconds: int
    extra_minutes: int
    skipped: bool


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def timings(agenda: Any, guide: Any) -> list[Timing]:
    """The stages a meeting's guide timed. The guide holds one entry per agenda stage
    ({"spent": seconds, "extra": minutes, "skipped": bool, "visited": bool}); anything missing
    or malformed, and a stage the guide never reached, counts as no data."""
    stages = guide.get("stages") if isinstance(guide, dict) else None
    if not isinstance(agenda, list) or not isinstance(stages, list):
        return []
    out = []
    for index, stage in enumerate(agenda):
        if index >= len(stages) or not isinstance(stage, dict):
            break
        timing = stages[index]
        if not isinstance(timing, dict):
            continue
        seconds = timing.get("spent")
        if not _number(seconds) or seconds < 0:
            continue
        skipped = timing.get("skipped") is True
        if timing.get("visited") is False and not skipped and seconds == 0:
            continue  # never reached
        planned = stage.get("minutes")
        extra = timing.get("extra")
        out.append(
            Timing(
                position=index,
                title=str(stage.get("title") or f"Stage {index + 1}")[:500],
                planned_minutes=int(planned) if _number(planned) and planned >= 0 else 0,
                spent_seconds=round(seconds),
                extra_minutes=int(extra) if _number(extra) and extra >= 0 else 0,
                skipped=skipped,
            )
        )
    return out


def _month_of(meeting: Meeting) -> datetime.date:
    return timezone.localdate(meeting.held_at or meeting.starts_at).replace(day=1)


def _bucket(seconds: int) -> str:
    return str(round(seconds / BUCKET) * BUCKET)


@transaction.atomic
def count_held(meeting: Meeting) -> None:
    """Add a held meeting's stage timings to its programme's roll-ups (call once per meeting:
    the meetings service does, the first time a meeting is recorded as held)."""
    found = timings(meeting.agenda, meeting.guide)
    if not found:
        return
    programme = meeting.engagement.programme
    month = _month_of(meeting)
    for t in found:
        key = {
            "programme_id": programme.pk,
            "month": month,
            "meeting_type": meeting.meeting_type,
            "position": t.position,
            "title": t.title,
        }
        StageTimeMonth.objects.get_or_create(
            **key, defaults={"organisation_id": programme.organisation_id}
        )
        row = StageTimeMonth.objects.select_for_update().get(**key)
        add_timing(row, t)
        row.save()


def add_timing(row: StageTimeMonth, t: Timing) -> None:
    row.meetings += 1
    row.planned_minutes += t.planned_minutes
    row.spent_seconds += t.spent_seconds
    row.extra_minutes += t.extra_minutes
    row.skipped += int(t.skipped)
    bucket = _bucket(t.spent_seconds)
    row.spread = {**row.spread, bucket: int(row.spread.get(bucket, 0)) + 1}


@transaction.atomic
def rebuild(programme_ids: Iterable[int] | None = None) -> int:
    """Count again, from every held meeting (after a bulk load or a restore); returns the number
    of roll-up rows written."""
    meetings = Meeting.objects.filter(status=MeetingStatus.HELD).exclude(guide={})
    rows = StageTimeMonth.objects.all()
    if programme_ids is not None:
        ids = list(programme_ids)
        meetings = meetings.filter(engagement__programme_id__in=ids)
        rows = rows.filter(programme_id__in=ids)
    rows.delete()
    totals: dict[tuple[int, datetime.date, str, int, str], StageTimeMonth] = {}
    found = (
        meetings.only("meeting_type", "agenda", "guide", "held_at", "starts_at")
        .annotate(
            programme=F("engagement__programme_id"),
            programme_org=F("engagement__programme__organisation_id"),
        )
        .iterator(chunk_size=2000)
    )
    for meeting in found:
        programme: int = meeting.programme
        for t in timings(meeting.agenda, meeting.guide):
            key = (programme, _month_of(meeting), meeting.meeting_type, t.position, t.title)
            row = totals.get(key)
            if row is None:
                row = totals[key] = StageTimeMonth(
                    organisation_id=meeting.programme_org,
                    programme_id=key[0],
                    month=key[1],
                    meeting_type=key[2],
                    position=key[3],
                    title=key[4],
                )
            add_timing(row, t)
    StageTimeMonth.objects.bulk_create(totals.values(), batch_size=500)
    return len(totals)
