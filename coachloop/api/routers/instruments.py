"""Instruments (issue 6): the surveys a user may give, each with its versions; programme
administrators copy one into their organisation and replace its definition. The same services
and policy as the library pages (surveys.instrument_services)."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.api.common import user_of
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation
from coachloop.surveys import instrument_services as services
from coachloop.surveys import schema
from coachloop.surveys.models import Instrument, InstrumentVersion

router = Router(tags=["instruments"])


# --- Shapes ---------------------------------------------------------------------------------------


class InstrumentOut(Schema):
    id: int
    key: str
    name: str
    kind: str = Field(description="school, 360, feedback or self")
    organisation_id: int | None = Field(description="Empty for a built-in instrument.")
    is_builtin: bool
    is_archived: bool
    based_on_id: int | None
    current_version: int | None = Field(
        None, description="The number of the version new administrations are given with."
    )


class VersionRef(Schema):
    number: int
    change: str
    created_at: datetime.datetime


class VersionOut(VersionRef):
    instrument_id: int
    definition: dict[str, Any] = Field(description="The instrument in its file format, as JSON.")


class InstrumentDetailOut(InstrumentOut):
    version: VersionOut | None
    versions: list[VersionRef]


class CopyIn(Schema):
    organisation_id: int = Field(description="An organisation you administer.")
    name: str


class DefinitionIn(Schema):
    text: str | None = Field(
        None, description="The instrument file's text, YAML or JSON (docs/instruments.md)."
    )
    definition: dict[str, Any] | None = Field(
        None, description="Or the instrument as a JSON object, in the same format."
    )
    base_version: int | None = Field(
        None,
        description="The version you read; if someone has saved a later one, the answer is 409.",
    )


# --- Endpoints ------------------------------------------------------------------------------------


def _fields(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.pk,
        "key": instrument.key,
        "name": instrument.name,
        "kind": instrument.kind,
        "organisation_id": instrument.organisation_id,
        "is_builtin": instrument.is_builtin,
        "is_archived": instrument.is_archived,
        "based_on_id": instrument.based_on_id,
    }


def _detail(instrument: Instrument) -> dict[str, Any]:
    current = instrument.current
    return {
        **_fields(instrument),
        "current_version": current.number if current else None,
        "version": current,
        "versions": list(services.instrument_versions(instrument=instrument)),
    }


@router.get("/instruments", response=list[InstrumentOut], summary="Instruments you may use")
@paginate(PageNumberPagination)
def instrument_list(request: HttpRequest, q: str = "", archived: bool = True) -> Any:
    return services.instrument_list(
        user=user_of(request), query=q[:100], archived=archived
    ).annotate(current_version=F("current__number"))


@router.get(
    "/instruments/{pk}",
    response=InstrumentDetailOut,
    summary="An instrument: its current definition and its versions",
)
def instrument_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    instrument = policy.get_visible_or_404(user_of(request), Instrument, pk)
    return _detail(instrument)


@router.get(
    "/instruments/{pk}/versions/{number}",
    response=VersionOut,
    summary="One version of an instrument (administrations keep the version they were given with)",
)
def instrument_version(request: HttpRequest, pk: int, number: int) -> InstrumentVersion:
    instrument = policy.get_visible_or_404(user_of(request), Instrument, pk)
    version = services.instrument_version(instrument=instrument, number=number)
    if version is None:
        raise Http404
    return version


@router.post(
    "/instruments/{pk}/copy",
    response={201: InstrumentDetailOut},
    summary="Copy an instrument into an organisation you administer, to adapt it there",
)
def instrument_copy(request: HttpRequest, pk: int, payload: CopyIn) -> Status[dict[str, Any]]:
    user = user_of(request)
    source = policy.get_visible_or_404(user, Instrument, pk)
    organisation = policy.get_visible_or_404(user, Organisation, payload.organisation_id)
    if not policy.allowed(user, Action.MANAGE, organisation):
        raise PermissionDenied
    copy = services.instrument_copy(
        actor=user, source=source, organisation=organisation, name=payload.name
    )
    return Status(201, _detail(copy))


@router.put(
    "/instruments/{pk}/definition",
    response=InstrumentDetailOut,
    summary="Replace an instrument's definition: a new version (400 lists every problem)",
)
def instrument_definition(request: HttpRequest, pk: int, payload: DefinitionIn) -> dict[str, Any]:
    user = user_of(request)
    instrument = policy.get_visible_or_404(user, Instrument, pk)
    if instrument.is_builtin or not policy.allowed(user, Action.MANAGE, instrument):
        raise PermissionDenied
    if (payload.text is None) == (payload.definition is None):
        raise DomainError(
            _("Send the instrument as either `text` (YAML or JSON) or `definition`, not both."),
            field="text",
        )
    text = (
        payload.text if payload.text is not None else services.definition_text(payload.definition)
    )
    try:
        services.instrument_save_text(
            actor=user, instrument=instrument, text=text, base_version=payload.base_version
        )
    except schema.InstrumentError as error:
        raise DomainError(
            _("The instrument has %(n)d problem(s); nothing was saved.")
            % {"n": len(error.problems)},
            errors=services.problems_as_errors(error),
        ) from None
    instrument.refresh_from_db()
    return _detail(instrument)
