"""Reads for the programme's cadence overview: the page, its export and the API share them.

The overview lists the *active* engagements of the programmes the user manages
(`policy.engagements_managed_by`) whose playbook version has cadence rules, with their stored
cadence (status and reasons), the last session held and the next planned (of the meeting types
the cadence counts). Metadata only: that a session happened and when, never what was said.
A fixed number of queries whatever the number of engagements: the columns are subqueries, the
counts per status one aggregate, the team's names one prefetch per page.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.cadence.services import cadence_specs, status_label
from coachloop.engagements.models import (
    TEAM_ROLES,
    CadenceStatus,
    Engagement,
    EngagementStatus,
    Participant,
    Programme,
)
from coachloop.lib.errors import DomainError
from coachloop.meetings.models import Meeting, MeetingStatus

#: the status filter: "" is the default (off track or at risk)
STATUS_FILTERS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "": (_("Off track or at risk"), (CadenceStatus.OFF_TRACK, CadenceStatus.AT_RISK)),
    "off_track": (_("Off track"), (CadenceStatus.OFF_TRACK,)),
    "at_risk": (_("At risk"), (CadenceStatus.AT_RISK,)),
    "on_track": (_("On track"), (CadenceStatus.ON_TRACK,)),
    "none": (_("Not checked yet"), (CadenceStatus.NONE,)),
    "all": (_("All"), ()),
}
SORTS: dict[str, Any] = {
    "status": _("Worst first"),
    "title": _("Engagement"),
    "programme": _("Programme"),
    "last_held": _("Longest since a session"),
    "next_planned": _("Next session planned"),
}
HEADER = (
    "Engagement",
    "Programme",
    "Team",
    "Cadence",
    "Reasons",
    "Last session held",
    "Next session planned",
    "Checked",
)


def may_view(user: User) -> bool:
    """Programme administrators (of a programme, or in scope) see the overview."""
    return policy.programmes_managed_by(user).exists()


def programme_choices(user: User) -> QuerySet[Programme]:
    """The programmes the user manages that have an engagement with cadence rules."""
    return (
        policy.programmes_managed_by(user)
        .filter(engagements__playbook_version__in=list(cadence_specs()))
        .distinct()
        .order_by("name", "pk")
    )


def _session_filter(specs: dict[int, Any]) -> Q:
    """Meetings of the types each playbook version's cadence counts (grouped by type set)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for pk, spec in specs.items():
        groups.setdefault(tuple(sorted(spec.meeting_types)), []).append(pk)
    parts = [
        Q(engagement__playbook_version__in=pks) & (Q(meeting_type__in=types) if types else Q())
        for types, pks in groups.items()
    ]
    return reduce(operator.or_, parts) if parts else Q(pk__in=[])


def base(
    user: User, *, programme: Programme | None = None, query: str = ""
) -> QuerySet[Engagement]:
    """The engagements the overview may list, before the status filter."""
    specs = cadence_specs()
    engagements = policy.engagements_managed_by(user).filter(
        status=EngagementStatus.ACTIVE, playbook_version__in=list(specs)
    )
    if programme is not None:
        engagements = engagements.filter(programme=programme)
    for word in query.split()[:5]:
        named = Participant.objects.filter(engagement=OuterRef("pk"), role__in=TEAM_ROLES).filter(
            Q(user__given_name__icontains=word)
            | Q(user__family_name__icontains=word)
            | Q(user__email__icontains=word)
        )
        engagements = engagements.filter(Q(title__icontains=word) | Exists(named))
    return engagements


def counts(engagements: QuerySet[Engagement]) -> dict[str, int]:
    """How many engagements per cadence status (one aggregate query)."""
    return engagements.aggregate(
        total=Count("pk"),
        **{s.value: Count("pk", filter=Q(cadence_status=s)) for s in CadenceStatus},
    )


def overview(
    user: User,
    *,
    status: str = "",
    programme: Programme | None = None,
    query: str = "",
    sort: str = "status",
) -> QuerySet[Engagement]:
    """The overview's rows: filtered, annotated (`last_held_at`, `next_planned_at`,
    `next_planned_mode`) and ordered. An unknown status or sort is a DomainError (422)."""
    if status not in STATUS_FILTERS:
        raise DomainError(
            str(_("Unknown cadence status; use one of: "))
            + ", ".join(k for k in STATUS_FILTERS if k),
            field="status",
            status=422,
        )
    if sort not in SORTS:
        raise DomainError(
            str(_("Unknown order; use one of: ")) + ", ".join(SORTS), field="sort", status=422
        )
    engagements = base(user, programme=programme, query=query)
    statuses = STATUS_FILTERS[status][1]
    if statuses:
        engagements = engagements.filter(cadence_status__in=statuses)
    return annotate(engagements, sort=sort)


def annotate(engagements: QuerySet[Engagement], *, sort: str = "status") -> QuerySet[Engagement]:
    sessions = Meeting.objects.filter(_session_filter(cadence_specs()), engagement=OuterRef("pk"))
    held = sessions.filter(status=MeetingStatus.HELD).order_by("-starts_at", "-id")
    upcoming = sessions.filter(
        status=MeetingStatus.PLANNED, starts_at__gte=timezone.now()
    ).order_by("starts_at", "id")
    team = Participant.objects.filter(role__in=TEAM_ROLES).select_related("user")
    engagements = (
        engagements.select_related("programme")
        .annotate(
            last_held_at=Subquery(held.values("starts_at")[:1]),
            next_planned_at=Subquery(upcoming.values("starts_at")[:1]),
            next_planned_mode=Subquery(upcoming.values("mode")[:1]),
            severity=Case(
                When(cadence_status=CadenceStatus.OFF_TRACK, then=Value(0)),
                When(cadence_status=CadenceStatus.AT_RISK, then=Value(1)),
                When(cadence_status=CadenceStatus.ON_TRACK, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .prefetch_related(Prefetch("participants", queryset=team, to_attr="team"))
    )
    orders: dict[str, Sequence[Any]] = {
        "status": ("severity", "title", "pk"),
        "title": ("title", "pk"),
        "programme": ("programme__name", "title", "pk"),
        "last_held": (F("last_held_at").asc(nulls_first=True), "title", "pk"),
        "next_planned": (F("next_planned_at").asc(nulls_last=True), "title", "pk"),
    }
    return engagements.order_by(*orders[sort])


def team_names(engagement: Engagement) -> str:
    """The team's members, each once, in the order they joined (the prefetched `team`)."""
    seen: dict[int, str] = {}
    for participant in getattr(engagement, "team", ()):
        seen.setdefault(participant.user_id, str(participant.user))
    return ", ".join(seen.values())


@dataclass(frozen=True)
class Row:
    engagement: Engagement
    team: str
    status: str
    status_label: str
    reasons: list[dict[str, Any]]


def row(engagement: Engagement) -> Row:
    return Row(
        engagement=engagement,
        team=team_names(engagement),
        status=engagement.cadence_status,
        status_label=status_label(engagement.cadence_status),
        reasons=list(engagement.cadence_reasons or []),
    )


def _local(value: datetime.datetime | None) -> datetime.datetime | None:
    """In the server's time zone, without the zone (spreadsheets have none)."""
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def table(engagements: QuerySet[Engagement]) -> list[list[Any]]:
    """The export's rows, one per engagement (the filtered list, every page)."""
    return [
        [
            e.title,
            e.programme.name,
            team_names(e),
            status_label(e.cadence_status),
            "\n".join(str(r.get("message", "")) for r in e.cadence_reasons or []),
            _local(getattr(e, "last_held_at", None)),
            _local(getattr(e, "next_planned_at", None)),
            _local(e.cadence_checked_at),
        ]
        for e in engagements
    ]
