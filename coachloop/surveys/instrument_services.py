"""The instrument library: reading, copying and adapting instruments (issue 6).

Writes (copy into an organisation, save an edited file, upload a new file, archive) are
transactional, go through the policy and are audited; each change is a new `InstrumentVersion`
(surveys.library.new_version), so administrations keep the version they were given with. Reads
(the list, the versions, one version laid out for its page) run a fixed number of queries.

Only programme administrators change instruments, and only their organisations' ones: built-in
instruments are copied to be adapted, never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation
from coachloop.playbooks.schema import Problem
from coachloop.surveys import schema
from coachloop.surveys.library import new_version
from coachloop.surveys.models import Instrument, InstrumentVersion

#: the largest instrument file accepted, uploaded or typed (the built-ins are under 12 KB)
MAX_FILE_BYTES = 256 * 1024
FILE_SUFFIXES = (".yaml", ".yml", ".json")

KIND_LABELS = {
    "school": gettext_lazy("School-wide survey"),
    "360": gettext_lazy("360 survey of one person"),
    "feedback": gettext_lazy("Feedback form"),
    "self": gettext_lazy("Self-assessment"),
}


# --- Reads ----------------------------------------------------------------------------------------


def can_copy(user: User) -> bool:
    """Programme administrators copy instruments into (and upload them to) their organisations."""
    return policy.organisations_administered_by(user).exists()


def instrument_list(*, user: User, query: str = "", archived: bool = True) -> QuerySet[Instrument]:
    """The instruments the user may see, built-in ones first, without their definitions."""
    instruments = policy.instruments_visible_to(user)
    for word in query.split()[:5]:
        instruments = instruments.filter(name__icontains=word)
    if not archived:
        instruments = instruments.filter(is_archived=False)
    return (
        instruments.select_related("organisation", "current", "based_on")
        .defer("current__definition")
        .order_by(F("organisation").asc(nulls_first=True), "name", "pk")
    )


def visible_ids(*, user: User, ids: set[int]) -> set[int]:
    """Which of these instruments the user may see (to link a copy's original only if they may)."""
    if not ids:
        return set()
    visible = policy.instruments_visible_to(user).filter(pk__in=ids)
    return set(visible.values_list("pk", flat=True))


def instrument_versions(*, instrument: Instrument) -> QuerySet[InstrumentVersion]:
    """The version history, newest first, without the definitions."""
    return instrument.versions.select_related("created_by").defer("definition").order_by("-number")


def instrument_version(*, instrument: Instrument, number: int | None) -> InstrumentVersion | None:
    """A given version of the instrument, or its current one; None when there is no such one."""
    if number is None:
        return instrument.current
    return instrument.versions.filter(number=number).first()


@dataclass(frozen=True)
class ItemRow:
    domain: schema.DomainSpec
    item: schema.ItemSpec
    scale: schema.ScaleSpec
    #: per role of the instrument, in its order: is this item asked of that role?
    asked: list[bool]


@dataclass(frozen=True)
class Layout:
    """One version of an instrument, arranged for its page."""

    spec: schema.Instrument
    kind: str
    roles: list[tuple[str, str]]  # (role, label)
    rows: list[ItemRow]
    #: per role: how many items and free-text questions it is asked
    counts: list[tuple[str, int, int]]
    questions: list[tuple[schema.QuestionSpec, list[bool]]]
    scale_range: tuple[int, int]


def layout(spec: schema.Instrument) -> Layout:
    scales = {s.key: s for s in spec.scales}
    roles = [(str(role), spec.role_label(role)) for role in spec.roles]
    rows = [
        ItemRow(
            domain=domain,
            item=item,
            scale=scales[item.scale],
            asked=[not item.roles or role in item.roles for role in spec.roles],
        )
        for domain, item in spec.items()
    ]
    questions = [
        (q, [not q.roles or role in q.roles for role in spec.roles]) for q in spec.questions
    ]
    counts = [
        (label, len(spec.items_for(role)), len(spec.questions_for(role))) for role, label in roles
    ]
    return Layout(
        spec=spec,
        kind=str(KIND_LABELS.get(spec.kind, spec.kind)),
        roles=roles,
        rows=rows,
        counts=counts,
        questions=questions,
        scale_range=(min(s.low for s in spec.scales), max(s.high for s in spec.scales)),
    )


# --- Checks shared by the writes ------------------------------------------------------------------


def _require_adaptable(actor: User, instrument: Instrument) -> None:
    """404 when the actor may not see it; 403 when it is built-in or not theirs to manage."""
    policy.get_visible_or_404(actor, Instrument, instrument.pk)
    if instrument.is_builtin:
        raise DomainError(
            _("Built-in instruments can't be changed; copy this one to adapt it."), status=403
        )
    if not policy.allowed(actor, Action.MANAGE, instrument):
        raise DomainError(
            _("Only the programme administrators of its organisation may change this instrument."),
            status=403,
        )


def _require_administers(actor: User, organisation: Organisation) -> None:
    if not policy.organisations_administered_by(actor).filter(pk=organisation.pk).exists():
        raise DomainError(
            _("You do not administer that organisation; choose one of yours."),
            field="organisation",
        )


def _check_base(instrument: Instrument, base_version: int | None) -> None:
    """Optimistic locking: refuse a change made to a version someone has since replaced."""
    assert instrument.current is not None
    if base_version is not None and base_version != instrument.current.number:
        raise DomainError(
            _(
                "Someone saved version %(now)s of this instrument after you opened version "
                "%(base)s. Your change was not saved; your text is kept below. Open the "
                "instrument again, then repeat your change."
            )
            % {"now": instrument.current.number, "base": base_version},
            status=409,
        )


def _unique_key(organisation: Organisation, name: str) -> str:
    base = (slugify(name) or "instrument")[:50].strip("-_") or "instrument"
    taken = set(
        Instrument.objects.filter(organisation=organisation, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _load(text: str, source: str) -> schema.Instrument:
    """A file an administrator wrote: the format's rules, and every role asked something."""
    spec = schema.load(text, source)
    problems = schema.unasked_roles(spec)
    if problems:
        raise schema.InstrumentError(source, problems)
    return spec


def decode_file(filename: str, content: bytes) -> str:
    """An uploaded instrument file's text: a .yaml, .yml or .json file of at most 256 KB in
    UTF-8. Anything else is a DomainError on the `file` field."""
    name = filename.lower()
    if not name.endswith(FILE_SUFFIXES):
        raise DomainError(
            _("Upload a .yaml or .json instrument file (this one is “%(name)s”).")
            % {"name": filename},
            field="file",
        )
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            _("The file is larger than %(max)s KB, the most an instrument file may be.")
            % {"max": MAX_FILE_BYTES // 1024},
            field="file",
        )
    if not content.strip():
        raise DomainError(_("The file is empty."), field="file")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(
            _("The file is not text in UTF-8; save it as UTF-8 and upload it again."),
            field="file",
        ) from None


# --- Writes ---------------------------------------------------------------------------------------


@transaction.atomic
def instrument_copy(
    *, actor: User, source: Instrument, organisation: Organisation, name: str
) -> Instrument:
    """Copy an instrument's current version into an organisation, to adapt it there. The copy
    gets a key of its own, made from its name."""
    policy.get_visible_or_404(actor, Instrument, source.pk)
    _require_administers(actor, organisation)
    name = name.strip()
    if not name:
        raise DomainError(_("Give the copy a name."), field="name")
    if len(name) > 200:
        raise DomainError(_("Give the copy a name of at most 200 characters."), field="name")
    if source.current is None:
        raise DomainError(_("This instrument has no version to copy."))
    key = _unique_key(organisation, name)
    try:
        spec = schema.parse(dict(source.current.definition, key=key, name=name), f"{key}.yaml")
    except schema.InstrumentError as error:
        raise DomainError(error.problems[0].message.capitalize(), field="name") from None
    copy = Instrument.objects.create(
        organisation=organisation, key=key, name=name, kind=spec.kind, based_on=source
    )
    new_version(
        copy,
        spec,
        actor=actor,
        change=_("Copied from %(name)s v%(number)s")
        % {"name": source.name, "number": source.current.number},
    )
    audit.record(
        actor=actor,
        action="instrument.copy",
        target=copy,
        organisation=organisation,
        data={"from": source.pk, "version": source.current.number},
    )
    return copy


@transaction.atomic
def instrument_save_text(
    *, actor: User, instrument: Instrument, text: str, base_version: int | None = None
) -> InstrumentVersion:
    """Replace the instrument with an edited file (YAML or JSON): checked in full, then a new
    version. Raises InstrumentError with every problem, or DomainError (403, 409 when someone
    saved a newer version since `base_version`). An unchanged file makes no version."""
    _require_adaptable(actor, instrument)
    instrument = (
        Instrument.objects.select_for_update(of=("self",))
        .select_related("current")
        .get(pk=instrument.pk)
    )
    _check_base(instrument, base_version)
    source = f"{instrument.key}.yaml"
    if len(text.encode()) > MAX_FILE_BYTES:
        raise schema.InstrumentError(
            source,
            [Problem("", f"the file may be at most {MAX_FILE_BYTES // 1024} KB")],
        )
    spec = _load(text, source)
    if spec.key != instrument.key:
        raise schema.InstrumentError(
            source,
            [Problem("key", f'must stay "{instrument.key}"; copy the instrument for a new one')],
        )
    assert instrument.current is not None
    if spec.digest() == instrument.current.digest:
        return instrument.current
    before = instrument.current.number
    version = new_version(instrument, spec, actor=actor, change=_("Edited as a file"))
    audit.record(
        actor=actor,
        action="instrument.edit",
        target=instrument,
        organisation=instrument.organisation,
        data={"from_version": before, "version": version.number, "k": spec.k},
    )
    return version


@transaction.atomic
def instrument_upload(
    *, actor: User, organisation: Organisation, filename: str, content: bytes
) -> Instrument:
    """A new instrument in the organisation, from a file. Raises DomainError for a file that is
    not an instrument file (type, size, encoding, a key already used there) and InstrumentError
    with every problem of an invalid one."""
    _require_administers(actor, organisation)
    text = decode_file(filename, content)
    spec = _load(text, filename)
    if Instrument.objects.filter(organisation=organisation, key=spec.key).exists():
        raise DomainError(
            _(
                "%(org)s already has an instrument with the key “%(key)s”. Change the key in "
                "the file, or edit that instrument instead."
            )
            % {"org": organisation.name, "key": spec.key},
            field="file",
        )
    instrument = Instrument.objects.create(
        organisation=organisation, key=spec.key, name=spec.name, kind=spec.kind
    )
    new_version(instrument, spec, actor=actor, change=_("Uploaded as %s") % filename[:200])
    audit.record(
        actor=actor,
        action="instrument.upload",
        target=instrument,
        organisation=organisation,
        data={"key": spec.key, "version": 1},
    )
    return instrument


@transaction.atomic
def instrument_archive(*, actor: User, instrument: Instrument, archived: bool = True) -> Instrument:
    """Archive an instrument (no new administrations use it; those given keep their version and
    their reports), or bring it back."""
    _require_adaptable(actor, instrument)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.is_archived != archived:
        instrument.is_archived = archived
        instrument.save(update_fields=["is_archived"])
        audit.record(
            actor=actor,
            action="instrument.archive" if archived else "instrument.restore",
            target=instrument,
            organisation=instrument.organisation,
        )
    return instrument


def problems_as_errors(error: schema.InstrumentError) -> dict[str, str]:
    """An invalid file's problems keyed by their path (several on one path: one per line), for a
    DomainError the API answers with one entry per problem."""
    errors: dict[str, str] = {}
    for problem, message in zip(error.problems, error.messages, strict=True):
        field = problem.path or "definition"
        errors[field] = f"{errors[field]}\n{message}" if field in errors else message
    return errors


def definition_text(data: Any) -> str:
    """A definition sent as a JSON object (the API) as the text the file format reads."""
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)
