"""Writes for playbooks: loading the built-ins, copying, adapting, new versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation
from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook, PlaybookVersion

BUILTIN_DIR = Path(__file__).parent / "builtin"


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def _new_version(
    playbook: Playbook, spec: schema.Playbook, *, actor: User | None, change: str
) -> PlaybookVersion:
    last = playbook.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PlaybookVersion.objects.create(
        playbook=playbook,
        number=last + 1,
        definition=PlaybookVersion.definition_of(spec),
        digest=spec.digest(),
        change=change[:300],
        created_by=actor,
    )
    playbook.current = version
    playbook.name = spec.name
    playbook.save(update_fields=["current", "name"])
    return version


@transaction.atomic
def sync_builtin(path: Path) -> PlaybookVersion:
    """Load one built-in file; a changed file becomes a new version, an unchanged one nothing."""
    spec = schema.load(path.read_text(encoding="utf-8"), path.name)
    playbook, _created = Playbook.objects.select_for_update().get_or_create(
        organisation=None, key=spec.key, defaults={"name": spec.name}
    )
    current = playbook.current
    if current is not None and current.digest == spec.digest():
        return current
    return _new_version(playbook, spec, actor=None, change=_("Loaded from %s") % path.name)


def sync_all_builtin() -> list[PlaybookVersion]:
    return [sync_builtin(path) for path in builtin_files()]


def load_builtin_after_migrate(**kwargs: Any) -> None:
    """post_migrate: the built-in playbooks are part of the schema's data."""
    plan = kwargs.get("plan") or []
    if any(backwards for _migration, backwards in plan):
        return
    sync_all_builtin()


# --- Adapting -------------------------------------------------------------------------------------


@transaction.atomic
def playbook_copy(
    *, actor: User, source: Playbook, organisation: Organisation, name: str
) -> Playbook:
    """Copy a playbook's current version into an organisation, to adapt it there."""
    policy.get_visible_or_404(actor, Playbook, source.pk)
    policy.require(actor, Action.MANAGE, organisation)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the copy a name."), field="name")
    if source.current is None:
        raise DomainError(_("This playbook has no version to copy."))
    key = schema_key = _unique_key(organisation, name)
    data = dict(source.current.definition, key=schema_key, name=name)
    spec = schema.parse(data, name)
    playbook = Playbook.objects.create(
        organisation=organisation, key=key, name=name, based_on=source
    )
    _new_version(
        playbook,
        spec,
        actor=actor,
        change=_("Copied from %(name)s v%(number)s")
        % {"name": source.name, "number": source.current.number},
    )
    audit.record(
        actor=actor,
        action="playbook.copy",
        target=playbook,
        organisation=organisation,
        data={"from": source.pk},
    )
    return playbook


def _unique_key(organisation: Organisation, name: str) -> str:
    from django.utils.text import slugify

    base = (slugify(name) or "playbook")[:50]
    taken = set(
        Playbook.objects.filter(organisation=organisation, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _check_base(playbook: Playbook, base_version: int | None) -> None:
    """Optimistic locking: refuse a change made to a version someone has since replaced."""
    assert playbook.current is not None
    if base_version is not None and base_version != playbook.current.number:
        raise DomainError(
            _(
                "Someone saved version %(now)s of this playbook after you opened version "
                "%(base)s. Your change was not saved; open the playbook again and repeat it."
            )
            % {"now": playbook.current.number, "base": base_version},
            status=409,
        )


def _require_adaptable(actor: User, playbook: Playbook) -> None:
    policy.get_visible_or_404(actor, Playbook, playbook.pk)
    if playbook.is_builtin:
        raise DomainError(
            _("Built-in playbooks can't be changed; copy this one to adapt it."), status=403
        )
    policy.require(actor, Action.MANAGE, playbook)


@transaction.atomic
def playbook_update_step(
    *,
    actor: User,
    playbook: Playbook,
    step_key: str,
    title: str,
    due_days: int,
    checklist: list[str],
    description: str | None = None,
    base_version: int | None = None,
) -> PlaybookVersion:
    """Rename a step, change its timing or its checklist: a new version of the playbook."""
    _require_adaptable(actor, playbook)
    playbook = (
        Playbook.objects.select_for_update(of=("self",))
        .select_related("current")
        .get(pk=playbook.pk)
    )
    _check_base(playbook, base_version)
    assert playbook.current is not None
    data = playbook.current.definition
    found = False
    for phase in data["phases"]:
        for step in phase["steps"]:
            if step["key"] == step_key:
                found = True
                before = (step["title"], step["due_days"], list(step.get("checklist", [])))
                step["title"] = title.strip()
                step["due_days"] = due_days
                step["checklist"] = [item.strip() for item in checklist if item.strip()]
                if description is not None:
                    step["description"] = description.strip()
    if not found:
        raise DomainError(_("This playbook has no such step."), status=404)
    try:
        spec = schema.parse(data, playbook.name)
    except schema.PlaybookError as error:
        field = {"title": "title", "due_days": "due_days", "checklist": "checklist"}
        problem = error.problems[0]
        last = problem.path.rsplit(".", 1)[-1].split("[")[0]
        raise DomainError(problem.message.capitalize(), field=field.get(last)) from None
    version = _new_version(
        playbook, spec, actor=actor, change=_("Changed step “%s”") % spec_title(spec, step_key)
    )
    audit.record(
        actor=actor,
        action="playbook.step_change",
        target=playbook,
        organisation=playbook.organisation,
        data={"step": step_key, "before": before, "version": version.number},
    )
    return version


def spec_title(spec: schema.Playbook, step_key: str) -> str:
    return next((s.title for _p, s in spec.steps() if s.key == step_key), step_key)


@transaction.atomic
def playbook_save_text(
    *, actor: User, playbook: Playbook, text: str, base_version: int | None = None
) -> PlaybookVersion:
    """Replace the playbook with an edited file: validated in full, then a new version."""
    _require_adaptable(actor, playbook)
    playbook = (
        Playbook.objects.select_for_update(of=("self",))
        .select_related("current")
        .get(pk=playbook.pk)
    )
    _check_base(playbook, base_version)
    spec = schema.load(text, f"{playbook.key}.yaml")  # PlaybookError: the view lists problems
    if spec.key != playbook.key:
        raise schema.PlaybookError(
            f"{playbook.key}.yaml",
            [schema.Problem("key", f'must stay "{playbook.key}"; copy the playbook for a new one')],
        )
    assert playbook.current is not None
    if spec.digest() == playbook.current.digest:
        return playbook.current
    version = _new_version(playbook, spec, actor=actor, change=_("Edited as a file"))
    audit.record(
        actor=actor,
        action="playbook.edit",
        target=playbook,
        organisation=playbook.organisation,
        data={"version": version.number},
    )
    return version
