"""The engagement's plan (the performance playbook's IPCAP): versions, sending for approval and the
sponsor's decision, with optimistic locking: every change names the version it was made to."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api import engagement_schemas as s
from coachloop.api.common import engagement_or_404, user_of
from coachloop.engagements.models import Engagement
from coachloop.plans import selectors as plan_selectors
from coachloop.plans import services as plans
from coachloop.plans.models import Plan

router = Router(tags=["plans"])


def _visible_plan(user: User, engagement: Engagement) -> Plan:
    """The plan, if the user may read it; 404 otherwise, as when there is none yet."""
    plan = plan_selectors.visible_plan(user=user, engagement=engagement)
    if plan is None:
        raise Http404
    return plan


def _guard(user: User, engagement: Engagement) -> None:
    """Before a change: a plan that exists but that the user may not read answers 404, so a
    change (or a conflict's list of changes) never reveals it."""
    plan = plans.plan_of(engagement)
    if plan is not None and not policy.allowed(user, Action.VIEW, plan):
        raise Http404


def _out(user: User, engagement: Engagement) -> dict[str, Any]:
    plan = _visible_plan(user, engagement)
    spec = engagement.spec
    spec_plan = spec.plan if spec else None
    current = plan.versions.select_related("author").filter(number=plan.number).first()
    return {
        "engagement_id": engagement.pk,
        "name": spec_plan.name if spec_plan else "",
        "short_name": spec_plan.short_name if spec_plan else "",
        "approval_role": spec_plan.approval if spec_plan else None,
        "status": plan.status,
        "number": plan.number,
        "approved_number": plan.approved_number,
        "visibility": plan.visibility,
        "submitted_at": plan.submitted_at,
        "updated_at": plan.updated_at,
        "current": current,
        "reviews": list(plan.reviews.select_related("actor")),
    }


@router.get(
    "/engagements/{pk}/plan",
    response=s.PlanOut,
    summary="The plan's current version, status and approval trail (404 unless you may read it)",
)
def plan_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _out(user_of(request), engagement_or_404(request, pk))


@router.get(
    "/engagements/{pk}/plan/versions",
    response=list[s.PlanVersionOut],
    summary="Every saved version of the plan, newest first",
)
@paginate(PageNumberPagination)
def plan_versions(request: HttpRequest, pk: int) -> Any:
    plan = _visible_plan(user_of(request), engagement_or_404(request, pk))
    return plan_selectors.versions(plan)


@router.put(
    "/engagements/{pk}/plan",
    response=s.PlanOut,
    summary="Save a new version; `base` is the version you opened (409 with the changes if stale)",
)
def plan_save(request: HttpRequest, pk: int, payload: s.PlanIn) -> dict[str, Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    _guard(user, engagement)
    plans.plan_save(
        actor=user,
        engagement=engagement,
        summary=payload.summary,
        goals=[goal.model_dump() for goal in payload.goals],
        base=payload.base,
    )
    return _out(user, engagement)


@router.post(
    "/engagements/{pk}/plan/submit",
    response=s.PlanOut,
    summary="Send version `number` of the plan for approval",
)
def plan_submit(request: HttpRequest, pk: int, payload: s.PlanSubmitIn) -> dict[str, Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    _guard(user, engagement)
    plans.plan_submit(actor=user, engagement=engagement, number=payload.number)
    return _out(user, engagement)


@router.post(
    "/engagements/{pk}/plan/decision",
    response=s.PlanOut,
    summary="Approve version `number`, or return it with comments (the approver)",
)
def plan_decision(request: HttpRequest, pk: int, payload: s.PlanDecisionIn) -> dict[str, Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    _visible_plan(user, engagement)  # one decides on a plan one can read
    plans.plan_decide(
        actor=user,
        engagement=engagement,
        number=payload.number,
        approve=payload.approve,
        comments=payload.comments,
    )
    return _out(user, engagement)
