"""Reads for school improvement: a school's plans, an engagement's target areas, action steps and
check-ins, the areas a report offers to choose from, and the district view across schools.
Everything is found through the policy; the district view's numbers are aggregates and
metadata (counts, statuses, dates), in a constant number of queries whatever the number of
schools."""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.improvement.models import (
    CheckIn,
    ImprovementGoal,
    ImprovementPlan,
    SchoolActionStep,
    TargetArea,
)
from coachloop.organisations.models import Organisation, OrganisationKind
from coachloop.surveys.models import Administration

log = logging.getLogger(__name__)

OTHER_PARTNER = "Other"
OPEN_STATUSES = (SchoolActionStep.Status.PLANNED, SchoolActionStep.Status.UNDERWAY)

# --- Plans ----------------------------------------------------------------------------------------


def may_plan_at(user: User, organisation: Organisation) -> bool:
    """Whether the user may start an improvement plan for this school (policy
    `organisations_planned_by`: the school's leaders, coaches of engagements at the school,
    programme administrators in scope)."""
    return policy.organisations_planned_by(user).filter(pk=organisation.pk).exists()


def school_plans(user: User, organisation: Organisation) -> QuerySet[ImprovementPlan]:
    return (
        policy.improvement_plans_visible_to(user)
        .filter(organisation=organisation)
        .annotate(goal_count=Count("goals"))
        .order_by("is_archived", "-starts_on", "-id")
    )


def current_plan(user: User, organisation: Organisation) -> ImprovementPlan | None:
    """The school's plan in use: the newest one not archived."""
    return (
        policy.improvement_plans_visible_to(user)
        .filter(organisation=organisation, is_archived=False)
        .prefetch_related("goals")
        .order_by("-starts_on", "-id")
        .first()
    )


def goal_choices(user: User, engagement: Engagement) -> QuerySet[ImprovementGoal]:
    """The goals an action step of this engagement may serve: the goals of the school's plans
    in use (not archived) that the user may read."""
    return (
        ImprovementGoal.objects.filter(
            plan__in=policy.improvement_plans_visible_to(user),
            plan__organisation_id=engagement.organisation_id,
            plan__is_archived=False,
        )
        .select_related("plan")
        .order_by("plan__title", "order", "id")
    )


def owner_choices(engagement: Engagement) -> QuerySet[User]:
    """Who may own a school action step: a person of the engagement, or an active member of the
    school."""
    return (
        User.objects.filter(
            Q(participations__engagement=engagement)
            | Q(
                memberships__organisation_id=engagement.organisation_id,
                memberships__is_active=True,
            ),
            is_active=True,
        )
        .distinct()
        .order_by("given_name", "family_name", "email", "pk")
    )


# --- Target areas from a report -------------------------------------------------------------------


@dataclass(frozen=True)
class AreaChoice:
    domain: str
    item: str  # empty: the whole domain
    title: str
    #: "target" or "strength" when the report names it so; "" otherwise
    marked: str = ""
    chosen: bool = False


@dataclass
class AreaMenu:
    administration: Administration
    choices: list[AreaChoice]
    #: whether the report's strengths and target areas are marked (the aggregation engine
    #: answered); otherwise the instrument's domains and items, unmarked
    from_report: bool
    note: str = ""


def closed_administrations(user: User, engagement: Engagement) -> QuerySet[Administration]:
    """The engagement's closed school-wide administrations the user may see: the reports
    target areas are chosen from."""
    return (
        policy.administrations_visible_to(user)
        .filter(engagement=engagement, closed_at__isnull=False, subject__isnull=True)
        .select_related("version")
        .order_by("-closed_at", "-id")
    )


def _as_key(entry: Any, items: set[str]) -> tuple[str, str] | None:
    """(domain, item) from one of the report's strengths or target areas, whatever its shape."""
    if isinstance(entry, tuple | list) and entry:
        entry = {"domain": entry[0], "item": entry[1] if len(entry) > 1 else ""}
    get = entry.get if isinstance(entry, dict) else lambda k, d=None: getattr(entry, k, d)
    kind, key = get("kind"), get("key")  # the engine's Highlight: kind "domain" or "item"
    if kind in ("domain", "item") and isinstance(key, str) and key:
        return ("", key) if kind == "item" else (key, "")
    item = get("item") or ""
    domain = get("domain") or ""
    if isinstance(item, str) and item:
        return (str(domain) if isinstance(domain, str) else "", item)
    if isinstance(domain, str) and domain:
        return (domain, "")
    if isinstance(key, str) and key:
        return ("", key) if key in items else (key, "")
    return None


def report_marks(administration: Administration) -> dict[tuple[str, str], str] | None:
    """The report's strengths and target areas as {(domain, item): "strength" | "target"}, from
    the aggregation engine (`coachloop.surveys.engine.school_report`); None when the engine is
    not there or gives none. Only what the report publishes is marked: the engine has already
    applied the anonymity rules."""
    if importlib.util.find_spec("coachloop.surveys.engine") is None:
        return None
    engine = importlib.import_module("coachloop.surveys.engine")
    school_report = getattr(engine, "school_report", None)
    if school_report is None:
        return None
    report = school_report(administration)
    spec = administration.spec
    items = {i.key for d in spec.domains for i in d.items}
    item_domain = {i.key: d.key for d in spec.domains for i in d.items}
    marks: dict[tuple[str, str], str] = {}
    found = False
    for attr, kind in (
        ("strengths", "strength"),
        ("targets", "target"),
        ("target_areas", "target"),
        ("below_target", "target"),
    ):
        entries = getattr(report, attr, None)
        if entries is None:
            continue
        found = True
        for entry in entries:
            key = _as_key(entry, items)
            if key is None:
                continue
            domain, item = key
            if item:
                domain = item_domain.get(item, domain)
            marks.setdefault((domain, item), kind)
    return marks if found else None


def area_menu(administration: Administration, engagement: Engagement) -> AreaMenu:
    """The instrument's domains and items (each domain, then its items), with the report's
    strengths and target areas marked when the engine names them, and those already chosen."""
    spec = administration.spec
    try:
        marks = report_marks(administration)
    except Exception:  # the report page says what went wrong; choosing still works
        log.exception("The report of administration %s failed", administration.pk)
        marks = None
    chosen = set(
        TargetArea.objects.filter(
            engagement=engagement, administration=administration, withdrawn_at__isnull=True
        ).values_list("domain", "item")
    )
    choices: list[AreaChoice] = []
    for domain in spec.domains:
        for item_key, title in [("", domain.title), *((i.key, i.text) for i in domain.items)]:
            choices.append(
                AreaChoice(
                    domain=domain.key,
                    item=item_key,
                    title=title,
                    marked=(marks or {}).get((domain.key, item_key), ""),
                    chosen=(domain.key, item_key) in chosen,
                )
            )
    return AreaMenu(administration, choices, from_report=marks is not None)


def area_title(administration: Administration, domain: str, item: str) -> str | None:
    for d in administration.spec.domains:
        if d.key != domain:
            continue
        if not item:
            return d.title
        return next((i.text for i in d.items if i.key == item), None)
    return None


# --- The engagement's improvement page ------------------------------------------------------------


@dataclass
class StepRow:
    step: SchoolActionStep
    latest: CheckIn | None
    overdue: bool


@dataclass
class EngagementImprovement:
    engagement: Engagement
    target_areas: list[TargetArea]
    withdrawn: list[TargetArea]
    steps: list[StepRow]
    plan: ImprovementPlan | None
    administrations: list[Administration]
    partners: list[str] = field(default_factory=list)


def partners_of(engagement: Engagement) -> list[str]:
    spec = engagement.spec
    return [*(spec.partners if spec else []), OTHER_PARTNER]


def visible_check_ins(user: User) -> QuerySet[CheckIn]:
    return policy.check_ins_visible_to(user).select_related("author").order_by("-created_at", "-id")


def engagement_improvement(user: User, engagement: Engagement) -> EngagementImprovement:
    areas = list(
        policy.target_areas_visible_to(user)
        .filter(engagement=engagement)
        .select_related("administration", "author")
        .order_by("created_at", "id")
    )
    today = timezone.localdate()
    steps = (
        policy.school_action_steps_visible_to(user)
        .filter(engagement=engagement)
        .select_related("owner", "goal", "target_area")
        .prefetch_related(Prefetch("check_ins", queryset=visible_check_ins(user)))
        .order_by("due_on", "id")
    )
    rows = [
        StepRow(
            step=s,
            latest=next(iter(s.check_ins.all()), None),
            overdue=s.due_on < today and s.status in OPEN_STATUSES,
        )
        for s in steps
    ]
    organisation = engagement.organisation
    return EngagementImprovement(
        engagement=engagement,
        target_areas=[a for a in areas if a.withdrawn_at is None],
        withdrawn=[a for a in areas if a.withdrawn_at is not None],
        steps=rows,
        plan=current_plan(user, organisation),
        administrations=list(closed_administrations(user, engagement)),
        partners=partners_of(engagement),
    )


def step_check_ins(user: User, step: SchoolActionStep) -> list[CheckIn]:
    """The step's check-ins, newest first: its status over time."""
    return list(visible_check_ins(user).filter(action_step=step))


# --- The district view ----------------------------------------------------------------------------

SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "overdue": ("-overdue", "name", "pk"),
    "targets": ("-target_count", "name", "pk"),
    "latest": ("-latest_at", "name", "pk"),
}
STATUS_FILTERS = ("overdue", *SchoolActionStep.Status.values, "none")


def districts_of(user: User) -> QuerySet[Organisation]:
    """The organisations whose schools the user may follow in the district view, the highest
    first: programme administrators and district representatives, at that level and below."""
    return (
        policy.organisations_overseen_by(user)
        .exclude(kind=OrganisationKind.SCHOOL)
        .order_by("depth", "name", "pk")
    )


def _count(qs: QuerySet[Any]) -> Coalesce:
    counted = (
        qs.filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def district_schools(
    user: User,
    organisation: Organisation,
    *,
    status: str = "",
    search: str = "",
    sort: str = "name",
) -> QuerySet[Organisation]:
    """The schools under `organisation` the user oversees, each annotated with its numbers:
    target areas in use, action steps by status, overdue steps, the latest check-in's progress
    and date. One query (subqueries per figure), whatever the number of schools."""
    if not policy.organisations_overseen_by(user).filter(pk=organisation.pk).exists():
        return Organisation.objects.none()
    today = timezone.localdate()
    areas = TargetArea.objects.filter(withdrawn_at__isnull=True)
    steps = SchoolActionStep.objects.all()
    latest = CheckIn.objects.filter(organisation=OuterRef("pk")).order_by("-created_at", "-id")
    schools = (
        policy.organisations_overseen_by(user)
        .filter(kind=OrganisationKind.SCHOOL, path__startswith=organisation.path, is_active=True)
        .annotate(
            target_count=_count(areas.filter(kind=TargetArea.Kind.TARGET)),
            strength_count=_count(areas.filter(kind=TargetArea.Kind.STRENGTH)),
            step_count=_count(steps),
            planned=_count(steps.filter(status=SchoolActionStep.Status.PLANNED)),
            underway=_count(steps.filter(status=SchoolActionStep.Status.UNDERWAY)),
            done=_count(steps.filter(status=SchoolActionStep.Status.DONE)),
            dropped=_count(steps.filter(status=SchoolActionStep.Status.DROPPED)),
            overdue=_count(steps.filter(status__in=OPEN_STATUSES, due_on__lt=today)),
            latest_progress=Subquery(latest.values("progress")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1], output_field=DateTimeField()),
        )
    )
    if search.strip():
        schools = schools.filter(name__icontains=search.strip())
    if status == "overdue":
        schools = schools.filter(overdue__gt=0)
    elif status == "none":
        schools = schools.filter(step_count=0)
    elif status in SchoolActionStep.Status.values:
        schools = schools.filter(**{f"{status}__gt": 0})
    return schools.order_by(*SORTS.get(sort, SORTS["name"]))


def area_titles(user: User, schools: Sequence[Organisation]) -> dict[int, list[TargetArea]]:
    """The titles of target areas the user may read at the sponsors or programme level, for
    these schools (one query): the district view shows these, and only counts of the rest."""
    found: dict[int, list[TargetArea]] = defaultdict(list)
    rows = (
        policy.target_areas_visible_to(user)
        .filter(
            organisation__in=[s.pk for s in schools],
            withdrawn_at__isnull=True,
            visibility__in=[Visibility.SPONSORS, Visibility.PROGRAMME],
        )
        .order_by("organisation_id", "kind", "title", "id")
    )
    for area in rows:
        found[area.organisation_id].append(area)
    return found


@dataclass(frozen=True)
class DistrictRow:
    school: Organisation
    titles: list[TargetArea]

    @property
    def latest_progress_label(self) -> str:
        value = getattr(self.school, "latest_progress", None)
        return str(CheckIn.Progress(value).label) if value else ""


def district_rows(user: User, schools: Sequence[Organisation]) -> list[DistrictRow]:
    titles = area_titles(user, schools)
    return [DistrictRow(school=s, titles=titles.get(s.pk, [])) for s in schools]


def export_table(user: User, schools: Sequence[Organisation]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "School",
        "Target areas",
        "Strengths",
        "Target area titles",
        "Action steps",
        "Planned",
        "Under way",
        "Done",
        "Dropped",
        "Overdue",
        "Latest check-in",
        "Latest check-in date",
    ]
    rows: list[list[Any]] = []
    for row in district_rows(user, schools):
        s: Any = row.school
        latest_at: datetime.datetime | None = s.latest_at
        rows.append(
            [
                s.name,
                s.target_count,
                s.strength_count,
                "; ".join(a.title for a in row.titles),
                s.step_count,
                s.planned,
                s.underway,
                s.done,
                s.dropped,
                s.overdue,
                row.latest_progress_label,
                timezone.localtime(latest_at).date() if latest_at else None,
            ]
        )
    return header, rows
