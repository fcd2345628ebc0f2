"""School improvement (seed 002): a school's improvement plans and goals (entered or imported),
an engagement's target areas, action steps and check-ins, and the district view. The same
services, selectors and policy as the pages: plans are the school's document, target areas,
action steps and check-ins are content at their visibility, the district view is aggregates
and metadata. A save based on an older revision answers 409 with what changed."""

import base64
import binascii
import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from coachloop.access import policy
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.improvement import selectors, services
from coachloop.improvement.models import (
    CheckIn,
    ImprovementGoal,
    ImprovementPlan,
    SchoolActionStep,
    TargetArea,
)
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation, OrganisationKind

router = Router(tags=["improvement"])


# --- Shapes ---------------------------------------------------------------------------------------


class GoalOut(Schema):
    id: int
    plan_id: int
    title: str
    owner: str
    measure: str
    order: int


class PlanOut(Schema):
    id: int
    organisation_id: int
    title: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    is_archived: bool
    revision: int
    goals: list[GoalOut]

    @staticmethod
    def resolve_goals(obj: ImprovementPlan) -> list[ImprovementGoal]:
        return list(obj.goals.order_by("order", "id"))


class PlanIn(Schema):
    title: str
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class PlanUpdateIn(PlanIn):
    base: int | None = Field(
        None, description="The revision you read; a later change by someone else answers 409."
    )
    is_archived: bool | None = None


class GoalIn(Schema):
    title: str
    owner: str = ""
    measure: str = ""
    base: int | None = Field(None, description="The plan's revision you read.")


class ImportIn(Schema):
    filename: str = Field(description="Ends in .csv or .xlsx.")
    content_base64: str = Field(description="The file's bytes, base64-encoded.")
    base: int | None = Field(None, description="The plan's revision you read.")


class TargetAreaOut(Schema):
    id: int
    engagement_id: int
    administration_id: int
    kind: str = Field(description="target or strength")
    domain: str
    item: str = Field(description="Empty: the whole domain.")
    title: str
    rationale: str
    author: dict[str, Any] | None
    visibility: str
    created_at: datetime.datetime
    withdrawn_at: datetime.datetime | None

    @staticmethod
    def resolve_author(obj: TargetArea) -> dict[str, Any] | None:
        return person(obj.author)


class TargetAreaIn(Schema):
    administration_id: int
    domain: str
    item: str = ""
    kind: str = "target"
    rationale: str = ""
    visibility: str | None = None


class ActionStepOut(Schema):
    id: int
    engagement_id: int
    target_area_id: int
    goal_id: int | None
    text: str
    owner: dict[str, Any] | None
    due_on: datetime.date
    measure: str
    status: str = Field(description="planned, underway, done or dropped")
    visibility: str
    revision: int
    overdue: bool

    @staticmethod
    def resolve_owner(obj: SchoolActionStep) -> dict[str, Any] | None:
        return person(obj.owner)

    @staticmethod
    def resolve_overdue(obj: SchoolActionStep) -> bool:
        return obj.due_on < timezone.localdate() and obj.status in selectors.OPEN_STATUSES


class ActionStepIn(Schema):
    target_area_id: int
    text: str
    owner_id: int
    due_on: datetime.date
    measure: str
    goal_id: int | None = None
    status: str = "planned"
    visibility: str | None = None


class ActionStepUpdateIn(ActionStepIn):
    base: int | None = Field(
        None, description="The revision you read; a later change by someone else answers 409."
    )


class CheckInOut(Schema):
    id: int
    action_step_id: int
    progress: str = Field(description="on_track, at_risk, stalled or done")
    summary: str
    barriers: str
    overcome: str
    support: str
    partner: str
    author: dict[str, Any] | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: CheckIn) -> dict[str, Any] | None:
        return person(obj.author)


class CheckInIn(Schema):
    progress: str
    summary: str
    barriers: str = ""
    overcome: str = ""
    support: str = ""
    partner: str = Field("", description="One of the playbook's partners, or Other.")


class DistrictRowOut(Schema):
    school_id: int
    school: str
    target_areas: int
    strengths: int
    target_area_titles: list[str] = Field(
        description="Only areas shared with sponsors or the programme that you may read."
    )
    action_steps: int
    planned: int
    underway: int
    done: int
    dropped: int
    overdue: int
    latest_check_in: str | None
    latest_check_in_at: datetime.datetime | None


class DistrictOut(Schema):
    organisation_id: int
    count: int
    page: int
    pages: int
    items: list[DistrictRowOut]


class DistrictQuery(Schema):
    organisation_id: int | None = None
    status: str = Field("", description="overdue, none, planned, underway, done or dropped")
    q: str = ""
    sort: str = Field("name", description="name, -name, overdue, targets or latest")
    page: int = 1


# --- Plans ----------------------------------------------------------------------------------------


def _school(request: HttpRequest, pk: int) -> Organisation:
    school = policy.get_visible_or_404(user_of(request), Organisation, pk)
    if school.kind != OrganisationKind.SCHOOL:
        raise Http404
    return school


def _plan(request: HttpRequest, pk: int) -> ImprovementPlan:
    return policy.get_visible_or_404(user_of(request), ImprovementPlan, pk)


@router.get(
    "/schools/{pk}/improvement-plans",
    response=list[PlanOut],
    summary="A school's improvement plans, with their goals",
)
def plan_list(request: HttpRequest, pk: int) -> Any:
    school = _school(request, pk)
    return (
        selectors.school_plans(user_of(request), school)
        .prefetch_related("goals")
        .order_by("is_archived", "-starts_on", "-id")
    )


@router.post(
    "/schools/{pk}/improvement-plans",
    response={201: PlanOut},
    summary="Start a school's improvement plan (its leaders, coaches, programme administrators)",
)
def plan_create(request: HttpRequest, pk: int, payload: PlanIn) -> Status[ImprovementPlan]:
    plan = services.plan_create(
        actor=user_of(request),
        organisation=_school(request, pk),
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, plan)


@router.get("/improvement-plans/{pk}", response=PlanOut, summary="An improvement plan")
def plan_get(request: HttpRequest, pk: int) -> ImprovementPlan:
    return _plan(request, pk)


@router.put(
    "/improvement-plans/{pk}",
    response=PlanOut,
    summary="Change a plan's title and dates (or archive it); name the revision you read",
)
def plan_update(request: HttpRequest, pk: int, payload: PlanUpdateIn) -> ImprovementPlan:
    user = user_of(request)
    plan = services.plan_update(
        actor=user,
        plan=_plan(request, pk),
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        base=payload.base,
    )
    if payload.is_archived is not None and payload.is_archived != plan.is_archived:
        plan = services.plan_archive(actor=user, plan=plan, archived=payload.is_archived)
    return plan


@router.post(
    "/improvement-plans/{pk}/goals",
    response={201: GoalOut},
    summary="Add a goal at the end of the plan",
)
def goal_add(request: HttpRequest, pk: int, payload: GoalIn) -> Status[ImprovementGoal]:
    goal = services.goal_add(
        actor=user_of(request),
        plan=_plan(request, pk),
        title=payload.title,
        owner=payload.owner,
        measure=payload.measure,
        base=payload.base,
    )
    return Status(201, goal)


def _goal(request: HttpRequest, pk: int, goal_id: int) -> ImprovementGoal:
    plan = _plan(request, pk)
    goal = ImprovementGoal.objects.filter(pk=goal_id, plan=plan).first()
    if goal is None:
        raise Http404
    return goal


@router.put("/improvement-plans/{pk}/goals/{goal_id}", response=GoalOut, summary="Change a goal")
def goal_update(request: HttpRequest, pk: int, goal_id: int, payload: GoalIn) -> ImprovementGoal:
    return services.goal_update(
        actor=user_of(request),
        goal=_goal(request, pk, goal_id),
        title=payload.title,
        owner=payload.owner,
        measure=payload.measure,
        base=payload.base,
    )


@router.delete(
    "/improvement-plans/{pk}/goals/{goal_id}",
    response={204: None},
    summary="Remove a goal that no action step serves",
)
def goal_remove(request: HttpRequest, pk: int, goal_id: int) -> HttpResponse:
    services.goal_remove(actor=user_of(request), goal=_goal(request, pk, goal_id))
    return HttpResponse(status=204)


@router.post(
    "/improvement-plans/{pk}/goals/{goal_id}/move",
    response=list[GoalOut],
    summary="Move a goal up (offset -1) or down (+1); the plan's goals in their new order",
)
def goal_move(request: HttpRequest, pk: int, goal_id: int, offset: int) -> list[ImprovementGoal]:
    return services.goal_move(
        actor=user_of(request), goal=_goal(request, pk, goal_id), offset=offset
    )


@router.post(
    "/improvement-plans/{pk}/import",
    response={201: list[GoalOut]},
    summary="Import goals from a CSV or XLSX file (columns goal, owner, measure); all or nothing",
)
def goals_import(request: HttpRequest, pk: int, payload: ImportIn) -> Status[list[ImprovementGoal]]:
    try:
        data = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(
            _("content_base64 is not valid base64."), field="content_base64"
        ) from None
    goals = services.goals_import(
        actor=user_of(request),
        plan=_plan(request, pk),
        data=data,
        filename=payload.filename,
        base=payload.base,
    )
    return Status(201, goals)


# --- Target areas ---------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/target-areas",
    response=list[TargetAreaOut],
    summary="An engagement's target areas you may read (withdrawn ones too)",
)
def target_area_list(request: HttpRequest, pk: int) -> Any:
    engagement = engagement_or_404(request, pk)
    return (
        policy.target_areas_visible_to(user_of(request))
        .filter(engagement=engagement)
        .select_related("author")
        .order_by("created_at", "id")
    )


@router.post(
    "/engagements/{pk}/target-areas",
    response={201: TargetAreaOut},
    summary="Choose a domain or item of a closed survey's report as a target area or strength",
)
def target_area_create(request: HttpRequest, pk: int, payload: TargetAreaIn) -> Status[TargetArea]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    administration = (
        selectors.closed_administrations(user, engagement)
        .filter(pk=payload.administration_id)
        .first()
    )
    if administration is None:
        raise DomainError(
            _("Choose a closed survey of this engagement; its report is where areas come from."),
            field="administration_id",
        )
    try:
        area = services.target_area_choose(
            actor=user,
            engagement=engagement,
            administration=administration,
            domain=payload.domain,
            item=payload.item,
            kind=payload.kind,
            rationale=payload.rationale,
            visibility=payload.visibility,
        )
    except DomainError as error:
        if "area" in error.errors:
            error.errors = {("item" if payload.item else "domain"): error.errors["area"]}
        raise
    return Status(201, area)


@router.post(
    "/target-areas/{pk}/withdraw",
    response=TargetAreaOut,
    summary="Withdraw a target area (kept for the action steps that address it)",
)
def target_area_withdraw(request: HttpRequest, pk: int) -> TargetArea:
    user = user_of(request)
    area = policy.get_visible_or_404(user, TargetArea, pk)
    return services.target_area_withdraw(actor=user, area=area)


# --- Action steps ---------------------------------------------------------------------------------


def _refs(request: HttpRequest, payload: ActionStepIn) -> tuple[Any, Any, ImprovementGoal | None]:
    """The target area, owner and goal the payload names; unknown ones are None (the service
    then says what to choose)."""
    user = user_of(request)
    area = policy.target_areas_visible_to(user).filter(pk=payload.target_area_id).first()
    owner = policy.people_visible_to(user).filter(pk=payload.owner_id).first()
    goal = None
    if payload.goal_id is not None:
        goal = ImprovementGoal.objects.filter(
            pk=payload.goal_id, plan__in=policy.improvement_plans_visible_to(user)
        ).first()
        if goal is None:
            raise DomainError(
                _("Choose a goal of this school's improvement plan in use."), field="goal_id"
            )
    return area, owner, goal


def _renamed(error: DomainError) -> DomainError:
    names = {"target_area": "target_area_id", "owner": "owner_id", "goal": "goal_id"}
    error.errors = {names.get(k, k): v for k, v in error.errors.items()}
    return error


@router.get(
    "/engagements/{pk}/school-actions",
    response=list[ActionStepOut],
    summary="An engagement's school action steps you may read",
)
def action_step_list(request: HttpRequest, pk: int) -> Any:
    engagement = engagement_or_404(request, pk)
    return (
        policy.school_action_steps_visible_to(user_of(request))
        .filter(engagement=engagement)
        .select_related("owner")
        .order_by("due_on", "id")
    )


@router.post(
    "/engagements/{pk}/school-actions",
    response={201: ActionStepOut},
    summary="Write an action step for a target area, aligned to a goal of the school's plan",
)
def action_step_create(
    request: HttpRequest, pk: int, payload: ActionStepIn
) -> Status[SchoolActionStep]:
    engagement = engagement_or_404(request, pk)
    area, owner, goal = _refs(request, payload)
    try:
        step = services.action_step_create(
            actor=user_of(request),
            engagement=engagement,
            target_area=area,
            text=payload.text,
            owner=owner,
            due_on=payload.due_on,
            measure=payload.measure,
            goal=goal,
            status=payload.status,
            visibility=payload.visibility,
        )
    except DomainError as error:
        raise _renamed(error) from None
    return Status(201, step)


@router.get("/school-actions/{pk}", response=ActionStepOut, summary="A school action step")
def action_step_get(request: HttpRequest, pk: int) -> SchoolActionStep:
    return policy.get_visible_or_404(user_of(request), SchoolActionStep, pk)


@router.put(
    "/school-actions/{pk}",
    response=ActionStepOut,
    summary="Change an action step; name the revision you read in `base`",
)
def action_step_update(
    request: HttpRequest, pk: int, payload: ActionStepUpdateIn
) -> SchoolActionStep:
    user = user_of(request)
    step = policy.get_visible_or_404(user, SchoolActionStep, pk)
    area, owner, goal = _refs(request, payload)
    try:
        return services.action_step_update(
            actor=user,
            step=step,
            text=payload.text,
            owner=owner,
            due_on=payload.due_on,
            measure=payload.measure,
            status=payload.status,
            goal=goal,
            target_area=area,
            visibility=payload.visibility,
            base=payload.base,
        )
    except DomainError as error:
        raise _renamed(error) from None


# --- Check-ins ------------------------------------------------------------------------------------


@router.get(
    "/school-actions/{pk}/check-ins",
    response=list[CheckInOut],
    summary="An action step's check-ins, newest first: its status over time",
)
def check_in_list(request: HttpRequest, pk: int) -> Any:
    user = user_of(request)
    step = policy.get_visible_or_404(user, SchoolActionStep, pk)
    return selectors.step_check_ins(user, step)


@router.post(
    "/school-actions/{pk}/check-ins",
    response={201: CheckInOut},
    summary="Check in on an action step: progress, barriers, support and partner",
)
def check_in_create(request: HttpRequest, pk: int, payload: CheckInIn) -> Status[CheckIn]:
    user = user_of(request)
    step = policy.get_visible_or_404(user, SchoolActionStep, pk)
    check_in = services.check_in_create(
        actor=user,
        step=step,
        progress=payload.progress,
        summary=payload.summary,
        barriers=payload.barriers,
        overcome=payload.overcome,
        support=payload.support,
        partner=payload.partner,
    )
    return Status(201, check_in)


# --- District view --------------------------------------------------------------------------------

PER_PAGE = 50


@router.get(
    "/improvement/district",
    response=DistrictOut,
    summary="Target areas and action-step progress across schools (programme administrators "
    "and district representatives), paged",
)
def district(request: HttpRequest, filters: Query[DistrictQuery]) -> dict[str, Any]:
    user = user_of(request)
    organisations = selectors.districts_of(user)
    if filters.organisation_id is not None:
        organisation = organisations.filter(pk=filters.organisation_id).first()
    else:
        organisation = organisations.first()
    if organisation is None:
        raise Http404
    schools = selectors.district_schools(
        user, organisation, status=filters.status, search=filters.q, sort=filters.sort
    )
    count = schools.count()
    pages = max(1, -(-count // PER_PAGE))
    page = min(max(filters.page, 1), pages)
    chunk = list(schools[(page - 1) * PER_PAGE : page * PER_PAGE])
    items = []
    for row in selectors.district_rows(user, chunk):
        s: Any = row.school
        items.append(
            {
                "school_id": s.pk,
                "school": s.name,
                "target_areas": s.target_count,
                "strengths": s.strength_count,
                "target_area_titles": [a.title for a in row.titles],
                "action_steps": s.step_count,
                "planned": s.planned,
                "underway": s.underway,
                "done": s.done,
                "dropped": s.dropped,
                "overdue": s.overdue,
                "latest_check_in": s.latest_progress,
                "latest_check_in_at": s.latest_at,
            }
        )
    return {
        "organisation_id": organisation.pk,
        "count": count,
        "page": page,
        "pages": pages,
        "items": items,
    }
