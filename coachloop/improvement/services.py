"""Writes for school improvement (seed 002): the school improvement plan and its goals (entered
or imported), the target areas a school's leaders and their coach choose from a report, the
action steps aligned to the plan, and the check-ins on them.

Every function checks the policy first, validates everything before writing and writes in one
transaction; a refusal is a DomainError with a message the user can act on. Plans and action
steps carry a revision: a save based on an older revision is refused (409) with what changed,
and nothing is written. Every change is in the audit trail."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.engagements.services import (
    check_visibility,
    default_visibility,
    record_event,
    require_active,
)
from coachloop.improvement import imports, selectors
from coachloop.improvement.models import (
    CheckIn,
    ImprovementGoal,
    ImprovementPlan,
    SchoolActionStep,
    TargetArea,
)
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation, OrganisationKind
from coachloop.plans.services import DiffLine, PlanConflict
from coachloop.surveys.models import Administration

TITLE_MAX = 200


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], field=first, errors=errors)


def _date(value: datetime.date | None) -> str:
    return date_format(value) if value else _("none")


# --- Plans ----------------------------------------------------------------------------------------


def _clean_plan(title: str, starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the plan a title, for example “School improvement plan 2026-27”.")
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = _("Keep the title to %d characters.") % TITLE_MAX
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The end (%(end)s) is before the start (%(start)s).") % {
            "end": date_format(ends_on),
            "start": date_format(starts_on),
        }
    _raise(errors)


@transaction.atomic
def plan_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> ImprovementPlan:
    """A school's improvement plan, by its leaders, its coaches or programme administrators."""
    if not policy.organisations_visible_to(actor).filter(pk=organisation.pk).exists():
        raise DomainError(_("No such school."), status=404)
    if organisation.kind != OrganisationKind.SCHOOL:
        raise DomainError(_("Improvement plans belong to schools."), status=404)
    if not selectors.may_plan_at(actor, organisation):
        raise DomainError(
            _(
                "The school's leaders, its coaches and programme administrators write its "
                "improvement plan."
            ),
            status=403,
        )
    _clean_plan(title, starts_on, ends_on)
    plan = ImprovementPlan.objects.create(
        organisation=organisation,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    audit.record(actor=actor, action="improvement_plan.create", target=plan)
    return plan


def plan_for_writer(actor: User, plan: ImprovementPlan) -> ImprovementPlan:
    """The plan, locked, if the actor may read it (404 otherwise) and change it (403)."""
    if not policy.improvement_plans_visible_to(actor).filter(pk=plan.pk).exists():
        raise DomainError(_("No such improvement plan."), status=404)
    if not policy.improvement_plans_managed_by(actor).filter(pk=plan.pk).exists():
        raise DomainError(
            _(
                "The school's leaders, its coaches and programme administrators change its "
                "improvement plan."
            ),
            status=403,
        )
    return ImprovementPlan.objects.select_for_update().get(pk=plan.pk)


def plan_lines(plan: ImprovementPlan) -> list[str]:
    lines = [
        f"{_('Title')}: {plan.title}",
        f"{_('Starts on')}: {_date(plan.starts_on)}",
        f"{_('Ends on')}: {_date(plan.ends_on)}",
    ]
    for n, goal in enumerate(plan.goals.order_by("order", "id"), start=1):
        lines.append(f"{_('Goal')} {n}: {goal.title}")
        if goal.owner:
            lines.append(f"  {_('Owner')}: {goal.owner}")
        if goal.measure:
            lines.append(f"  {_('Measure')}: {goal.measure}")
    return lines


def _check_plan_base(plan: ImprovementPlan, base: int | None, mine: list[str] | None) -> None:
    """Refuse a save based on an older revision: 409, with how the saved plan differs from what
    the writer is saving (or, without that, the saved plan's lines)."""
    if base is None or base == plan.revision:
        return
    saved = plan_lines(plan)
    if mine is None:
        changes = [DiffLine("same", line) for line in saved]
    else:
        changes = [DiffLine("added", line) for line in saved if line not in mine]
        changes += [DiffLine("removed", line) for line in mine if line not in saved]
    raise PlanConflict(
        _(
            "Someone changed this improvement plan after you opened it. Your changes were not "
            "saved; they are still in the form. Read what changed, then save again."
        ),
        changes,
    )


def _bump(plan: ImprovementPlan) -> None:
    plan.revision += 1
    plan.updated_at = timezone.now()
    plan.save(update_fields=["revision", "updated_at"])


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan: ImprovementPlan,
    title: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    base: int | None = None,
) -> ImprovementPlan:
    """Change the plan's title and dates. `base` is the revision the writer opened."""
    plan = plan_for_writer(actor, plan)
    mine = plan_lines(plan)
    mine[0:3] = [
        f"{_('Title')}: {title.strip()}",
        f"{_('Starts on')}: {_date(starts_on)}",
        f"{_('Ends on')}: {_date(ends_on)}",
    ]
    _check_plan_base(plan, base, mine)
    _clean_plan(title, starts_on, ends_on)
    before = {
        "title": plan.title,
        "starts_on": plan.starts_on and plan.starts_on.isoformat(),
        "ends_on": plan.ends_on and plan.ends_on.isoformat(),
    }
    plan.title = title.strip()
    plan.starts_on = starts_on
    plan.ends_on = ends_on
    plan.revision += 1
    plan.save()
    audit.record(
        actor=actor,
        action="improvement_plan.update",
        target=plan,
        data={"before": before, "revision": plan.revision},
    )
    return plan


@transaction.atomic
def plan_archive(*, actor: User, plan: ImprovementPlan, archived: bool = True) -> ImprovementPlan:
    """Archive a plan that is no longer in use (or bring it back). Its goals stay, as do the
    action steps that served them."""
    plan = plan_for_writer(actor, plan)
    if plan.is_archived != archived:
        plan.is_archived = archived
        plan.revision += 1
        plan.save()
        audit.record(
            actor=actor,
            action="improvement_plan.archive" if archived else "improvement_plan.restore",
            target=plan,
        )
    return plan


# --- Goals ----------------------------------------------------------------------------------------


def _clean_goal(title: str, owner: str, measure: str) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Write the goal.")
    elif len(title.strip()) > imports.GOAL_MAX:
        errors["title"] = (
            _("Keep the goal to %d characters; put the detail in the measure.") % imports.GOAL_MAX
        )
    if len(owner.strip()) > imports.OWNER_MAX:
        errors["owner"] = _("Keep the owner to %d characters.") % imports.OWNER_MAX
    if len(measure.strip()) > imports.MEASURE_MAX:
        errors["measure"] = _("Keep the measure to %d characters.") % imports.MEASURE_MAX
    _raise(errors)


def _room_for(plan: ImprovementPlan, adding: int) -> None:
    have = plan.goals.count()
    if have + adding > imports.MAX_GOALS:
        raise DomainError(
            _("A plan holds at most %(max)d goals; this one has %(have)d.")
            % {"max": imports.MAX_GOALS, "have": have},
            status=409,
        )


def _next_order(plan: ImprovementPlan) -> int:
    top = plan.goals.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def goal_add(
    *,
    actor: User,
    plan: ImprovementPlan,
    title: str,
    owner: str = "",
    measure: str = "",
    base: int | None = None,
) -> ImprovementGoal:
    plan = plan_for_writer(actor, plan)
    _check_plan_base(plan, base, None)
    _clean_goal(title, owner, measure)
    _room_for(plan, 1)
    goal = ImprovementGoal.objects.create(
        organisation_id=plan.organisation_id,
        plan=plan,
        title=title.strip(),
        owner=owner.strip(),
        measure=measure.strip(),
        order=_next_order(plan),
    )
    _bump(plan)
    audit.record(actor=actor, action="improvement_goal.create", target=goal)
    return goal


def _goal_plan(actor: User, goal: ImprovementGoal) -> ImprovementPlan:
    return plan_for_writer(actor, ImprovementPlan(pk=goal.plan_id))


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: ImprovementGoal,
    title: str,
    owner: str = "",
    measure: str = "",
    base: int | None = None,
) -> ImprovementGoal:
    plan = _goal_plan(actor, goal)
    goal = ImprovementGoal.objects.get(pk=goal.pk)
    _check_plan_base(plan, base, None)
    _clean_goal(title, owner, measure)
    before = {"title": goal.title, "owner": goal.owner, "measure": goal.measure}
    goal.title, goal.owner, goal.measure = title.strip(), owner.strip(), measure.strip()
    goal.save()
    _bump(plan)
    audit.record(actor=actor, action="improvement_goal.update", target=goal, data=before)
    return goal


@transaction.atomic
def goal_remove(*, actor: User, goal: ImprovementGoal, base: int | None = None) -> None:
    """Remove a goal no action step serves (a goal that action steps serve is their record:
    archive the plan instead)."""
    plan = _goal_plan(actor, goal)
    _check_plan_base(plan, base, None)
    serving = SchoolActionStep.objects.filter(goal_id=goal.pk).count()
    if serving:
        raise DomainError(
            _(
                "%(n)d action step(s) serve this goal, so it stays. Change their goal first, or "
                "archive the plan when it is no longer in use."
            )
            % {"n": serving},
            status=409,
        )
    audit.record(
        actor=actor,
        action="improvement_goal.delete",
        target=goal,
        data={"title": goal.title, "plan": plan.pk},
    )
    ImprovementGoal.objects.filter(pk=goal.pk).delete()
    _bump(plan)


@transaction.atomic
def goal_move(
    *, actor: User, goal: ImprovementGoal, offset: int, base: int | None = None
) -> list[ImprovementGoal]:
    """Move a goal up (offset -1) or down (+1) the plan's list; the plan's goals in order."""
    plan = _goal_plan(actor, goal)
    _check_plan_base(plan, base, None)
    goals = list(plan.goals.order_by("order", "id"))
    index = next((i for i, g in enumerate(goals) if g.pk == goal.pk), None)
    if index is None:
        raise DomainError(_("No such goal."), status=404)
    target = min(max(index + offset, 0), len(goals) - 1)
    if target != index:
        goals.insert(target, goals.pop(index))
        for n, g in enumerate(goals):
            g.order = n
        ImprovementGoal.objects.bulk_update(goals, ["order"])
        _bump(plan)
        audit.record(
            actor=actor,
            action="improvement_goal.reorder",
            target=plan,
            data={"order": [g.pk for g in goals]},
        )
    return goals


@transaction.atomic
def goals_import(
    *,
    actor: User,
    plan: ImprovementPlan,
    rows: Sequence[imports.GoalRow] | None = None,
    data: bytes | None = None,
    filename: str = "",
    base: int | None = None,
) -> list[ImprovementGoal]:
    """Add the goals of a table (or a CSV or XLSX file) after the plan's own, in the file's
    order. Any bad row: nothing is written, and every bad row is named by its line."""
    plan = plan_for_writer(actor, plan)
    _check_plan_base(plan, base, None)
    if rows is None:
        rows = imports.parse_file(data or b"", filename)
    _room_for(plan, len(rows))
    start = _next_order(plan)
    goals = ImprovementGoal.objects.bulk_create(
        ImprovementGoal(
            organisation_id=plan.organisation_id,
            plan=plan,
            title=row.title,
            owner=row.owner,
            measure=row.measure,
            order=start + n,
        )
        for n, row in enumerate(rows)
    )
    _bump(plan)
    audit.record(
        actor=actor,
        action="improvement_goal.import",
        target=plan,
        data={"goals": len(goals), "file": filename},
    )
    return goals


# --- Target areas ---------------------------------------------------------------------------------


def _require_team(actor: User, engagement: Engagement, message: str) -> None:
    """The engagement's coaches and coachees write its improvement work: 404 if the actor may
    not see the engagement, 403 if they see it but are not in the team."""
    if not policy.engagements_visible_to(actor).filter(pk=engagement.pk).exists():
        raise DomainError(_("No such engagement."), status=404)
    if not policy.allowed(actor, Action.ADD_NOTE, engagement):
        raise DomainError(message, status=403)
    require_active(engagement)


@transaction.atomic
def target_area_choose(
    *,
    actor: User,
    engagement: Engagement,
    administration: Administration,
    domain: str,
    item: str = "",
    kind: str = TargetArea.Kind.TARGET,
    rationale: str = "",
    visibility: str | None = None,
) -> TargetArea:
    """Choose a domain or item of a closed administration's report as a target area (or a
    strength to build on), with the reason. Completes the "target_areas" step."""
    _require_team(actor, engagement, _("The engagement's coaches and leaders choose target areas."))
    if (
        administration.engagement_id != engagement.pk
        or not selectors.closed_administrations(actor, engagement)
        .filter(pk=administration.pk)
        .exists()
    ):
        raise DomainError(
            _("Choose a closed survey of this engagement; its report is where areas come from."),
            field="administration",
        )
    errors: dict[str, str] = {}
    title = selectors.area_title(administration, domain, item)
    if title is None:
        errors["area"] = _("Choose a domain or an item of the survey.")
    if kind not in TargetArea.Kind.values:
        errors["kind"] = _("Choose whether it is a target area or a strength to build on.")
    if len(rationale) > 5000:
        errors["rationale"] = _("Keep the reason to 5,000 characters.")
    _raise(errors)
    assert title is not None
    taken = TargetArea.objects.filter(
        engagement=engagement,
        administration=administration,
        domain=domain,
        item=item,
        withdrawn_at__isnull=True,
    ).exists()
    if taken:
        raise DomainError(
            _("“%s” is already chosen from this survey; withdraw it first to choose it again.")
            % title,
            field="area",
            status=409,
        )
    try:
        with transaction.atomic():
            area = TargetArea.objects.create(
                organisation_id=engagement.organisation_id,
                engagement=engagement,
                administration=administration,
                kind=kind,
                domain=domain,
                item=item,
                title=title[:500],
                rationale=rationale.strip(),
                author=actor,
                visibility=check_visibility(
                    visibility, default_visibility(engagement, "target_area")
                ),
            )
    except IntegrityError:
        raise DomainError(
            _("“%s” is already chosen from this survey.") % title, field="area", status=409
        ) from None
    audit.record(
        actor=actor,
        action="target_area.create",
        target=area,
        data={"kind": kind, "domain": domain, "item": item, "visibility": area.visibility},
    )
    record_event(engagement, "target_areas", actor=actor)
    return area


@transaction.atomic
def target_area_withdraw(*, actor: User, area: TargetArea) -> TargetArea:
    """Withdraw a target area: kept (action steps may address it) but no longer in use."""
    if not policy.target_areas_visible_to(actor).filter(pk=area.pk).exists():
        raise DomainError(_("No such target area."), status=404)
    engagement = area.engagement
    _require_team(actor, engagement, _("The engagement's coaches and leaders withdraw areas."))
    area = TargetArea.objects.select_for_update().get(pk=area.pk)
    if area.withdrawn_at is None:
        area.withdrawn_at = timezone.now()
        area.save(update_fields=["withdrawn_at"])
        audit.record(actor=actor, action="target_area.withdraw", target=area)
    return area


# --- Action steps ---------------------------------------------------------------------------------


def _clean_step(
    actor: User,
    engagement: Engagement,
    *,
    text: str,
    owner: User | None,
    due_on: datetime.date | None,
    measure: str,
    status: str,
    goal: ImprovementGoal | None,
    target_area: TargetArea | None,
    due_changed: bool,
    keep_area: int | None = None,
) -> None:
    """`keep_area`: the area a step already addresses stays valid after it is withdrawn."""
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = _("Write the action step: what will be done.")
    if owner is None or not selectors.owner_choices(engagement).filter(pk=owner.pk).exists():
        errors["owner"] = _("Choose an owner from the engagement or the school's staff.")
    if due_on is None:
        errors["due_on"] = _("Enter the date it is due.")
    elif due_changed and due_on < timezone.localdate():
        errors["due_on"] = _("The due date %(due)s is in the past; choose today or later.") % {
            "due": date_format(due_on)
        }
    if not measure.strip():
        errors["measure"] = _("Say how you will know it worked: the success measure.")
    if status not in SchoolActionStep.Status.values:
        errors["status"] = _("Choose the step's status.")
    if target_area is None:
        errors["target_area"] = _("Choose the target area the step addresses.")
    elif (
        not policy.target_areas_visible_to(actor)
        .filter(pk=target_area.pk, engagement=engagement)
        .filter(Q(withdrawn_at__isnull=True) | Q(pk=keep_area))
        .exists()
    ):
        errors["target_area"] = _("Choose a target area of this engagement that is in use.")
    if (
        goal is not None
        and not selectors.goal_choices(actor, engagement).filter(pk=goal.pk).exists()
    ):
        errors["goal"] = _("Choose a goal of this school's improvement plan in use.")
    _raise(errors)


@transaction.atomic
def action_step_create(
    *,
    actor: User,
    engagement: Engagement,
    target_area: TargetArea | None,
    text: str,
    owner: User | None,
    due_on: datetime.date | None,
    measure: str,
    goal: ImprovementGoal | None = None,
    status: str = SchoolActionStep.Status.PLANNED,
    visibility: str | None = None,
) -> SchoolActionStep:
    """An action step for a target area, aligned to a goal of the school's plan. The first one
    completes the "school_actions" step."""
    _require_team(actor, engagement, _("The engagement's coaches and leaders write action steps."))
    _clean_step(
        actor,
        engagement,
        text=text,
        owner=owner,
        due_on=due_on,
        measure=measure,
        status=status,
        goal=goal,
        target_area=target_area,
        due_changed=True,
    )
    assert owner is not None
    assert due_on is not None
    assert target_area is not None
    step = SchoolActionStep.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        target_area=target_area,
        goal=goal,
        text=text.strip(),
        owner=owner,
        due_on=due_on,
        measure=measure.strip(),
        status=status,
        author=actor,
        visibility=check_visibility(visibility, default_visibility(engagement, "school_action")),
    )
    audit.record(
        actor=actor,
        action="school_action.create",
        target=step,
        data={"status": status, "visibility": step.visibility, "goal": goal and goal.pk},
    )
    record_event(engagement, "school_actions", actor=actor)
    return step


def _step_for_writer(actor: User, step: SchoolActionStep) -> SchoolActionStep:
    if not policy.school_action_steps_visible_to(actor).filter(pk=step.pk).exists():
        raise DomainError(_("No such action step."), status=404)
    engagement = Engagement.objects.get(pk=step.engagement_id)
    _require_team(actor, engagement, _("The engagement's coaches and leaders change action steps."))
    return (
        SchoolActionStep.objects.select_for_update(of=("self",))
        .select_related("engagement", "owner", "goal", "target_area")
        .get(pk=step.pk)
    )


STEP_FIELDS = ("text", "owner", "due_on", "measure", "status", "goal", "target_area", "visibility")


def step_values(step: SchoolActionStep) -> dict[str, str]:
    """The step's fields as a reader sees them (for "what changed")."""
    return {
        "text": step.text,
        "owner": str(step.owner),
        "due_on": date_format(step.due_on),
        "measure": step.measure,
        "status": str(step.get_status_display()),
        "goal": str(step.goal) if step.goal_id else "",
        "target_area": str(step.target_area),
        "visibility": str(step.get_visibility_display()),
    }


class StepConflict(PlanConflict):
    """The action step changed since the writer opened it."""


@transaction.atomic
def action_step_update(
    *,
    actor: User,
    step: SchoolActionStep,
    text: str,
    owner: User | None,
    due_on: datetime.date | None,
    measure: str,
    status: str,
    goal: ImprovementGoal | None = None,
    target_area: TargetArea | None = None,
    visibility: str | None = None,
    base: int | None = None,
) -> SchoolActionStep:
    """Change an action step. `base` is the revision the writer opened: a later save by someone
    else refuses this one (409, with what changed) and nothing is written."""
    step = _step_for_writer(actor, step)
    if base is not None and base != step.revision:
        labels = {
            "text": _("Action step"),
            "owner": _("Owner"),
            "due_on": _("Due on"),
            "measure": _("Success measure"),
            "status": _("Status"),
            "goal": _("Improvement goal"),
            "target_area": _("Target area"),
            "visibility": _("Who can read it"),
        }
        raise StepConflict(
            _(
                "Someone changed this action step after you opened it. Your changes were not "
                "saved; they are still in the form. Read the step as saved now, then save again."
            ),
            [DiffLine("same", f"{labels[k]}: {v}") for k, v in step_values(step).items()],
        )
    engagement = step.engagement
    target_area = target_area or step.target_area
    _clean_step(
        actor,
        engagement,
        text=text,
        owner=owner,
        due_on=due_on,
        measure=measure,
        status=status,
        goal=goal,
        target_area=target_area,
        due_changed=due_on != step.due_on,
        keep_area=step.target_area_id,
    )
    assert owner is not None
    assert due_on is not None
    before = {"status": step.status, "due_on": step.due_on.isoformat()}
    step.text = text.strip()
    step.owner = owner
    step.due_on = due_on
    step.measure = measure.strip()
    step.status = status
    step.goal = goal
    step.target_area = target_area
    step.visibility = check_visibility(visibility, step.visibility)
    step.revision += 1
    step.save()
    audit.record(
        actor=actor,
        action="school_action.update",
        target=step,
        data={**before, "to_status": status, "visibility": step.visibility},
    )
    return step


# --- Check-ins ------------------------------------------------------------------------------------

STATUS_AFTER = {
    CheckIn.Progress.DONE: SchoolActionStep.Status.DONE,
    CheckIn.Progress.ON_TRACK: SchoolActionStep.Status.UNDERWAY,
    CheckIn.Progress.AT_RISK: SchoolActionStep.Status.UNDERWAY,
    CheckIn.Progress.STALLED: SchoolActionStep.Status.UNDERWAY,
}


@transaction.atomic
def check_in_create(
    *,
    actor: User,
    step: SchoolActionStep,
    progress: str,
    summary: str,
    barriers: str = "",
    overcome: str = "",
    support: str = "",
    partner: str = "",
) -> CheckIn:
    """A check-in on an action step, by a member of the engagement's team. The step's status
    follows it (done: done; otherwise under way). The first completes the "check_in" step."""
    step = _step_for_writer(actor, step)
    errors: dict[str, str] = {}
    if progress not in CheckIn.Progress.values:
        errors["progress"] = _("Choose the progress: on track, at risk, stalled or done.")
    if not summary.strip():
        errors["summary"] = _("Say what moved since the last check-in.")
    partners = selectors.partners_of(step.engagement)
    if partner and partner not in partners:
        errors["partner"] = _("Choose a partner from the list: %s.") % ", ".join(partners)
    elif partner and not support.strip():
        errors["support"] = _("Say what support is needed from %s.") % partner
    if step.status == SchoolActionStep.Status.DROPPED:
        errors["progress"] = _(
            "This action step was dropped. Change its status before checking in on it."
        )
    _raise(errors)
    check_in = CheckIn.objects.create(
        organisation_id=step.organisation_id,
        action_step=step,
        progress=progress,
        summary=summary.strip(),
        barriers=barriers.strip(),
        overcome=overcome.strip(),
        support=support.strip(),
        partner=partner,
        author=actor,
    )
    status = STATUS_AFTER[CheckIn.Progress(progress)]
    data: dict[str, Any] = {"progress": progress, "step": step.pk}
    if status != step.status:
        data["status"] = {"from": step.status, "to": status}
        step.status = status
        step.revision += 1
        step.save(update_fields=["status", "revision", "updated_at"])
    audit.record(actor=actor, action="check_in.create", target=check_in, data=data)
    record_event(step.engagement, "check_in", actor=actor)
    return check_in
