"""The built-in instruments: files in instruments/, loaded into the database at migrate time.
A changed file becomes a new version; administrations keep the version they were given with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from coachloop.accounts.models import User
from coachloop.surveys import schema
from coachloop.surveys.models import Instrument, InstrumentVersion

BUILTIN_DIR = Path(__file__).parent / "instruments"


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


def new_version(
    instrument: Instrument, spec: schema.Instrument, *, actor: User | None, change: str
) -> InstrumentVersion:
    last = instrument.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=last + 1,
        definition=InstrumentVersion.definition_of(spec),
        digest=spec.digest(),
        change=change[:300],
        created_by=actor,
    )
    instrument.current = version
    instrument.name = spec.name
    instrument.kind = spec.kind
    instrument.save(update_fields=["current", "name", "kind"])
    return version


@transaction.atomic
def sync_builtin(path: Path) -> InstrumentVersion:
    spec = schema.load(path.read_text(encoding="utf-8"), path.name)
    instrument, _created = Instrument.objects.select_for_update().get_or_create(
        organisation=None, key=spec.key, defaults={"name": spec.name, "kind": spec.kind}
    )
    current = instrument.current
    if current is not None and current.digest == spec.digest():
        return current
    return new_version(instrument, spec, actor=None, change=_("Loaded from %s") % path.name)


def sync_all_builtin() -> list[InstrumentVersion]:
    return [sync_builtin(path) for path in builtin_files()]


def load_builtin_after_migrate(**kwargs: Any) -> None:
    """post_migrate: the built-in instruments are part of the schema's data."""
    plan = kwargs.get("plan") or []
    if any(backwards for _migration, backwards in plan):
        return
    sync_all_builtin()


def builtin(key: str) -> Instrument:
    return Instrument.objects.select_related("current").get(organisation=None, key=key)
