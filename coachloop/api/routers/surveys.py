"""Survey administrations (issue 6): list and read them with their response rate, start one
from an engagement, invite more people by email, make printed links (returned once), remind,
extend and close. The same services and policy as the pages. No endpoint says who has or has
not answered: invitations come without any answered state, and the response rate is one figure
for the whole administration. Results are under the reports endpoints (surveys.engine)."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.api.common import engagement_or_404, user_of
from coachloop.lib.errors import DomainError
from coachloop.surveys import selectors, services
from coachloop.surveys.models import Administration, Instrument
from coachloop.surveys.tasks import link_for

router = Router(tags=["surveys"])


# --- Shapes ---------------------------------------------------------------------------------------


class RateOut(Schema):
    answered: int
    invited: int
    percent: int


class AdministrationOut(Schema):
    id: int
    title: str
    organisation_id: int
    engagement_id: int | None
    instrument: str = Field(description="The instrument's key.")
    instrument_version: int
    subject_id: int | None = Field(description="A 360's subject; empty for a school survey.")
    roles: list[str]
    opens_on: datetime.date
    closes_on: datetime.date
    status: str = Field(description="scheduled, open or closed")
    closed_at: datetime.datetime | None
    previous_id: int | None
    visibility: str
    response_rate: RateOut

    @staticmethod
    def resolve_instrument(obj: Administration) -> str:
        return obj.version.instrument.key

    @staticmethod
    def resolve_instrument_version(obj: Administration) -> int:
        return obj.version.number

    @staticmethod
    def resolve_status(obj: Administration) -> str:
        return selectors.status_of(obj)

    @staticmethod
    def resolve_response_rate(obj: Administration) -> dict[str, int]:
        rate = selectors.response_rate(obj)
        return {"answered": rate.answered, "invited": rate.invited, "percent": rate.percent}


class InvitationOut(Schema):
    """Who was asked. Never whether they answered."""

    name: str
    email: str
    role: str


class AdministrationDetailOut(AdministrationOut):
    invitations: list[InvitationOut]
    printed: dict[str, int] = Field(description="Printed (unnamed) links per role.")

    @staticmethod
    def resolve_invitations(obj: Administration) -> list[dict[str, str]]:
        return [{"name": i.name, "email": i.email, "role": i.role} for i in selectors.invitees(obj)]

    @staticmethod
    def resolve_printed(obj: Administration) -> dict[str, int]:
        return dict(selectors.printed_counts(obj))


class RaterIn(Schema):
    email: str
    role: str
    name: str = ""


class AdministrationIn(Schema):
    instrument_id: int
    title: str = ""
    opens_on: datetime.date
    closes_on: datetime.date
    roles: list[str] = Field(default=[], description="Empty: every role of the instrument.")
    subject_id: int | None = Field(None, description="360 and self-assessments: who it is about.")
    raters: list[RaterIn] = []
    previous_id: int | None = Field(None, description="The closed administration given again.")
    visibility: str | None = None
    live_results: bool = Field(
        False,
        description="Show results while open. Every live view that could have been shown "
        "limits what the final report may break down by role.",
    )
    printable: dict[str, int] = Field(
        default={}, description="Printed links to make per role; returned once, in `links`."
    )


class LinkOut(Schema):
    role: str
    url: str


class CreatedOut(Schema):
    administration: AdministrationOut
    links: list[LinkOut] = Field(description="Printed links: shown this once, never again.")


class InviteIn(Schema):
    raters: list[RaterIn]


class PrintIn(Schema):
    role: str
    count: int


class ExtendIn(Schema):
    closes_on: datetime.date


class MessageOut(Schema):
    detail: str


# --- Helpers --------------------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Administration:
    return policy.get_visible_or_404(user_of(request), Administration, pk)


def _raters(rows: list[RaterIn]) -> list[services.Rater]:
    text = "\n".join(f"{r.email}, {r.role}, {r.name}".rstrip(", ") for r in rows)
    return services.parse_raters(text)


def _links(printed: list[services.PrintedLink]) -> list[dict[str, str]]:
    return [{"role": p.role, "url": link_for(p.token)} for p in printed]


# --- Endpoints ------------------------------------------------------------------------------------


@router.get("/surveys", response=list[AdministrationOut], summary="Administrations you may see")
@paginate(PageNumberPagination)
def administration_list(request: HttpRequest, q: Query[str] = "") -> QuerySet[Administration]:
    return selectors.administration_list(user=user_of(request), query=q.strip()[:100])


@router.get(
    "/surveys/{pk}",
    response=AdministrationDetailOut,
    summary="An administration: window, status, response rate, who was invited (not who answered)",
)
def administration_detail(request: HttpRequest, pk: int) -> Administration:
    return _visible(request, pk)


@router.post(
    "/engagements/{pk}/surveys",
    response={201: CreatedOut},
    summary="Start an administration for an engagement (its coaches, programme administrators)",
)
def administration_create(
    request: HttpRequest, pk: int, payload: AdministrationIn
) -> Status[dict[str, Any]]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    instrument = policy.visible(user, Instrument).filter(pk=payload.instrument_id).first()
    if instrument is None:
        raise DomainError("No instrument you may use has this id.", field="instrument_id")
    subject: User | None = None
    if payload.subject_id is not None:
        subject = policy.people_visible_to(user).filter(pk=payload.subject_id).first()
        if subject is None:
            raise DomainError("Nobody you may see has this id.", field="subject_id")
    previous = None
    if payload.previous_id is not None:
        previous = policy.visible(user, Administration).filter(pk=payload.previous_id).first()
        if previous is None:
            raise DomainError("No administration you may see has this id.", field="previous_id")
    created = services.administration_create(
        actor=user,
        engagement=engagement,
        instrument=instrument,
        title=payload.title,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        roles=payload.roles,
        subject=subject,
        raters=_raters(payload.raters),
        previous=previous,
        visibility=payload.visibility,
        printable=payload.printable,
        live_results=payload.live_results,
    )
    adm = get_object_or_404(Administration, pk=created.administration.pk)
    return Status(201, {"administration": adm, "links": _links(created.printed)})


@router.post(
    "/surveys/{pk}/invitations",
    response={201: AdministrationOut},
    summary="Invite more people by email",
)
def invitations_add(request: HttpRequest, pk: int, payload: InviteIn) -> Status[Administration]:
    adm = _visible(request, pk)
    services.invitations_add(
        actor=user_of(request), administration=adm, raters=_raters(payload.raters)
    )
    adm.refresh_from_db()
    return Status(201, adm)


@router.post(
    "/surveys/{pk}/printed-links",
    response={201: list[LinkOut]},
    summary="Make unnamed printed links for a role; returned this once, never again",
)
def printed_links_add(
    request: HttpRequest, pk: int, payload: PrintIn
) -> Status[list[dict[str, str]]]:
    adm = _visible(request, pk)
    printed = services.printed_links_add(
        actor=user_of(request), administration=adm, role=payload.role, count=payload.count
    )
    return Status(201, _links(printed))


@router.post("/surveys/{pk}/close", response=AdministrationOut, summary="Close now; final")
def administration_close(request: HttpRequest, pk: int) -> Administration:
    adm = _visible(request, pk)
    services.administration_close(actor=user_of(request), administration=adm)
    adm.refresh_from_db()
    return adm


@router.post(
    "/surveys/{pk}/extend",
    response=AdministrationOut,
    summary="A later close date, while open (a closed administration never reopens)",
)
def administration_extend(request: HttpRequest, pk: int, payload: ExtendIn) -> Administration:
    adm = _visible(request, pk)
    services.administration_extend(
        actor=user_of(request), administration=adm, closes_on=payload.closes_on
    )
    adm.refresh_from_db()
    return adm


@router.post(
    "/surveys/{pk}/reminders",
    response=MessageOut,
    summary="Remind everyone invited by email who has not answered (you learn nothing of who)",
)
def reminders_send(request: HttpRequest, pk: int) -> dict[str, str]:
    adm = _visible(request, pk)
    services.reminders_send(actor=user_of(request), administration=adm)
    return {"detail": "Reminders sent."}
