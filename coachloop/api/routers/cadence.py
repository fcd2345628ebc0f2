"""cadence API: the programme administrator's overview of engagements off cadence (the same
selector and policy as the page), and one engagement's cadence (metadata: anyone who sees the
engagement)."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from coachloop.access import policy
from coachloop.api.common import engagement_or_404, user_of
from coachloop.cadence import selectors
from coachloop.engagements.models import Engagement, Programme
from coachloop.lib.errors import DomainError

router = Router(tags=["cadence"])


class ReasonOut(Schema):
    code: str
    message: str
    level: str = Field(description="off_track, at_risk, or history (an earlier month, met since)")
    month: str | None = Field(None, description="YYYY-MM, for the monthly rules")


class CadenceOut(Schema):
    status: str = Field(description="none, on_track, at_risk or off_track")
    reasons: list[ReasonOut]
    checked_at: datetime.datetime | None

    @staticmethod
    def resolve_status(obj: Engagement) -> str:
        return obj.cadence_status

    @staticmethod
    def resolve_reasons(obj: Engagement) -> list[dict[str, Any]]:
        return list(obj.cadence_reasons or [])

    @staticmethod
    def resolve_checked_at(obj: Engagement) -> datetime.datetime | None:
        return obj.cadence_checked_at


class CadenceRowOut(CadenceOut):
    id: int
    title: str
    programme_id: int
    programme: str
    team: str
    last_held_at: datetime.datetime | None
    next_planned_at: datetime.datetime | None

    @staticmethod
    def resolve_programme(obj: Engagement) -> str:
        return obj.programme.name

    @staticmethod
    def resolve_team(obj: Engagement) -> str:
        return selectors.team_names(obj)


@router.get(
    "/cadence",
    response=list[CadenceRowOut],
    summary="Engagements by cadence in the programmes you manage (programme administrators)",
    description=(
        "status: '' (off track or at risk, the default), off_track, at_risk, on_track, none "
        "(not checked yet) or all; programme: a programme's id; q: part of the engagement's "
        "title or a team member's name; sort: status, title, programme, last_held, next_planned."
    ),
)
@paginate(PageNumberPagination, page_size=50)
def cadence_overview(
    request: HttpRequest,
    status: str = "",
    programme: int | None = None,
    q: str = "",
    sort: str = "status",
) -> Any:
    user = user_of(request)
    if not selectors.may_view(user):
        raise DomainError(_("Only programme administrators see the cadence overview."), status=403)
    chosen = None
    if programme is not None:
        chosen = policy.get_visible_or_404(user, Programme, programme)
        policy.require(user, policy.Action.MANAGE, chosen)
    return selectors.overview(user, status=status, programme=chosen, query=q[:100], sort=sort)


@router.get(
    "/engagements/{pk}/cadence",
    response=CadenceOut,
    summary="An engagement's cadence: on track, at risk or off track, and why",
)
def engagement_cadence(request: HttpRequest, pk: int) -> Engagement:
    return engagement_or_404(request, pk)
