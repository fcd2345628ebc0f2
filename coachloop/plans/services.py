"""Writes for plans: drafting versions, sending for approval, approving or returning.

Optimistic locking: every change names the version its author had open (`base`). When someone
saved a newer version in between, the change is refused with what changed, and nothing is lost:
the page keeps what the user typed, and the other person's version stays as it was."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, EngagementStatus, ParticipantRole
from coachloop.engagements.services import default_visibility, people_in, record_event
from coachloop.lib.errors import DomainError
from coachloop.notifications.services import notify
from coachloop.plans.models import Plan, PlanReview, PlanStatus, PlanVersion, ReviewDecision

GOAL_FIELDS = ("title", "measure", "evidence")
MAX_GOALS = 20


class PlanConflict(DomainError):
    """The plan changed since the user opened it; `changes` says how."""

    def __init__(self, message: str, changes: list[DiffLine]) -> None:
        super().__init__(message, status=409)
        self.changes = changes


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    text: str


def version_lines(summary: str, goals: list[dict[str, str]]) -> list[str]:
    lines = [f"{_('Summary')}: {line}" for line in summary.splitlines() if line.strip()]
    for n, goal in enumerate(goals, start=1):
        lines.append(f"{_('Goal')} {n}: {goal.get('title', '')}")
        lines.append(f"  {_('Measure')}: {goal.get('measure', '')}")
        if goal.get("evidence"):
            lines.append(f"  {_('Evidence')}: {goal['evidence']}")
    return lines


def diff(old: PlanVersion | None, new: PlanVersion) -> list[DiffLine]:
    """What changed from one version to another, line by line."""
    a = version_lines(old.summary, old.goals) if old else []
    b = version_lines(new.summary, new.goals)
    out = []
    for line in difflib.ndiff(a, b):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        out.append(DiffLine({"  ": "same", "- ": "removed", "+ ": "added"}[code], text))
    return out


def clean_goals(goals: list[dict[str, Any]]) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    for n, goal in enumerate(goals):
        row = {k: str(goal.get(k) or "").strip() for k in GOAL_FIELDS}
        if not any(row.values()):
            continue  # an empty row of the form
        if not row["title"]:
            errors[f"goals.{n}.title"] = _("Goal %d needs a title.") % (n + 1)
        if not row["measure"]:
            errors[f"goals.{n}.measure"] = _("Goal %d needs a measure of success.") % (n + 1)
        for key, value in row.items():
            if len(value) > 2000:
                errors[f"goals.{n}.{key}"] = _("Keep this under 2,000 characters.")
        cleaned.append(row)
    if not cleaned and not errors:
        errors["goals"] = _("Add at least one goal with a measure of success.")
    if len(cleaned) > MAX_GOALS:
        errors["goals"] = _("A plan holds at most %d goals.") % MAX_GOALS
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors, status=422)
    return cleaned


def plan_of(engagement: Engagement) -> Plan | None:
    return Plan.objects.filter(engagement=engagement).first()


def _spec_plan(engagement: Engagement) -> Any:
    spec = engagement.spec
    if spec is None or spec.plan is None:
        raise DomainError(_("This engagement's playbook has no plan."), status=404)
    return spec.plan


def _conflict(plan: Plan, base: int, verb: str) -> PlanConflict:
    current = plan.versions.get(number=plan.number)
    seen = plan.versions.filter(number=base).first()
    return PlanConflict(
        _(
            "The plan changed since you opened it: it is now version %(now)d, you opened "
            "version %(base)d. Nothing was %(verb)s. Read what changed below, then try again."
        )
        % {"now": plan.number, "base": base, "verb": verb},
        diff(seen, current),
    )


@transaction.atomic
def plan_save(
    *,
    actor: User,
    engagement: Engagement,
    summary: str,
    goals: list[dict[str, Any]],
    base: int,
) -> PlanVersion:
    """Save a new version of the plan. `base` is the version the author opened (0: none yet)."""
    policy.require(actor, Action.EDIT_PLAN, engagement)
    _spec_plan(engagement)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete."), status=409)
    cleaned = clean_goals(goals)
    plan, _created = Plan.objects.select_for_update().get_or_create(
        engagement=engagement,
        defaults={
            "organisation_id": engagement.organisation_id,
            "author": actor,
            "visibility": default_visibility(engagement, "plan"),
        },
    )
    if not _created and not policy.allowed(actor, Action.VIEW, plan):
        raise DomainError(_("There is no plan you can read here."), status=404)
    if base != plan.number:
        raise _conflict(plan, base, _("saved"))
    plan.number += 1
    version = PlanVersion.objects.create(
        plan=plan, number=plan.number, summary=summary.strip(), goals=cleaned, author=actor
    )
    was = plan.status
    if plan.status != PlanStatus.DRAFT:
        plan.status = PlanStatus.DRAFT  # a changed plan is sent for approval again
    plan.updated_at = timezone.now()
    plan.save(update_fields=["number", "status", "updated_at"])
    audit.record(
        actor=actor,
        action="plan.save",
        target=plan,
        data={"version": version.number, "status_before": was},
    )
    if _spec_plan(engagement).approval is None:
        record_event(engagement, "plan", actor=actor)
    return version


def _approvers(engagement: Engagement) -> list[User]:
    role = _spec_plan(engagement).approval
    return people_in(engagement, [role]) if role else []


@transaction.atomic
def plan_submit(*, actor: User, engagement: Engagement, number: int) -> Plan:
    """Send the plan, as of version `number`, to the approver."""
    policy.require(actor, Action.EDIT_PLAN, engagement)
    spec_plan = _spec_plan(engagement)
    plan = Plan.objects.select_for_update().filter(engagement=engagement).first()
    if plan is None or plan.number == 0:
        raise DomainError(_("Save the plan before sending it."), status=409)
    if not policy.allowed(actor, Action.VIEW, plan):
        raise DomainError(_("There is no plan you can read here."), status=404)
    if spec_plan.approval is None:
        raise DomainError(_("This plan needs no approval."), status=409)
    if number != plan.number:
        raise _conflict(plan, number, _("sent"))
    if plan.status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED):
        raise DomainError(
            _("This version is already %s.") % plan.get_status_display().lower(), status=409
        )
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.save(update_fields=["status", "submitted_at"])
    PlanReview.objects.create(
        plan=plan, number=number, decision=ReviewDecision.SUBMITTED, actor=actor
    )
    audit.record(actor=actor, action="plan.submit", target=plan, data={"version": number})
    record_event(engagement, "plan", actor=actor)
    notify(
        _approvers(engagement),
        _("A plan awaits your approval"),
        _("%(actor)s has sent the %(plan)s of “%(title)s” for your approval.")
        % {"actor": actor, "plan": spec_plan.short_name, "title": engagement.title},
        plan.get_absolute_url(),
    )
    return plan


@transaction.atomic
def plan_decide(
    *, actor: User, engagement: Engagement, number: int, approve: bool, comments: str = ""
) -> Plan:
    """The approver approves version `number`, or returns it with comments. A plan that changed
    after the approver opened it is refused: they approve what they read, nothing else."""
    policy.require(actor, Action.WORK, engagement)
    spec_plan = _spec_plan(engagement)
    if spec_plan.approval not in policy.participant_roles(actor, engagement):
        raise DomainError(
            _("The %s approves this plan.")
            % engagement.spec.role_label(spec_plan.approval).lower(),  # type: ignore[union-attr]
            status=403,
        )
    plan = Plan.objects.select_for_update().filter(engagement=engagement).first()
    if plan is None or not policy.allowed(actor, Action.VIEW, plan):
        raise DomainError(_("There is no plan you can read yet."), status=404)
    if number != plan.number:
        raise _conflict(plan, number, _("approved") if approve else _("returned"))
    if plan.status != PlanStatus.SUBMITTED:
        raise DomainError(_("This plan is not awaiting approval."), status=409)
    if not approve and not comments.strip():
        raise DomainError(_("Say what should change before returning the plan."), field="comments")
    decision = ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    if approve:
        plan.approved_number = number
    plan.save(update_fields=["status", "approved_number"])
    PlanReview.objects.create(
        plan=plan, number=number, decision=decision, comments=comments.strip(), actor=actor
    )
    audit.record(actor=actor, action=f"plan.{decision}", target=plan, data={"version": number})
    if approve:
        record_event(engagement, "plan_approval", actor=actor)
    notify(
        people_in(engagement, [ParticipantRole.COACH, ParticipantRole.COACHEE]),
        _("The plan was approved") if approve else _("The plan was returned with comments"),
        _("%(actor)s has %(verb)s version %(number)d of the %(plan)s of “%(title)s”.")
        % {
            "actor": actor,
            "verb": _("approved") if approve else _("returned"),
            "number": number,
            "plan": spec_plan.short_name,
            "title": engagement.title,
        },
        plan.get_absolute_url(),
    )
    return plan
