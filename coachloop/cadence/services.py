"""Checking the cadence and storing it on the engagement (`cadence_status`, `cadence_reasons`,
`cadence_checked_at`), so that the programme's overview is one filtered query.

- `refresh(engagement)`: one engagement, whenever one of its meetings is scheduled, moved,
  cancelled or held (the receivers in `CadenceConfig.ready`).
- `refresh_all()`: every active engagement whose playbook has cadence rules, daily (at risk
  depends on the date) and after bulk loads: a constant number of queries per batch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from coachloop.cadence import rules
from coachloop.cadence.rules import Session
from coachloop.engagements.models import CadenceStatus, Engagement, EngagementStatus
from coachloop.meetings.models import Meeting
from coachloop.meetings.times import stored_zone
from coachloop.playbooks.models import PlaybookVersion
from coachloop.playbooks.schema import CadenceSpec

FIELDS = ["cadence_status", "cadence_reasons", "cadence_checked_at"]


def spec_of(engagement: Engagement) -> CadenceSpec | None:
    """The engagement's cadence rules (from the playbook version it started with), if any."""
    spec = engagement.spec
    cadence = spec.cadence if spec is not None else None
    return cadence if rules.has_rules(cadence) else None


def end_of(engagement: Engagement) -> datetime.date | None:
    """The last day the cadence is checked for: the engagement's end, or its completion."""
    ends_on = engagement.ends_on
    if engagement.status == EngagementStatus.COMPLETED and engagement.completed_at is not None:
        done = timezone.localdate(engagement.completed_at)
        ends_on = min(ends_on, done) if ends_on is not None else done
    return ends_on


def _session(starts_at: datetime.datetime, tz: str, mode: str, status: str) -> Session:
    return Session(rules.local_date(starts_at, tz), mode, status)


def verdict_for(
    engagement: Engagement,
    spec: CadenceSpec | None,
    sessions: Iterable[Session],
    today: datetime.date,
) -> rules.Verdict:
    ends_on = end_of(engagement)
    if engagement.status == EngagementStatus.COMPLETED and ends_on is not None:
        # a completed engagement is checked up to its end, never at risk
        today = max(today, ends_on + datetime.timedelta(days=1))
    return rules.evaluate(
        spec, list(sessions), starts_on=engagement.starts_on, ends_on=ends_on, today=today
    )


def _apply(engagement: Engagement, verdict: rules.Verdict, now: datetime.datetime) -> None:
    engagement.cadence_status = verdict.status
    engagement.cadence_reasons = verdict.reasons
    engagement.cadence_checked_at = now


@transaction.atomic
def refresh(engagement: Engagement, today: datetime.date | None = None) -> rules.Verdict:
    """Check one engagement's cadence now and store it (its counted meetings in one query)."""
    today = today or timezone.localdate()
    spec = spec_of(engagement)
    sessions: list[Session] = []
    if spec is not None:
        meetings = Meeting.objects.filter(engagement=engagement)
        if spec.meeting_types:
            meetings = meetings.filter(meeting_type__in=spec.meeting_types)
        sessions = [
            _session(*row)
            for row in meetings.order_by("starts_at", "id").values_list(
                "starts_at", "time_zone", "mode", "status"
            )
        ]
    verdict = verdict_for(engagement, spec, sessions, today)
    _apply(engagement, verdict, timezone.now())
    engagement.save(update_fields=FIELDS)
    return verdict


#: the parsed rules by the definition's digest (a version never changes once made, and the
#: digest names its content), so a definition is read and parsed once per process
_SPECS: dict[str, CadenceSpec | None] = {}


def cadence_specs() -> dict[int, CadenceSpec]:
    """Every playbook version that has cadence rules, by id, with its rules: one query for the
    ids and digests; a definition is read and parsed only the first time its digest is seen."""
    found = list(
        PlaybookVersion.objects.filter(definition__has_key="cadence")
        .exclude(definition__cadence=None)
        .values_list("pk", "digest")
    )
    missing = [pk for pk, digest in found if digest not in _SPECS]
    if missing:
        versions = PlaybookVersion.objects.filter(pk__in=missing).only("pk", "digest", "definition")
        for version in versions:
            cadence = version.spec.cadence
            _SPECS[version.digest] = cadence if cadence and rules.has_rules(cadence) else None
    return {pk: spec for pk, digest in found if (spec := _SPECS.get(digest)) is not None}


def refresh_all(today: datetime.date | None = None, batch: int = 500) -> int:
    """Check every active engagement whose playbook has cadence rules; returns how many.

    In batches of `batch` engagements (by id), each with three queries whatever its size: the
    engagements, all their meetings, one bulk update; each batch in its own transaction."""
    today = today or timezone.localdate()
    specs = cadence_specs()
    if not specs:
        return 0
    engagements = (
        Engagement.objects.filter(status=EngagementStatus.ACTIVE, playbook_version__in=list(specs))
        .only("pk", "starts_on", "ends_on", "status", "completed_at", "playbook_version_id")
        .order_by("pk")
    )
    done = 0
    last = 0
    while True:
        chunk = list(engagements.filter(pk__gt=last)[:batch])
        if not chunk:
            return done
        last = chunk[-1].pk
        _refresh_batch(chunk, specs, today)
        done += len(chunk)


@transaction.atomic
def _refresh_batch(
    chunk: list[Engagement], specs: dict[int, CadenceSpec], today: datetime.date
) -> None:
    rows = (
        Meeting.objects.filter(engagement_id__in=[e.pk for e in chunk])
        .order_by("engagement_id", "starts_at", "id")
        .values_list("engagement_id", "meeting_type", "starts_at", "time_zone", "mode", "status")
    )
    by_engagement: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        by_engagement[row[0]].append(row)
    now = timezone.now()
    for engagement in chunk:
        assert engagement.playbook_version_id is not None
        spec = specs[engagement.playbook_version_id]
        types = set(spec.meeting_types)
        sessions = []
        for _pk, kind, starts_at, tz, mode, status in by_engagement.get(engagement.pk, ()):
            if types and kind not in types:
                continue
            sessions.append(Session(rules.local_date(starts_at, stored_zone(tz)), mode, status))
        _apply(engagement, verdict_for(engagement, spec, sessions, today), now)
    Engagement.objects.bulk_update(chunk, FIELDS)


def status_label(status: str) -> str:
    """The status as words ("Off track"), for pages and exports."""
    return str(CadenceStatus(status).label) if status in CadenceStatus.values else status
