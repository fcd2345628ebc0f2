"""Reads for the plan pages. The plan is confidential content: whoever may not read it gets a
404, the same answer as for a plan that does not exist."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.plans.models import Plan, PlanReview, PlanStatus, PlanVersion
from coachloop.playbooks.schema import PlanSpec


@dataclass
class PlanPage:
    engagement: Engagement
    spec: PlanSpec
    plan: Plan | None
    current: PlanVersion | None
    reviews: list[PlanReview] = field(default_factory=list)
    can_edit: bool = False
    can_submit: bool = False
    can_decide: bool = False
    approver_label: str = ""


def plan_spec(engagement: Engagement) -> PlanSpec:
    spec = engagement.spec
    if spec is None or spec.plan is None:
        raise Http404
    return spec.plan


def visible_plan(*, user: User, engagement: Engagement) -> Plan | None:
    """The engagement's plan if the user may read it; None when there is none yet and the user
    takes part in the engagement; 404 otherwise."""
    plan = policy.plans_visible_to(user).filter(engagement=engagement).first()
    if plan is not None:
        return plan
    if Plan.objects.filter(engagement=engagement).exists():
        raise Http404
    if not policy.participant_roles(user, engagement):
        raise Http404
    return None


def plan_page(*, user: User, engagement: Engagement) -> PlanPage:
    spec = plan_spec(engagement)
    plan = visible_plan(user=user, engagement=engagement)
    current = None
    reviews: list[PlanReview] = []
    if plan is not None and plan.number:
        current = plan.versions.select_related("author").get(number=plan.number)
        reviews = list(plan.reviews.select_related("actor"))
    active = engagement.status != EngagementStatus.COMPLETED
    can_edit = active and policy.allowed(user, Action.EDIT_PLAN, engagement)
    status = plan.status if plan else PlanStatus.DRAFT
    playbook = engagement.spec
    assert playbook is not None
    return PlanPage(
        engagement=engagement,
        spec=spec,
        plan=plan,
        current=current,
        reviews=reviews,
        can_edit=can_edit,
        can_submit=(
            can_edit
            and spec.approval is not None
            and current is not None
            and status in (PlanStatus.DRAFT, PlanStatus.RETURNED)
        ),
        can_decide=(
            spec.approval is not None
            and spec.approval in policy.participant_roles(user, engagement)
            and status == PlanStatus.SUBMITTED
        ),
        approver_label=playbook.role_label(spec.approval).lower() if spec.approval else "",
    )


def versions(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("author").order_by("-number")


def version_or_none(plan: Plan, number: int) -> PlanVersion | None:
    return plan.versions.filter(number=number).first()
