"""Reads for a coach's development page and the programme's coach overview (seed 003). Pages,
exports and the API all read through these functions, so every channel shows the same rows at
the same visibility.

Definitions:

- The *coaches of a programme*: the people listed as its coaches, and everyone who is a coach in
  one of its engagements (active or not).
- A coach's *caseload* in a programme: the active engagements of the programme they coach.
- The *functions*: the practice profile's essential functions, from the built-in
  coach-development playbook's rubric, then any other criterion found in the ratings (a programme
  that adapted the rubric), in the order found.
- The overview's columns: caseload size; the latest self and lead level per function
  (`selectors.profile_latest`, as far as the viewer may read the assessments); responsiveness in
  the programme (`messaging.responsiveness.responsiveness_of`: metadata, never the text); the
  feedback trend (`coaches.feedback.feedback_trends`: the latest mean the anonymity engine shows,
  and its change).

A fixed number of queries whatever the number of coaches: one for the coaches (with the search),
then one call of each batch selector for the page's coaches, or, when the order or a filter reads
a computed column, for every coach that matches the search.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.coaches.feedback import Trend, feedback_trends
from coachloop.coaches.selectors import Rating, profile_latest
from coachloop.engagements.models import (
    Engagement,
    EngagementStatus,
    Participant,
    ParticipantRole,
    Programme,
)
from coachloop.lib.errors import DomainError
from coachloop.lib.views import PER_PAGE
from coachloop.messaging.responsiveness import EMPTY, Responsiveness, responsiveness_of

PROFILE_PLAYBOOK = "coach-development.yaml"
PROFILE_RUBRIC = "practice-profile"
PERSPECTIVES = ("self", "lead")


@dataclass(frozen=True)
class Function:
    key: str
    title: str


@lru_cache(maxsize=1)
def builtin_functions() -> tuple[Function, ...]:
    """The practice profile's functions as the built-in playbook defines them (read from the
    file once per process: no query)."""
    from coachloop.playbooks import schema
    from coachloop.playbooks.services import BUILTIN_DIR

    path = BUILTIN_DIR / PROFILE_PLAYBOOK
    spec = schema.load(path.read_text(encoding="utf-8"), path.name)
    rubric = spec.rubric(PROFILE_RUBRIC)
    return tuple(Function(c.key, c.title) for c in rubric.criteria)


def functions_for(ratings: Sequence[dict[str, Any]]) -> list[Function]:
    """The built-in functions, then any other criterion key found in `ratings` (per coach:
    {key: …}), titled by its key."""
    functions = list(builtin_functions())
    known = {f.key for f in functions}
    for by_key in ratings:
        for key in by_key:
            if key not in known:
                known.add(key)
                functions.append(Function(key, key.replace("-", " ").capitalize()))
    return functions


# --- Rows ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One function of one coach: the latest self and lead ratings (None: none the viewer may
    read)."""

    function: Function
    self: Rating | None
    lead: Rating | None


@dataclass
class CoachRow:
    coach: User
    caseload: int
    ratings: dict[str, dict[str, Rating]]
    responsiveness: Responsiveness
    trend: Trend | None
    cells: list[Cell] = field(default_factory=list)
    #: the cells as HTML, laid out by the page's view
    cells_html: str = ""

    def level(self, key: str, perspective: str) -> int | None:
        rating = self.ratings.get(key, {}).get(perspective)
        return rating.level if rating is not None else None

    def latest_on(self, perspective: str) -> dt.date | None:
        days = [r[perspective].on for r in self.ratings.values() if perspective in r]
        return max(days) if days else None

    @property
    def feedback_status(self) -> str:
        """ "shown" (a mean the viewer may see), "withheld" (rounds, but none shown: fewer than k
        answered) or "none" (no closed round)."""
        if self.trend is None or not self.trend.points:
            return "none"
        return "shown" if self.trend.latest is not None else "withheld"

    @property
    def feedback_latest(self) -> float | None:
        return self.trend.latest if self.trend is not None else None

    @property
    def feedback_change(self) -> float | None:
        return self.trend.change if self.trend is not None else None


# --- Orders and filters --------------------------------------------------------------------------

#: the computed columns one may order by (besides "name" and each function's "self.<key>" and
#: "lead.<key>"), each with how to read it from a row
COLUMNS: dict[str, Callable[[CoachRow], float | int | None]] = {
    "caseload": lambda r: r.caseload,
    "asked": lambda r: r.responsiveness.asked,
    "median": lambda r: r.responsiveness.median_seconds,
    "within": lambda r: r.responsiveness.within_share,
    "open": lambda r: r.responsiveness.open,
    "overdue": lambda r: r.responsiveness.overdue,
    "feedback": lambda r: r.feedback_latest,
    "change": lambda r: r.feedback_change,
}

#: filters: (key, label, keep this row?)
FILTERS: dict[str, tuple[str, Callable[[CoachRow], bool]]] = {
    "overdue": (gettext_noop("With overdue questions"), lambda r: r.responsiveness.overdue > 0),
    "no-lead": (
        gettext_noop("No lead assessment yet"),
        lambda r: r.latest_on("lead") is None,
    ),
    "no-self": (
        gettext_noop("No self-assessment yet"),
        lambda r: r.latest_on("self") is None,
    ),
    "withheld": (
        gettext_noop("Feedback withheld (fewer than k answers)"),
        lambda r: r.feedback_status == "withheld",
    ),
}


#: each column's first order when chosen: names A to Z, counts and times largest first, shares,
#: levels and feedback lowest first (where attention is needed)
NATURAL = {
    "name": "name",
    "caseload": "-caseload",
    "asked": "-asked",
    "median": "-median",
    "within": "within",
    "open": "-open",
    "overdue": "-overdue",
    "feedback": "feedback",
    "change": "change",
}


def natural(column: str) -> str:
    """The order a column starts with (a function's levels: lowest first)."""
    return NATURAL.get(column, column)


def sort_keys(functions: Sequence[Function]) -> list[str]:
    """Every column one may order by (each also descending, with a leading "-")."""
    keys = ["name", *COLUMNS]
    for f in functions:
        keys += [f"self.{f.key}", f"lead.{f.key}"]
    return keys


def _reader(sort: str) -> Callable[[CoachRow], float | int | None] | None:
    column = sort.lstrip("-")
    if column in COLUMNS:
        return COLUMNS[column]
    perspective, _dot, key = column.partition(".")
    if perspective in PERSPECTIVES and key:
        return lambda r: r.level(key, perspective)
    return None


def check_choices(sort: str, filter_by: str) -> None:
    """A DomainError (422) naming the field for an unknown order or filter. Function keys are
    checked against the built-in profile's and any key of the form self.<key>/lead.<key>."""
    column = sort.lstrip("-")
    if column != "name" and _reader(sort) is None:
        raise DomainError(
            _("Order by one of: %s (a leading “-” reverses it).")
            % ", ".join(sort_keys(builtin_functions())),
            field="sort",
            status=422,
        )
    if filter_by and filter_by not in FILTERS:
        raise DomainError(
            _("Filter by one of: %s.") % ", ".join(FILTERS), field="filter", status=422
        )


def _ordered(rows: list[CoachRow], sort: str) -> list[CoachRow]:
    """Rows by the column, nulls last in either direction, then by name."""
    reader = _reader(sort)
    assert reader is not None
    descending = sort.startswith("-")
    rows = sorted(rows, key=_name_key)
    known = [r for r in rows if reader(r) is not None]
    unknown = [r for r in rows if reader(r) is None]
    known.sort(
        key=lambda r: cast(float, reader(r)), reverse=descending
    )  # stable: names stay in order
    return known + unknown


def _name_key(row: CoachRow) -> tuple[str, str, str, int]:
    c = row.coach
    return (c.family_name.lower(), c.given_name.lower(), c.email.lower(), c.pk)


# --- The overview --------------------------------------------------------------------------------


def programme_coaches(programme: Programme, query: str = "") -> QuerySet[User]:
    """The coaches of the programme (see the module's docstring), matching the search, by name."""
    coaching = Participant.objects.filter(
        user=OuterRef("pk"), role=ParticipantRole.COACH, engagement__programme=programme
    )
    listed = Programme.coaches.through.objects.filter(user=OuterRef("pk"), programme=programme)
    coaches = User.objects.filter(Exists(coaching) | Exists(listed))
    for word in query.split()[:5]:
        coaches = coaches.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(email__icontains=word)
        )
    return coaches.only("pk", "email", "given_name", "family_name").order_by(
        "family_name", "given_name", "email", "pk"
    )


def caseload_sizes(coach_ids: Sequence[int], programme: Programme) -> dict[int, int]:
    """Active engagements of the programme each coach coaches: one query."""
    rows = (
        Participant.objects.filter(
            user_id__in=coach_ids,
            role=ParticipantRole.COACH,
            engagement__programme=programme,
            engagement__status=EngagementStatus.ACTIVE,
        )
        .order_by()
        .values("user_id")
        .annotate(n=Count("engagement_id", distinct=True))
    )
    return {row["user_id"]: row["n"] for row in rows}


def coach_rows(viewer: User, coaches: Sequence[User], programme: Programme) -> list[CoachRow]:
    """The overview's rows for these coaches, in their order: one call of each batch selector."""
    ids = [c.pk for c in coaches]
    if not ids:
        return []
    sizes = caseload_sizes(ids, programme)
    latest = profile_latest(viewer, ids)
    figures = responsiveness_of(ids, programme=programme)
    trends = feedback_trends(viewer, ids, programme)
    return [
        CoachRow(
            coach=c,
            caseload=sizes.get(c.pk, 0),
            ratings=latest.get(c.pk, {}),
            responsiveness=figures.get(c.pk, EMPTY),
            trend=trends.get(c.pk),
        )
        for c in coaches
    ]


@dataclass
class Overview:
    programme: Programme
    functions: list[Function]
    #: the page shown (for the page links: number, count, pages); its rows are `rows`
    page: Page[Any]
    rows: list[CoachRow]
    query: str
    sort: str
    filter: str

    @property
    def count(self) -> int:
        return self.page.paginator.count


def coach_overview(
    viewer: User,
    programme: Programme,
    *,
    query: str = "",
    sort: str = "name",
    filter_by: str = "",
    page: int | str | None = 1,
    per_page: int | None = PER_PAGE,
) -> Overview:
    """The programme's coach overview for one who manages it (PermissionDenied for others: call
    after the 404 check). `per_page=None`: every matching row on one page (the exports).
    DomainError (422) for an unknown order or filter."""
    policy.require(viewer, Action.MANAGE, programme)
    check_choices(sort, filter_by)
    coaches = list(programme_coaches(programme, query))
    size = per_page or max(len(coaches), 1)
    shown: Page[Any]
    if sort == "name" and not filter_by:
        # by name: page first, then read the columns for the page's coaches only
        shown = Paginator(coaches, size).get_page(page)
        rows = coach_rows(viewer, list(shown.object_list), programme)
    else:
        every = coach_rows(viewer, coaches, programme)
        if filter_by:
            keep = FILTERS[filter_by][1]
            every = [r for r in every if keep(r)]
        every = _ordered(every, sort) if sort != "name" else sorted(every, key=_name_key)
        shown = Paginator(every, size).get_page(page)
        rows = list(shown.object_list)
    functions = functions_for([r.ratings for r in rows])
    for row in rows:
        row.cells = [
            Cell(f, row.ratings.get(f.key, {}).get("self"), row.ratings.get(f.key, {}).get("lead"))
            for f in functions
        ]
    return Overview(programme, functions, shown, rows, query, sort, filter_by)


# --- Exports -------------------------------------------------------------------------------------


def overview_header(functions: Sequence[Function]) -> list[str]:
    header = [_("Coach"), _("Email"), _("Active engagements")]
    for f in functions:
        header += [
            _("%(function)s (self)") % {"function": f.title},
            _("%(function)s (lead)") % {"function": f.title},
        ]
    header += [
        _("Latest self-assessment"),
        _("Latest lead assessment"),
        _("Questions asked"),
        _("Median response (school days)"),
        _("Answered within agreement (%)"),
        _("Open questions"),
        _("Overdue questions"),
        _("Feedback (latest mean)"),
        _("Feedback change"),
        _("Feedback status"),
    ]
    return header


FEEDBACK_STATUS = {
    "shown": gettext_noop("shown"),
    "withheld": gettext_noop("withheld"),
    "none": gettext_noop("none"),
}


def overview_table(rows: Sequence[CoachRow]) -> list[list[Any]]:
    """The rows as export cells, in the order of `overview_header` (the rows' `cells` set)."""
    out = []
    for r in rows:
        line: list[Any] = [str(r.coach), r.coach.email, r.caseload]
        for cell in r.cells:
            line += [
                cell.self.level if cell.self else None,
                cell.lead.level if cell.lead else None,
            ]
        figures = r.responsiveness
        line += [
            r.latest_on("self"),
            r.latest_on("lead"),
            figures.asked,
            round(figures.median_days, 2) if figures.median_days is not None else None,
            round(figures.within_share * 100) if figures.within_share is not None else None,
            figures.open,
            figures.overdue,
            round(r.feedback_latest, 2) if r.feedback_latest is not None else None,
            round(r.feedback_change, 2) if r.feedback_change is not None else None,
            _(FEEDBACK_STATUS[r.feedback_status]),
        ]
        out.append(line)
    return out


# --- A coach's development page -----------------------------------------------------------------


@dataclass
class ProgrammeCaseload:
    programme: Programme
    engagements: list[Engagement]

    @property
    def count(self) -> int:
        return len(self.engagements)


@dataclass
class Development:
    coach: User
    #: programmes the coach coaches in (listed or in an engagement), as far as the viewer sees
    programmes: list[Programme]
    #: the coach's lead coaches: coaches of the development engagements the viewer may see
    leads: list[User]
    caseload: list[ProgrammeCaseload]

    @property
    def caseload_total(self) -> int:
        return sum(p.count for p in self.caseload)


def coach_caseload(viewer: User, coach: User) -> list[ProgrammeCaseload]:
    """The active engagements the coach coaches, per programme (by name), as far as the viewer
    may see them. One query."""
    engagements = (
        policy.visible(viewer, Engagement)
        .filter(
            status=EngagementStatus.ACTIVE,
            pk__in=Participant.objects.filter(user=coach, role=ParticipantRole.COACH).values(
                "engagement_id"
            ),
        )
        .select_related("programme", "organisation")
        .order_by("programme__name", "programme_id", "title", "pk")
    )
    grouped: dict[int, ProgrammeCaseload] = {}
    for engagement in engagements:
        found = grouped.get(engagement.programme_id)
        if found is None:
            found = grouped[engagement.programme_id] = ProgrammeCaseload(engagement.programme, [])
        found.engagements.append(engagement)
    return list(grouped.values())


def development(viewer: User, coach: User) -> Development:
    """The header and caseload of a coach's development page (call after `followed_or_404`).
    Three queries."""
    as_coach = Q(coaches=coach) | Q(
        pk__in=Participant.objects.filter(user=coach, role=ParticipantRole.COACH).values(
            "engagement__programme_id"
        )
    )
    programmes = list(
        policy.visible(viewer, Programme).filter(as_coach).distinct().order_by("name", "pk")
    )
    developing = (
        policy.visible(viewer, Engagement)
        .filter(policy.DEVELOPMENT)
        .filter(
            pk__in=Participant.objects.filter(user=coach, role=ParticipantRole.COACHEE).values(
                "engagement_id"
            )
        )
    )
    leads = list(
        User.objects.filter(
            pk__in=Participant.objects.filter(
                engagement__in=developing, role=ParticipantRole.COACH
            ).values("user_id")
        ).order_by("family_name", "given_name", "email")
    )
    return Development(coach, programmes, leads, coach_caseload(viewer, coach))


def followed_or_404(viewer: User, pk: Any) -> User:
    """The coach whose development page the viewer may open (themself, the coaches they lead,
    the coaches of the programmes they manage); 404 otherwise, as for a missing id."""
    from django.http import Http404

    try:
        return policy.visible(viewer, User, Action.FOLLOW_COACH).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
