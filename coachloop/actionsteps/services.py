"""Writes for action steps and the action-step library.

A coach sets a teacher's action step, picked from the library or written in their own words; a
teacher has at most the playbook's `cycle.current_steps` current steps in one engagement. Coach
and teacher study the step (the cycle's Study stage), add resources to it, and the coach marks
it mastered or paused. Programme administrators keep their organisations' libraries; the file
import and export live in `library`.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps import cycles
from coachloop.actionsteps import library as lib
from coachloop.actionsteps.models import (
    ActionStep,
    ActionStepResource,
    ActionStepStatus,
    Cycle,
    LibraryCategory,
    LibraryStep,
)
from coachloop.engagements.models import Engagement, ParticipantRole, Resource
from coachloop.engagements.services import (
    check_visibility,
    default_visibility,
    record_event,
    require_active,
    resource_add,
)
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation

STARTER_LIBRARY = Path(__file__).with_name("starter_library.yaml")
REPLACE_CHOICES = (ActionStepStatus.MASTERED, ActionStepStatus.PAUSED)


# --- Action steps ---------------------------------------------------------------------------------


def _coachee_of(engagement: Engagement, coachee: User | None) -> User:
    coachees = [
        p.user
        for p in engagement.participants.select_related("user").filter(role=ParticipantRole.COACHEE)
    ]
    if coachee is not None:
        if coachee.pk not in {u.pk for u in coachees}:
            raise DomainError(_("Choose a teacher coached in this engagement."), field="coachee")
        return coachee
    if len(coachees) == 1:
        return coachees[0]
    if not coachees:
        raise DomainError(
            _("This engagement has no coachee to set an action step for."), status=409
        )
    raise DomainError(_("Choose whose action step this is."), field="coachee")


def _step_limit(engagement: Engagement) -> int:
    spec = engagement.spec
    if spec is None or spec.cycle is None:
        raise DomainError(
            _("This engagement's playbook has no coaching cycle, so it has no action steps."),
            status=409,
        )
    return spec.cycle.current_steps


def _clean_criteria(criteria: list[str]) -> list[str]:
    cleaned = [lib.clean_line(c) for c in criteria if lib.clean_line(c)]
    if not cleaned:
        raise DomainError(
            _("Write at least one success criterion: what you will see when it is done well."),
            field="success_criteria",
        )
    if len(cleaned) > lib.MAX_CRITERIA:
        raise DomainError(
            _("Keep it to %(max)d success criteria at most (you wrote %(n)d).")
            % {"max": lib.MAX_CRITERIA, "n": len(cleaned)},
            field="success_criteria",
        )
    long = next((c for c in cleaned if len(c) > lib.CRITERION_MAX), None)
    if long is not None:
        raise DomainError(
            _("Keep each success criterion under %d characters.") % lib.CRITERION_MAX,
            field="success_criteria",
        )
    return cleaned


def _current_steps(engagement: Engagement, coachee: User) -> list[ActionStep]:
    return list(
        ActionStep.objects.select_for_update()
        .filter(engagement=engagement, coachee=coachee, status=ActionStepStatus.CURRENT)
        .order_by("started_on", "id")
    )


def limit_message(coachee: User, current: list[ActionStep], limit: int) -> str:
    name = coachee.given_name or str(coachee)
    if limit == 1 and current:
        return _(
            "%(name)s already has a current action step, “%(step)s”. "
            "Mark it mastered or paused first."
        ) % {"name": name, "step": current[-1].title}
    titles = ", ".join(f"“{s.title}”" for s in current)
    return _(
        "%(name)s already has %(n)d current action steps (%(steps)s), as many as this playbook "
        "allows. Mark one mastered or paused first."
    ) % {"name": name, "n": len(current), "steps": titles}


def _close(step: ActionStep, status: str, on: datetime.date) -> None:
    step.status = status
    if status == ActionStepStatus.MASTERED:
        step.mastered_on = on
    else:
        step.paused_on = on
    step.updated_at = timezone.now()
    step.save(update_fields=["status", "mastered_on", "paused_on", "updated_at"])


@transaction.atomic
def action_step_create(
    *,
    actor: User,
    engagement: Engagement,
    title: str,
    success_criteria: list[str],
    goal: str = "",
    model: str = "",
    non_examples: str = "",
    library_step: LibraryStep | None = None,
    visibility: str | None = None,
    coachee: User | None = None,
    replace: str | None = None,
) -> ActionStep:
    """Set a new current action step for the engagement's coachee (its coaches only).

    From a library step, whatever is not given is copied from it (and its category's
    description becomes the larger goal). When the coachee already has as many current steps
    as the playbook allows, this is refused (409), unless `replace` is "mastered" or "paused":
    then the current steps are closed that way first, in the same transaction."""
    policy.require(actor, Action.COACH, engagement)
    require_active(engagement)
    limit = _step_limit(engagement)
    coachee = _coachee_of(engagement, coachee)
    if replace and replace not in REPLACE_CHOICES:
        raise DomainError(
            _("Choose whether the current step was mastered or is paused."), field="replace"
        )
    if library_step is not None:
        visible = policy.library_steps_visible_to(actor).filter(pk=library_step.pk)
        if not visible.exists():
            raise DomainError(_("Choose a step from your library."), field="library_step")
        title = title or library_step.title
        success_criteria = success_criteria or list(library_step.success_criteria)
        model = model or library_step.model
        non_examples = non_examples or library_step.non_examples
        goal = goal or library_step.category.description
    title = lib.clean_line(title)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Name the action step: a small, clear, measurable next step.")
    elif len(title) > lib.STEP_TITLE_MAX:
        errors["title"] = _("Keep the action step under %d characters.") % lib.STEP_TITLE_MAX
    try:
        criteria = _clean_criteria(success_criteria)
    except DomainError as error:
        errors.update(error.errors)
        criteria = []
    for name, text in (("goal", goal), ("model", model), ("non_examples", non_examples)):
        if len(text) > lib.TEXT_MAX:
            errors[name] = _("Keep this under %d characters.") % lib.TEXT_MAX
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors)
    visibility = check_visibility(visibility, default_visibility(engagement, "action_step"))
    # Lock the engagement: two coaches saving at once never make two current steps.
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    today = timezone.localdate()
    current = _current_steps(engagement, coachee)
    if len(current) >= limit:
        if not replace:
            raise DomainError(limit_message(coachee, current, limit), field="replace", status=409)
        for old in current[: len(current) - limit + 1]:
            _close(old, replace, today)
            audit.record(
                actor=actor,
                action="action_step.status",
                target=old,
                data={"status": replace},
            )
    step = ActionStep.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        coachee=coachee,
        author=actor,
        visibility=visibility,
        library_step=library_step,
        title=title,
        success_criteria=criteria,
        goal=lib.clean_text(goal),
        model=lib.clean_text(model),
        non_examples=lib.clean_text(non_examples),
        started_on=today,
    )
    cycle = cycles.ensure_open_cycle(engagement, on=today)
    if cycle is not None and cycle.action_step_id is None:
        cycle.action_step = step
        cycle.save(update_fields=["action_step"])
    record_event(engagement, "action_step", actor=actor)
    audit.record(
        actor=actor,
        action="action_step.create",
        target=step,
        data={"visibility": visibility, "library_step": library_step.pk if library_step else None},
    )
    return step


@transaction.atomic
def action_step_set_status(*, actor: User, step: ActionStep, status: str) -> ActionStep:
    """Mark a step mastered or paused (dated today), or make it current again (within the
    playbook's limit). Coaches only."""
    engagement = step.engagement
    policy.require(actor, Action.COACH, engagement)
    require_active(engagement)
    if status not in ActionStepStatus.values:
        raise DomainError(_("Choose current, mastered or paused."), field="status")
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    if step.status == status:
        return step
    before = step.status
    if status == ActionStepStatus.CURRENT:
        limit = _step_limit(engagement)
        current = _current_steps(engagement, step.coachee)
        if len(current) >= limit:
            raise DomainError(limit_message(step.coachee, current, limit), status=409)
        step.status = status
        step.mastered_on = None
        step.paused_on = None
        step.updated_at = timezone.now()
        step.save(update_fields=["status", "mastered_on", "paused_on", "updated_at"])
        cycle = cycles.ensure_open_cycle(engagement)
        if cycle is not None and cycle.action_step_id is None:
            cycle.action_step = step
            cycle.save(update_fields=["action_step"])
    else:
        _close(step, status, timezone.localdate())
    audit.record(
        actor=actor,
        action="action_step.status",
        target=step,
        data={"from": before, "status": status},
    )
    return step


def _require_team(actor: User, step: ActionStep) -> None:
    if not policy.allowed(actor, Action.ADD_NOTE, step.engagement):
        raise PermissionDenied
    if not policy.action_steps_visible_to(actor).filter(pk=step.pk).exists():
        raise PermissionDenied


@transaction.atomic
def action_step_studied(
    *, actor: User, step: ActionStep, on: datetime.date | None = None
) -> Cycle | None:
    """Coach and teacher have studied the step: the open cycle's Study stage is done."""
    _require_team(actor, step)
    require_active(step.engagement)
    if not ActionStep.objects.filter(pk=step.pk, status=ActionStepStatus.CURRENT).exists():
        raise DomainError(_("Study the current action step; this one is not current."), status=409)
    on = on or timezone.localdate()
    cycle = cycles.mark_studied(step.engagement, on)
    audit.record(actor=actor, action="action_step.studied", target=step, data={"on": str(on)})
    return cycle


@transaction.atomic
def action_step_add_resource(
    *,
    actor: User,
    step: ActionStep,
    title: str,
    url: str = "",
    upload: UploadedFile[bytes] | None = None,
) -> Resource:
    """A link or file for studying the step: an engagement resource, at the step's
    visibility, linked to the step."""
    _require_team(actor, step)
    require_active(step.engagement)
    resource = resource_add(
        actor=actor,
        engagement=step.engagement,
        title=title,
        url=url.strip(),
        upload=upload,
        visibility=step.visibility,
    )
    ActionStepResource.objects.create(action_step=step, resource=resource)
    return resource


# --- The library ----------------------------------------------------------------------------------


def _require_manage(actor: User, organisation: Organisation) -> None:
    if not policy.allowed(actor, Action.MANAGE, organisation):
        raise DomainError(
            _("Only the programme administrators of %s keep its library.") % organisation,
            status=403,
        )


def _category_fields(title: str, description: str) -> tuple[str, str]:
    title = lib.clean_line(title)
    description = lib.clean_text(description)
    if not title:
        raise DomainError(_("Give the category a title."), field="title")
    if len(title) > lib.CATEGORY_TITLE_MAX:
        raise DomainError(
            _("Keep the title under %d characters.") % lib.CATEGORY_TITLE_MAX, field="title"
        )
    if len(description) > lib.TEXT_MAX:
        raise DomainError(
            _("Keep the description under %d characters.") % lib.TEXT_MAX, field="description"
        )
    return title, description


@transaction.atomic
def category_create(
    *, actor: User, organisation: Organisation, title: str, description: str = ""
) -> LibraryCategory:
    _require_manage(actor, organisation)
    title, description = _category_fields(title, description)
    if LibraryCategory.objects.filter(organisation=organisation, title=title).exists():
        raise DomainError(
            _("%s already has a category with this title.") % organisation, field="title"
        )
    last = LibraryCategory.objects.filter(organisation=organisation).order_by("-position").first()
    category = LibraryCategory.objects.create(
        organisation=organisation,
        title=title,
        description=description,
        position=(last.position + 1) if last else 0,
    )
    audit.record(actor=actor, action="library.category.create", target=category)
    return category


@transaction.atomic
def category_update(
    *, actor: User, category: LibraryCategory, title: str, description: str = ""
) -> LibraryCategory:
    policy.require(actor, Action.MANAGE, category)
    title, description = _category_fields(title, description)
    clash = LibraryCategory.objects.filter(organisation_id=category.organisation_id, title=title)
    if clash.exclude(pk=category.pk).exists():
        raise DomainError(_("Another category has this title."), field="title")
    category.title = title
    category.description = description
    category.save(update_fields=["title", "description"])
    audit.record(actor=actor, action="library.category.update", target=category)
    return category


@transaction.atomic
def category_remove(*, actor: User, category: LibraryCategory) -> None:
    """Remove a category and its steps. Action steps set from them keep their own copy."""
    policy.require(actor, Action.MANAGE, category)
    audit.record(
        actor=actor,
        action="library.category.remove",
        target=category,
        data={"title": category.title, "steps": category.steps.count()},
    )
    category.delete()


def _step_fields(
    title: str,
    success_criteria: list[str],
    model: str,
    non_examples: str,
    resources: list[dict[str, str]],
) -> dict[str, Any]:
    """A library step's cleaned fields, or a DomainError naming the first field to fix."""
    title = lib.clean_line(title)
    criteria = [lib.clean_line(c) for c in success_criteria if lib.clean_line(c)]
    resource_list = [
        {"title": lib.clean_line(r.get("title", "")), "url": r.get("url", "").strip()}
        for r in resources
    ]
    cleaned: dict[str, Any] = {
        "title": title,
        "success_criteria": criteria,
        "model": lib.clean_text(model),
        "non_examples": lib.clean_text(non_examples),
        "resources": resource_list,
    }
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the action step a title.")
    elif len(title) > lib.STEP_TITLE_MAX:
        errors["title"] = _("Keep the title under %d characters.") % lib.STEP_TITLE_MAX
    criteria_problems = lib.check_criteria(criteria)
    if criteria_problems:
        errors["success_criteria"] = " ".join(criteria_problems)
    for name in ("model", "non_examples"):
        if len(cleaned[name]) > lib.TEXT_MAX:
            errors[name] = _("Keep this under %d characters.") % lib.TEXT_MAX
    resource_problems = [m for r in resource_list for m in lib.check_resource(r)]
    if len(resource_list) > lib.MAX_RESOURCES:
        resource_problems.append(_("Keep it to %d resources a step.") % lib.MAX_RESOURCES)
    if resource_problems:
        errors["resources"] = " ".join(resource_problems)
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors)
    return cleaned


@transaction.atomic
def library_step_create(
    *,
    actor: User,
    category: LibraryCategory,
    title: str,
    success_criteria: list[str],
    model: str = "",
    non_examples: str = "",
    resources: list[dict[str, str]] | None = None,
) -> LibraryStep:
    policy.require(actor, Action.MANAGE, category)
    values = _step_fields(title, success_criteria, model, non_examples, resources or [])
    if LibraryStep.objects.filter(category=category, title=values["title"]).exists():
        raise DomainError(_("This category already has a step with this title."), field="title")
    last = LibraryStep.objects.filter(category=category).order_by("-position").first()
    step = LibraryStep.objects.create(
        organisation_id=category.organisation_id,
        category=category,
        position=(last.position + 1) if last else 0,
        **values,
    )
    audit.record(actor=actor, action="library.step.create", target=step)
    return step


@transaction.atomic
def library_step_update(
    *,
    actor: User,
    step: LibraryStep,
    title: str,
    success_criteria: list[str],
    model: str = "",
    non_examples: str = "",
    resources: list[dict[str, str]] | None = None,
) -> LibraryStep:
    policy.require(actor, Action.MANAGE, step.category)
    values = _step_fields(title, success_criteria, model, non_examples, resources or [])
    clash = LibraryStep.objects.filter(category_id=step.category_id, title=values["title"])
    if clash.exclude(pk=step.pk).exists():
        raise DomainError(_("This category already has a step with this title."), field="title")
    for name, value in values.items():
        setattr(step, name, value)
    try:
        with transaction.atomic():
            step.save()
    except IntegrityError as error:
        raise DomainError(
            _("This category already has a step with this title."), field="title"
        ) from error
    audit.record(actor=actor, action="library.step.update", target=step)
    return step


@transaction.atomic
def library_step_remove(*, actor: User, step: LibraryStep) -> None:
    """Remove a step from the library. Action steps set from it keep their own copy."""
    policy.require(actor, Action.MANAGE, step.category)
    audit.record(actor=actor, action="library.step.remove", target=step, data={"title": step.title})
    step.delete()


def library_import(
    *, actor: User, organisation: Organisation, text: str | bytes, filename: str = ""
) -> lib.ImportResult:
    """See library.library_import: CSV or YAML, all checked first, nothing half-written."""
    _require_manage(actor, organisation)
    return lib.library_import(actor=actor, organisation=organisation, text=text, filename=filename)


def library_export(organisation: Organisation, format: str) -> bytes:
    if format not in ("csv", "yaml"):
        raise DomainError(_("Export as csv or yaml."), field="format")
    return lib.library_export(organisation, format)


def starter_library_text() -> str:
    return STARTER_LIBRARY.read_text(encoding="utf-8")


def library_start_from_starter(*, actor: User, organisation: Organisation) -> lib.ImportResult:
    """Coachloop's starter library, imported into an organisation that has no library yet."""
    _require_manage(actor, organisation)
    if LibraryCategory.objects.filter(organisation=organisation).exists():
        raise DomainError(
            _("%s already has a library; import the starter file on top of it instead.")
            % organisation,
            status=409,
        )
    return library_import(
        actor=actor,
        organisation=organisation,
        text=starter_library_text(),
        filename=STARTER_LIBRARY.name,
    )
