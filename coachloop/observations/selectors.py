"""Reads for observations, always through the policy: the history of an engagement's
observations with filters (for pages, API and exports alike), and per action step how often each
success criterion was seen or not yet, observation by observation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep
from coachloop.engagements.models import Engagement
from coachloop.observations.models import Evidence, Observation, ObservationStatus
from coachloop.observations.services import criteria_of

EVIDENCE_FILTERS = ("", "for", "against")
STATUS_FILTERS = ("", ObservationStatus.DRAFT.value, ObservationStatus.FINAL.value)


@dataclass
class HistoryFilters:
    action_step: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    #: "for" or "against": only observations with at least one moment of that evidence
    evidence: str = ""
    #: "draft" (the user's own drafts) or "final"
    status: str = ""

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters, for links (export, pages)."""
        out = {}
        if self.action_step:
            out["action_step"] = str(self.action_step)
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        if self.evidence:
            out["evidence"] = self.evidence
        if self.status:
            out["status"] = self.status
        return out


def _has_evidence(kind: str) -> Q:
    """Observations with a moment of this evidence. PostgreSQL asks jsonb containment; other
    databases search the stored JSON text, where `"evidence": "for"` can only be the key and
    value (quotes inside a note are escaped)."""
    if connection.features.supports_json_field_contains:
        return Q(moments__contains=[{"evidence": kind}])
    return Q(moments_text__contains=f'"evidence": "{kind}"')


def observation_history(
    *, user: User, engagement: Engagement, filters: HistoryFilters | None = None
) -> QuerySet[Observation]:
    """The engagement's observations the user may read (finished ones at their visibility, and
    their own drafts), newest first, filtered."""
    filters = filters or HistoryFilters()
    rows = (
        policy.observations_visible_to(user)
        .filter(engagement=engagement)
        .select_related("action_step", "author", "coachee")
    )
    if filters.action_step:
        rows = rows.filter(action_step_id=filters.action_step)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = datetime.datetime.combine(filters.date_from, datetime.time.min, tzinfo=tz)
        rows = rows.filter(started_at__gte=start)
    if filters.date_to:
        end = datetime.datetime.combine(
            filters.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        rows = rows.filter(started_at__lt=end)
    if filters.evidence in ("for", "against"):
        if not connection.features.supports_json_field_contains:
            rows = rows.annotate(moments_text=Cast("moments", TextField()))
        rows = rows.filter(_has_evidence(filters.evidence))
    if filters.status == ObservationStatus.DRAFT:
        rows = rows.filter(status=ObservationStatus.DRAFT, author=user)
    elif filters.status == ObservationStatus.FINAL:
        rows = rows.filter(status=ObservationStatus.FINAL)
    return rows.order_by("-started_at", "-id")


def evidence_counts(observation: Observation) -> tuple[int, int]:
    """(moments of evidence for, moments of evidence against) of one observation."""
    seen = not_yet = 0
    for moment in observation.moments or []:
        if not isinstance(moment, dict):
            continue
        if moment.get("evidence") == Evidence.FOR:
            seen += 1
        elif moment.get("evidence") == Evidence.AGAINST:
            not_yet += 1
    return seen, not_yet


def with_step_access(user: User, rows: QuerySet[Observation]) -> QuerySet[Observation]:
    """Annotate `step_readable`: whether the user may read each observation's action step (an
    observation can be shared more widely than its step, whose title and criteria then stay
    hidden)."""
    readable = policy.action_steps_visible_to(user).filter(pk=OuterRef("action_step_id"))
    return rows.annotate(step_readable=Exists(readable))


def observation_or_404(user: User, engagement: Engagement, pk: int) -> Observation:
    """One observation of the engagement the user may read (drafts: their own), or 404."""
    found = (
        with_step_access(user, policy.observations_visible_to(user))
        .filter(engagement=engagement, pk=pk)
        .select_related("action_step", "author", "coachee")
        .first()
    )
    if found is None:
        raise Http404
    found.engagement = engagement
    return found


def readable_steps(user: User, observations: list[Observation]) -> set[int]:
    """The ids of these observations' action steps that the user may read: an observation can be
    shared more widely than its action step, whose title and criteria then stay hidden."""
    ids = {o.action_step_id for o in observations if o.action_step_id}
    if not ids:
        return set()
    return set(policy.action_steps_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def visible_steps_for(user: User, engagement: Engagement) -> QuerySet[ActionStep]:
    """The engagement's action steps the user may read, for the history filter."""
    return (
        policy.action_steps_visible_to(user)
        .filter(engagement=engagement)
        .order_by("-started_on", "-id")
    )


# --- Evidence per success criterion -------------------------------------------------------------


@dataclass
class EvidenceRow:
    observation: Observation
    date: datetime.date
    #: per criterion: (seen, not yet)
    cells: list[tuple[int, int]]


@dataclass
class CriterionTotal:
    index: int
    text: str
    seen: int = 0
    not_yet: int = 0
    #: in how many observations the criterion was seen at least once
    observations_seen: int = 0

    @property
    def share_seen(self) -> int | None:
        """Percent of the tagged moments that were "seen"."""
        total = self.seen + self.not_yet
        return round(100 * self.seen / total) if total else None


@dataclass
class CriteriaStats:
    action_step: ActionStep
    criteria: list[str]
    rows: list[EvidenceRow] = field(default_factory=list)
    totals: list[CriterionTotal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "action_step_id": self.action_step.pk,
            "criteria": [
                {
                    "index": t.index,
                    "text": t.text,
                    "seen": t.seen,
                    "not_yet": t.not_yet,
                    "observations_seen": t.observations_seen,
                }
                for t in self.totals
            ],
            "observations": [
                {
                    "id": r.observation.pk,
                    "date": r.date,
                    "cells": [{"seen": s, "not_yet": n} for s, n in r.cells],
                }
                for r in self.rows
            ],
        }


def criteria_stats(*, user: User, action_step: ActionStep) -> CriteriaStats:
    """For each success criterion of the step, how often it was seen and not yet, per finished
    observation (oldest first) and in total, from the observations the user may read. One query
    over the step's observations: a step has few of them."""
    criteria = criteria_of(action_step)
    stats = CriteriaStats(
        action_step=action_step,
        criteria=criteria,
        totals=[CriterionTotal(index=i, text=t) for i, t in enumerate(criteria)],
    )
    observations = (
        policy.observations_visible_to(user)
        .filter(action_step=action_step, status=ObservationStatus.FINAL)
        .only("pk", "engagement", "started_at", "moments", "duration_minutes")
        .order_by("started_at", "id")
    )
    for observation in observations:
        cells = [[0, 0] for _c in criteria]
        for moment in observation.moments or []:
            if not isinstance(moment, dict):
                continue
            index = moment.get("criterion")
            if not isinstance(index, int) or not 0 <= index < len(criteria):
                continue
            if moment.get("evidence") == Evidence.FOR:
                cells[index][0] += 1
            elif moment.get("evidence") == Evidence.AGAINST:
                cells[index][1] += 1
        for total, (seen, not_yet) in zip(stats.totals, cells, strict=True):
            total.seen += seen
            total.not_yet += not_yet
            total.observations_seen += 1 if seen else 0
        stats.rows.append(
            EvidenceRow(
                observation=observation,
                date=timezone.localdate(observation.started_at),
                cells=[(s, n) for s, n in cells],
            )
        )
    return stats
