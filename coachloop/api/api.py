"""The JSON API at /api/: the same selectors, services and policy as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api import schemas as s
from coachloop.api.auth import ActiveSessionAuth, TokenAuth
from coachloop.api.routers import (
    actionsteps,
    cadence,
    calendar,
    calendars,
    coach_feedback,
    coach_profiles,
    coaches,
    content,
    engagements,
    improvement,
    instructional,
    instruments,
    meetings,
    messaging,
    notifications,
    observations,
    peer,
    plans,
    playbooks,
    programmes,
    reports,
    surveys,
)
from coachloop.api.routers import me as my_day
from coachloop.lib.errors import DomainError
from coachloop.organisations import selectors, services
from coachloop.organisations.models import Membership, Organisation, Role
from coachloop.plans.services import PlanConflict

api = NinjaAPI(
    title="Coachloop API",
    version="1",
    description=(
        "Authenticate with a personal access token (`Authorization: Bearer clp_…`, made on "
        "your account's token page) or a signed-in browser session. Every answer applies the "
        "same confidentiality policy as the pages: what you may not see answers 404."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, detail: str, errors: list[Any] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # One entry per field; a message of several lines (the bulk import's problems, one per
    # line of input) gives one entry per line.
    errors = [
        {"field": field, "message": line}
        for field, message in exc.errors.items()
        for line in (message.splitlines() or [message])
    ]
    return _error(request, exc.status, exc.message, errors)


@api.exception_handler(PlanConflict)
def on_plan_conflict(request: HttpRequest, exc: PlanConflict) -> HttpResponse:
    """409, with what changed since the client's version: the one error with an extra key."""
    body = {
        "detail": exc.message,
        "errors": [],
        "changes": [{"op": line.op, "text": line.text} for line in exc.changes],
    }
    return api.create_response(request, body, status=exc.status)


def _field_of(loc: Any) -> str:
    """ninja's loc is (source, parameter, field…) for a body, (source, name) for a path or query
    parameter: name the field as the client sent it."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        return ".".join(parts[2:]) or "body"
    return ".".join(parts[1:]) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field_of(e.get("loc", ())), "message": e["msg"]} for e in exc.errors]
    return _error(request, 422, "The request is not valid; see errors.", errors)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):
        detail = _(
            "The request body is not valid JSON; send JSON with Content-Type: application/json."
        )
    return _error(request, exc.status_code, detail)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "You may see this but not change it.")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "Authentication required: send 'Authorization: Bearer <token>' with a valid, unrevoked "
        "token (a read-only token cannot change anything), or sign in.",
    )


PERSON_FIELDS = ("id", "email", "given_name", "family_name", "is_active")


def _person(person: User, viewer: User) -> dict[str, Any]:
    """A person's fields with the memberships the viewer may see."""
    return {
        **{f: getattr(person, f) for f in PERSON_FIELDS},
        "memberships": list(selectors.person_memberships(user=viewer, person=person)),
    }


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


router = Router()


@router.get("/me", response=s.MeOut, summary="The signed-in person, their roles and memberships")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    return {
        **_person(user, user),
        "roles": sorted(policy.roles_of(user)),
        "second_factor_required": policy.second_factor_required(user),
    }


@router.get("/organisations", response=list[s.OrganisationOut])
@paginate(PageNumberPagination)
def organisation_list(request: HttpRequest, q: str = "") -> Any:
    return selectors.organisation_list(user=_user(request), search=q[:100])


@router.get("/organisations/{pk}", response=s.OrganisationOut)
def organisation_detail(request: HttpRequest, pk: int) -> Organisation:
    return policy.get_visible_or_404(_user(request), Organisation, pk)


class PeopleFilter(Schema):
    q: str = ""
    organisation_id: int | None = None
    role: str = ""


@router.get("/people", response=list[s.PersonOut])
@paginate(PageNumberPagination)
def person_list(request: HttpRequest, filters: Query[PeopleFilter]) -> Any:
    user = _user(request)
    org = None
    if filters.organisation_id is not None:
        org = policy.get_visible_or_404(user, Organisation, filters.organisation_id)
    if filters.role and filters.role not in Role.values:
        raise DomainError(f"Unknown role; use one of {', '.join(Role.values)}.", field="role")
    return selectors.person_list(
        user=user, search=filters.q[:100], organisation=org, role=filters.role
    )


@router.get("/people/{pk}", response=s.PersonDetailOut)
def person_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _user(request)
    return _person(policy.get_visible_or_404(user, User, pk), user)


@router.post("/people", response={201: s.PersonOut})
def person_create(request: HttpRequest, payload: s.PersonIn) -> Status[User]:
    user = _user(request)
    org = policy.get_visible_or_404(user, Organisation, payload.organisation_id)
    person = services.person_create(
        actor=user,
        email=payload.email,
        given_name=payload.given_name,
        family_name=payload.family_name,
        organisation=org,
        role=payload.role,
    )
    return Status(201, person)


@router.patch("/people/{pk}", response=s.PersonOut)
def person_update(request: HttpRequest, pk: int, payload: s.PersonPatch) -> User:
    user = _user(request)
    person = policy.get_visible_or_404(user, User, pk)
    policy.require(user, Action.MANAGE, person)
    values = {f: getattr(person, f) for f in PERSON_FIELDS if f != "id"}
    values.update(payload.dict(exclude_unset=True, exclude_none=True))
    return services.person_update(actor=user, person=person, **values)


@router.get("/memberships", response=list[s.MembershipOut])
@paginate(PageNumberPagination)
def membership_list(
    request: HttpRequest, user_id: int | None = None, organisation_id: int | None = None
) -> Any:
    memberships = policy.memberships_visible_to(_user(request)).select_related("organisation")
    if user_id is not None:
        memberships = memberships.filter(user_id=user_id)
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    return memberships.order_by("pk")


@router.post("/memberships", response={201: s.MembershipOut})
def membership_create(request: HttpRequest, payload: s.MembershipIn) -> Status[Membership]:
    user = _user(request)
    person = policy.get_visible_or_404(user, User, payload.user_id)
    org = policy.get_visible_or_404(user, Organisation, payload.organisation_id)
    membership = services.membership_add(
        actor=user, person=person, organisation=org, role=payload.role
    )
    return Status(201, membership)


@router.delete(
    "/memberships/{pk}", response=s.MembershipOut, summary="End a role (kept as inactive)"
)
def membership_end(request: HttpRequest, pk: int) -> Membership:
    user = _user(request)
    membership = policy.get_visible_or_404(user, Membership, pk)
    return services.membership_end(actor=user, membership=membership)


api.add_router("/", router)
api.add_router("/", my_day.router)
api.add_router("/", playbooks.router)
api.add_router("/", programmes.router)
api.add_router("/", engagements.router)
api.add_router("/", plans.router)
api.add_router("/", content.router)
api.add_router("/", meetings.router)
api.add_router("/", actionsteps.router)
api.add_router("/", observations.router)
api.add_router("/", instructional.router)
api.add_router("/", cadence.router)
api.add_router("/", calendar.router)
api.add_router("/", notifications.router)
api.add_router("/", peer.router)
api.add_router("/", instruments.router)
api.add_router("/", surveys.router)
api.add_router("/", reports.router)
api.add_router("/", improvement.router)
api.add_router("/", messaging.router)
api.add_router("/", coaches.router)
api.add_router("/", calendars.router)
api.add_router("/", coach_profiles.router)
api.add_router("/", coach_feedback.router)
