"""Programmes: an organisation's coaching offers, their overview, and new engagements in them."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api import engagement_schemas as s
from coachloop.api import schemas
from coachloop.api.common import people_named, user_of
from coachloop.api.routers.engagements import detail, listed
from coachloop.engagements import selectors, services
from coachloop.engagements.models import Engagement, Programme
from coachloop.organisations.models import Organisation
from coachloop.playbooks.models import Playbook

router = Router(tags=["programmes"])


@router.get("/programmes", response=list[s.ProgrammeOut], summary="Programmes you may see")
@paginate(PageNumberPagination)
def programme_list(request: HttpRequest, q: str = "") -> Any:
    return selectors.programme_list(user=user_of(request), query=q[:100]).order_by("name", "pk")


def _programme(user: User, pk: int) -> Programme:
    programme = selectors.programme_list(user=user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


@router.get("/programmes/{pk}", response=s.ProgrammeOut, summary="One programme")
def programme_detail(request: HttpRequest, pk: int) -> Programme:
    return _programme(user_of(request), pk)


@router.post(
    "/programmes",
    response={201: s.ProgrammeOut},
    summary="Start a programme with a playbook (programme administrators)",
)
def programme_create(request: HttpRequest, payload: s.ProgrammeIn) -> Status[Programme]:
    user = user_of(request)
    organisation = policy.get_visible_or_404(user, Organisation, payload.organisation_id)
    playbook = policy.get_visible_or_404(user, Playbook, payload.playbook_id)
    policy.require(user, Action.MANAGE, organisation)
    programme = services.programme_create(
        actor=user,
        organisation=organisation,
        name=payload.name,
        playbook=playbook,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        coaches=people_named(user, payload.coaches, "coaches"),
    )
    return Status(201, _programme(user, programme.pk))


@router.get(
    "/programmes/{pk}/overview",
    response=s.OverviewOut,
    summary="Engagements by phase, active and completed, and the overdue steps",
)
def programme_overview(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = user_of(request)
    programme = _programme(user, pk)
    overview = selectors.programme_overview(user=user, programme=programme)
    return {
        "programme": programme,
        "by_phase": overview.by_phase,
        "active": overview.active,
        "completed": overview.completed,
        "overdue": overview.overdue,
        "overdue_count": overview.overdue_count,
    }


@router.post(
    "/programmes/{pk}/engagements",
    response={201: s.EngagementDetailOut},
    summary="Start an engagement: its people by id or email, its dates",
)
def engagement_create(
    request: HttpRequest, pk: int, payload: s.EngagementIn
) -> Status[dict[str, Any]]:
    user = user_of(request)
    programme = policy.get_visible_or_404(user, Programme, pk)
    policy.require(user, Action.CREATE_ENGAGEMENT, programme)
    people = services.People(
        coachees=people_named(user, payload.coachees, "coachees"),
        coaches=people_named(user, payload.coaches, "coaches"),
        sponsors=people_named(user, payload.sponsors, "sponsors"),
        district_reps=people_named(user, payload.district_reps, "district_reps"),
    )
    engagement = services.engagement_create(
        actor=user,
        programme=programme,
        people=people,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        title=payload.title,
    )
    return Status(201, detail(user, engagement))


@router.post(
    "/programmes/{pk}/engagements/bulk",
    response={201: list[schemas.EngagementOut]},
    summary="Start several engagements from lines of text; any problem and none is created",
)
def engagement_bulk(
    request: HttpRequest, pk: int, payload: s.EngagementBulkIn
) -> Status[list[Engagement]]:
    user = user_of(request)
    programme = policy.get_visible_or_404(user, Programme, pk)
    created = services.engagements_bulk_create(actor=user, programme=programme, text=payload.text)
    return Status(201, list(listed(user).filter(pk__in=[e.pk for e in created])))
