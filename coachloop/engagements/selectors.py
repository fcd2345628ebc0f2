"""Reads for programmes, engagements and their content, through the policy.

The page-sized reads (`engagement_page`, `programme_overview`, `today_for`, `sponsor_view`) take a
fixed number of queries whatever the data size; bench/ measures them on the large dataset."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import (
    SPONSOR_ROLES,
    TEAM_ROLES,
    Engagement,
    EngagementStatus,
    FormResponse,
    Note,
    Participant,
    ParticipantRole,
    Programme,
    Resource,
    StepProgress,
    StepStatus,
)
from coachloop.engagements.services import agreement_status
from coachloop.meetings.models import MeetingStatus
from coachloop.plans.models import PlanStatus
from coachloop.playbooks import schema
from coachloop.playbooks.models import PlaybookVersion
from coachloop.portfolios.models import EntryStatus

SOON_DAYS = 7


def engagement_list(*, user: User, role: str = "", query: str = "") -> QuerySet[Engagement]:
    engagements = policy.engagements_visible_to(user)
    # Exists rather than joins: no duplicate rows, so no DISTINCT for the paginator to count.
    if role:
        engagements = engagements.filter(
            Exists(Participant.objects.filter(engagement=OuterRef("pk"), user=user, role=role))
        )
    if query:
        named = Participant.objects.filter(engagement=OuterRef("pk")).filter(
            Q(user__email__icontains=query) | Q(user__family_name__icontains=query)
        )
        engagements = engagements.filter(Q(title__icontains=query) | Q(Exists(named)))
    return engagements.select_related("programme", "organisation").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("user"))
    )


def note_list(*, user: User, engagement: Engagement) -> QuerySet[Note]:
    return policy.notes_visible_to(user).filter(engagement=engagement).select_related("author")


def note_read(*, user: User, engagement: Engagement, pk: int) -> Note:
    """One note, 404 unless visible; the read is written to the audit trail."""
    note = policy.get_visible_or_404(user, Note, pk, engagement=engagement)
    audit.record(actor=user, action="note.read", target=note)
    return note


def form_responses(*, user: User, engagement: Engagement) -> QuerySet[FormResponse]:
    return (
        policy.form_responses_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
    )


def resources(*, user: User, engagement: Engagement) -> QuerySet[Resource]:
    return policy.resources_visible_to(user).filter(engagement=engagement).select_related("author")


# --- The engagement page ------------------------------------------------------------------------


@dataclass
class StepView:
    row: StepProgress
    spec: schema.StepSpec
    overdue: bool
    checklist: list[tuple[int, str, bool]]
    note: str = ""  # a completion note or skip reason: team content, empty for others


@dataclass
class PhaseView:
    spec: schema.PhaseSpec
    steps: list[StepView]
    state: str  # "done", "current" or "upcoming"
    done: int
    total: int


@dataclass
class EngagementPage:
    engagement: Engagement
    spec: schema.Playbook | None
    roles: set[str]
    participants: list[Participant]
    phases: list[PhaseView] = field(default_factory=list)
    current_step: StepView | None = None
    blocking: list[StepProgress] = field(default_factory=list)
    next_phase: schema.PhaseSpec | None = None
    is_last_phase: bool = True
    agreement: list[dict[str, Any]] = field(default_factory=list)
    can_coach: bool = False
    can_manage: bool = False
    can_write: bool = False


def engagement_page(*, user: User, engagement: Engagement) -> EngagementPage:
    """Everything the engagement page shows: phases as a timeline, each step with its checklist,
    due date and status, the current step, and what blocks the next phase."""
    spec = engagement.spec
    participants = list(engagement.participants.select_related("user").order_by("role", "pk"))
    roles = {p.role for p in participants if p.user_id == user.pk}
    engagement.__dict__.setdefault("_coachloop_roles", {})[user.pk] = roles
    page = EngagementPage(engagement, spec, roles, participants)
    page.can_coach = ParticipantRole.COACH in roles
    page.can_manage = policy.allowed(user, Action.MANAGE, engagement)
    page.can_write = bool(roles & {ParticipantRole.COACH, ParticipantRole.COACHEE})
    if spec is None:
        return page
    today = timezone.localdate()
    rows = {s.step_key: s for s in engagement.steps.select_related("completed_by")}
    current_index = next(
        (i for i, p in enumerate(spec.phases) if p.key == engagement.current_phase), 0
    )
    for index, phase in enumerate(spec.phases):
        steps = []
        for step in phase.steps:
            row = rows.get(step.key)
            if row is None:  # a step the playbook gained after this engagement started
                continue
            checklist = [
                (i, item, bool(row.checklist_done[i]) if i < len(row.checklist_done) else False)
                for i, item in enumerate(step.checklist)
            ]
            note = row.note if roles & set(TEAM_ROLES) else ""
            steps.append(StepView(row, step, row.is_overdue(today), checklist, note))
        done = sum(1 for s in steps if not s.row.is_open)
        if engagement.status == EngagementStatus.COMPLETED or index < current_index:
            state = "done"
        elif index == current_index:
            state = "current"
        else:
            state = "upcoming"
        view = PhaseView(phase, steps, state, done, len(steps))
        page.phases.append(view)
        if state == "current":
            page.current_step = next((s for s in steps if s.row.is_open), None)
            page.blocking = [s.row for s in steps if s.row.is_open and s.row.required]
    page.next_phase = (
        spec.phases[current_index + 1] if current_index + 1 < len(spec.phases) else None
    )
    page.is_last_phase = page.next_phase is None
    page.agreement = agreement_status(engagement)
    return page


# --- Overdue steps, the coach's today page, the sponsor's page ----------------------------------


def _steps_for_user(user: User) -> QuerySet[StepProgress]:
    """Open steps of active engagements that the user is responsible for: the steps their role
    owns, and, for coaches, every step of their engagements."""
    owns = Participant.objects.filter(
        engagement=OuterRef("engagement"), user=user, role=OuterRef("owner_role")
    )
    coaches = Participant.objects.filter(
        engagement=OuterRef("engagement"), user=user, role=ParticipantRole.COACH
    )
    mine = Participant.objects.filter(user=user).values("engagement_id")
    return StepProgress.objects.filter(
        Q(Exists(owns)) | Q(Exists(coaches)),
        engagement_id__in=mine,  # start from the user's own engagements, not the district's
        status=StepStatus.OPEN,
        engagement__status=EngagementStatus.ACTIVE,
    ).filter(engagement__in=policy.engagements_visible_to(user))


def overdue_steps(
    *, user: User, programme: Programme | None = None, today: datetime.date | None = None
) -> QuerySet[StepProgress]:
    """Open steps past their due date that the user may follow: their own (coaches: of their
    engagements), or, for programme administrators, every engagement of their programmes."""
    today = today or timezone.localdate()
    managed = StepProgress.objects.filter(
        engagement__in=policy.engagements_managed_by(user),
        status=StepStatus.OPEN,
        engagement__status=EngagementStatus.ACTIVE,
    )
    if programme is not None and policy.allowed(user, Action.MANAGE, programme):
        # An administrator of the programme follows all of it: their own steps are among these.
        steps = policy.programme_steps_followed_by(user, programme).filter(
            status=StepStatus.OPEN, engagement__status=EngagementStatus.ACTIVE
        )
    elif programme is not None:
        steps = (_steps_for_user(user) | managed).filter(engagement__programme=programme)
    else:
        steps = _steps_for_user(user) | managed
    return (
        steps.filter(due_on__lt=today)
        .select_related("engagement", "engagement__programme")
        .order_by("due_on", "engagement_id", "position")
    )


@dataclass
class Today:
    due: list[StepProgress]
    overdue_count: int
    meetings: list[Any]
    approvals_to_give: list[Any]
    approvals_awaited: list[Any]
    reviews: list[Any]


def today_for(*, user: User, today: datetime.date | None = None, limit: int = 30) -> Today:
    """The coach's "today": steps due within a week or overdue, the next meetings, plans
    awaiting approval (to give, or awaited from a sponsor), portfolio entries to review."""
    today = today or timezone.localdate()
    mine = _steps_for_user(user)
    due = list(
        mine.filter(due_on__lte=today + datetime.timedelta(days=SOON_DAYS))
        .select_related("engagement")
        .order_by("due_on", "engagement_id", "position")[:limit]
    )
    overdue_count = mine.filter(due_on__lt=today).count()
    my_engagements = Participant.objects.filter(user=user).values("engagement_id")
    meetings = list(
        policy.meetings_visible_to(user)
        .filter(
            engagement_id__in=my_engagements,
            status=MeetingStatus.PLANNED,
            starts_at__gte=timezone.now() - datetime.timedelta(hours=12),
        )
        .select_related("engagement")
        .order_by("starts_at")[:10]
    )
    sponsor_of = Participant.objects.filter(user=user, role__in=SPONSOR_ROLES).values(
        "engagement_id"
    )
    team_of = Participant.objects.filter(
        user=user, role__in=(ParticipantRole.COACH, ParticipantRole.COACHEE)
    ).values("engagement_id")
    submitted = policy.plans_visible_to(user).filter(status=PlanStatus.SUBMITTED)
    my_roles: dict[int, set[str]] = {}
    for engagement_id, role in Participant.objects.filter(
        user=user, role__in=SPONSOR_ROLES
    ).values_list("engagement_id", "role"):
        my_roles.setdefault(engagement_id, set()).add(role)
    candidates = list(
        submitted.filter(engagement_id__in=sponsor_of)
        .select_related("engagement")
        .order_by("submitted_at")[:limit]
    )
    with_versions([plan.engagement for plan in candidates])
    to_give = [
        plan
        for plan in candidates
        if _approves(plan.engagement, my_roles.get(plan.engagement_id, set()))
    ]
    awaited = list(
        submitted.filter(engagement_id__in=team_of)
        .select_related("engagement")
        .order_by("submitted_at")[:limit]
    )
    coach_of = Participant.objects.filter(user=user, role=ParticipantRole.COACH).values(
        "engagement_id"
    )
    reviews = list(
        policy.portfolio_entries_visible_to(user)
        .filter(engagement_id__in=coach_of, status=EntryStatus.SUBMITTED)
        .select_related("engagement", "author")
        .order_by("created_at")[:limit]
    )
    return Today(due, overdue_count, meetings, to_give, awaited, reviews)


def with_versions(engagements: list[Engagement]) -> list[Engagement]:
    """Attach each engagement's playbook version, reading each version once: a list of many
    engagements shares a few versions, and a version's definition is large."""
    ids = {e.playbook_version_id for e in engagements if e.playbook_version_id}
    versions = {v.pk: v for v in PlaybookVersion.objects.filter(pk__in=ids)} if ids else {}
    for engagement in engagements:
        if engagement.playbook_version_id in versions:
            engagement.playbook_version = versions[engagement.playbook_version_id]
    return engagements


def _approves(engagement: Engagement, roles: set[str]) -> bool:
    """Whether one of `roles` is the role the engagement's playbook has approve the plan."""
    spec = engagement.spec
    return bool(spec and spec.plan and spec.plan.approval in roles)


def with_progress(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """Annotate each engagement with its steps done and in all, and its overdue steps."""
    today = timezone.localdate()

    def count(condition: Q | None = None) -> Coalesce:
        # One small count per engagement, rather than a join of every step grouped by every
        # selected column (which sorted each playbook definition once per step).
        steps = StepProgress.objects.filter(engagement=OuterRef("pk")).order_by()
        if condition is not None:
            steps = steps.filter(condition)
        counted = steps.values("engagement").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return engagements.annotate(
        steps_total=count(),
        steps_done=count(~Q(status=StepStatus.OPEN)),
        steps_overdue=count(Q(status=StepStatus.OPEN, due_on__lt=today)),
    )


def sponsor_view(*, user: User, limit: int = 50) -> dict[str, Any]:
    """What a sponsor or district representative follows: each engagement's phase and progress,
    its plan's status, and the plans awaiting their approval. Metadata and sponsor-level content
    only, by the policy."""
    sponsored = Participant.objects.filter(user=user, role__in=SPONSOR_ROLES)
    engagements = (
        policy.engagements_visible_to(user)
        .filter(pk__in=sponsored.values("engagement_id"))
        .select_related("programme", "organisation")
        .order_by("status", "title")
    )
    rows = with_versions(list(with_progress(engagements)[:limit]))
    plans = {
        p.engagement_id: p
        for p in policy.plans_visible_to(user).filter(engagement__in=[e.pk for e in rows])
    }
    coachees: dict[int, list[str]] = {}
    for p in Participant.objects.filter(
        engagement__in=[e.pk for e in rows], role=ParticipantRole.COACHEE
    ).select_related("user"):
        coachees.setdefault(p.engagement_id, []).append(str(p.user))
    for engagement in rows:
        engagement.visible_plan = plans.get(engagement.pk)  # type: ignore[attr-defined]
        engagement.coachee_names = coachees.get(engagement.pk, [])  # type: ignore[attr-defined]
        spec = engagement.spec
        engagement.phase_title = (  # type: ignore[attr-defined]
            spec.phase(engagement.current_phase).title if spec and engagement.current_phase else ""
        )
    my_roles: dict[int, set[str]] = {}
    for engagement_id, role in Participant.objects.filter(
        user=user, engagement__in=[e.pk for e in rows]
    ).values_list("engagement_id", "role"):
        my_roles.setdefault(engagement_id, set()).add(role)
    awaiting = [
        e
        for e in rows
        if plans.get(e.pk)
        and plans[e.pk].status == PlanStatus.SUBMITTED
        and _approves(e, my_roles.get(e.pk, set()))
    ]
    return {"engagements": rows, "awaiting": awaiting}


# --- Programmes -----------------------------------------------------------------------------------


def programme_list(*, user: User, query: str = "") -> QuerySet[Programme]:
    programmes = policy.programmes_visible_to(user)
    if query:
        programmes = programmes.filter(name__icontains=query)
    # Count only the engagements the user may know of, not every one in the programme.
    visible = (
        policy.engagements_visible_to(user)
        .filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return programmes.select_related("organisation", "playbook").annotate(
        engagement_count=Coalesce(Subquery(visible), 0)
    )


@dataclass
class Overview:
    programme: Programme
    spec: schema.Playbook | None
    by_phase: list[dict[str, Any]]
    completed: int
    active: int
    overdue: list[StepProgress]
    overdue_count: int


def programme_overview(*, user: User, programme: Programme, overdue_limit: int = 50) -> Overview:
    """The administrator's overview: engagements by phase, and the overdue steps."""
    engagements = policy.engagements_visible_to(user).filter(programme=programme)
    counts = {
        (row["status"], row["current_phase"]): row["n"]
        for row in engagements.values("status", "current_phase").annotate(n=Count("pk"))
    }
    spec = (
        programme.playbook.current.spec
        if programme.playbook and programme.playbook.current
        else None
    )
    by_phase = []
    if spec:
        for phase in spec.phases:
            by_phase.append(
                {
                    "key": phase.key,
                    "title": phase.title,
                    "count": counts.get((EngagementStatus.ACTIVE, phase.key), 0),
                }
            )
    completed = sum(
        n for (status, _phase), n in counts.items() if status == EngagementStatus.COMPLETED
    )
    active = sum(n for (status, _phase), n in counts.items() if status == EngagementStatus.ACTIVE)
    overdue = overdue_steps(user=user, programme=programme)
    return Overview(
        programme,
        spec,
        by_phase,
        completed,
        active,
        list(overdue[:overdue_limit]),
        overdue.count(),
    )
