"""School calendars, response-time agreements and questions (seed 003): the same services,
selectors and policy as the pages. A calendar is read by everyone in the organisation's scope and
changed by its programme administrators; an engagement's response time is read by whoever sees
the engagement and agreed by its team; questions are metadata (never their text) for the team and
programme administrators; a coach's responsiveness for whoever follows the coach."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.engagements.models import Engagement
from coachloop.lib.views import PER_PAGE
from coachloop.messaging import calendar_services as services
from coachloop.messaging import responsiveness
from coachloop.messaging.responsiveness import QuestionInfo, Responsiveness
from coachloop.organisations.models import Holiday, Organisation

router = Router(tags=["calendars"])


# --- Shapes ---------------------------------------------------------------------------------------


class HolidayOut(Schema):
    date: dt.date
    name: str
    organisation_id: int
    organisation: str

    @staticmethod
    def resolve_organisation(obj: Holiday) -> str:
        return str(obj.organisation)


class CalendarOut(Schema):
    organisation_id: int
    has_own_calendar: bool = Field(description="False: it uses the calendar of `source_id`.")
    source_id: int | None = Field(
        description="The organisation whose calendar is in force; null: the default."
    )
    weekdays: list[int] = Field(description="ISO weekdays that are school days, 1 Monday..7 Sunday")
    time_zone: str = Field(description="As set; empty: the server's zone.")
    zone_in_force: str
    holidays: list[HolidayOut] = Field(description="Its own holidays.")
    inherited_holidays: list[HolidayOut] = Field(
        description="The holidays of the organisations above it, which count here too."
    )


class CalendarIn(Schema):
    weekdays: list[int] = Field(description="At least one of 1 (Monday) .. 7 (Sunday).")
    time_zone: str = Field("", description="An IANA zone such as Europe/London; empty: server's.")


class HolidayIn(Schema):
    date: dt.date
    last_day: dt.date | None = Field(
        None, description="For a range: one holiday a day from `date` to this day inclusive."
    )
    name: str


class ResponseTimeOut(Schema):
    engagement_id: int
    response_days: int | None = Field(description="The team's agreement; null: none.")
    agreed_days: int = Field(description="The time in force, in school days.")
    default_days: int = Field(description="The playbook's default.")


class ResponseTimeIn(Schema):
    response_days: int | None = Field(
        description="1 to 30 school days; null: back to the playbook's default."
    )


class QuestionOut(Schema):
    id: int
    engagement_id: int
    thread_id: int
    asked_by: dict[str, Any] | None
    asked_at: dt.datetime
    response_days: int
    due_at: dt.datetime
    answered_at: dt.datetime | None
    answered_by: dict[str, Any] | None
    answered_how: str = Field(description="message, contact, or empty while open")
    school_seconds: int = Field(description="School time it took, or has waited so far (open).")
    within_agreement: bool | None
    overdue: bool


class QuestionPage(Schema):
    count: int
    page: int
    pages: int
    items: list[QuestionOut]


class QuestionQuery(Schema):
    open_only: bool = False
    page: int = 1


class FiguresOut(Schema):
    asked: int
    answered: int
    open: int
    overdue: int
    median_seconds: int | None = Field(description="Median school time to answer.")
    median_school_days: float | None
    within_share: float | None = Field(description="Share of answered questions in time, 0..1.")


class EngagementFiguresOut(FiguresOut):
    engagement_id: int
    title: str
    agreed_days: int


class ResponsivenessOut(Schema):
    coach_id: int
    figures: FiguresOut
    engagements: list[EngagementFiguresOut] = Field(
        description="Only the engagements whose questions you may see (their team, programme "
        "administrators)."
    )
    open_questions: list[QuestionOut]


def _figures(f: Responsiveness) -> dict[str, Any]:
    return {
        "asked": f.asked,
        "answered": f.answered,
        "open": f.open,
        "overdue": f.overdue,
        "median_seconds": f.median_seconds,
        "median_school_days": f.median_days,
        "within_share": f.within_share,
    }


def _question(q: QuestionInfo) -> dict[str, Any]:
    return {
        "id": q.id,
        "engagement_id": q.engagement_id,
        "thread_id": q.thread_id,
        "asked_by": person(q.asked_by),
        "asked_at": q.asked_at,
        "response_days": q.response_days,
        "due_at": q.due_at,
        "answered_at": q.answered_at,
        "answered_by": person(q.answered_by),
        "answered_how": q.answered_how,
        "school_seconds": q.seconds,
        "within_agreement": q.within_agreement,
        "overdue": q.overdue,
    }


# --- Calendars ------------------------------------------------------------------------------------


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    return policy.get_visible_or_404(user_of(request), Organisation, pk)


def _calendar(organisation: Organisation) -> dict[str, Any]:
    info = services.calendar_info(organisation)
    return {
        "organisation_id": organisation.pk,
        "has_own_calendar": info.own is not None,
        "source_id": info.source.pk if info.source is not None else None,
        "weekdays": info.weekdays,
        "time_zone": info.time_zone,
        "zone_in_force": info.zone_in_force,
        "holidays": list(services.own_holidays(organisation).select_related("organisation")),
        "inherited_holidays": list(services.inherited_holidays(organisation)),
    }


@router.get(
    "/organisations/{pk}/calendar",
    response=CalendarOut,
    summary="The school calendar in force at an organisation, with its holidays",
)
def calendar_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _calendar(_organisation(request, pk))


@router.put(
    "/organisations/{pk}/calendar",
    response=CalendarOut,
    summary="Give an organisation its own school weekdays and time zone (its administrators)",
)
def calendar_put(request: HttpRequest, pk: int, payload: CalendarIn) -> dict[str, Any]:
    organisation = _organisation(request, pk)
    services.calendar_save(
        actor=user_of(request),
        organisation=organisation,
        weekdays=payload.weekdays,
        time_zone=payload.time_zone,
    )
    return _calendar(organisation)


@router.delete(
    "/organisations/{pk}/calendar",
    response={204: None},
    summary="Stop using an own calendar: the one above applies (its holidays stay)",
)
def calendar_delete(request: HttpRequest, pk: int) -> Status[None]:
    services.calendar_remove(actor=user_of(request), organisation=_organisation(request, pk))
    return Status(204, None)


@router.post(
    "/organisations/{pk}/holidays",
    response={201: list[HolidayOut]},
    summary="Add a holiday, or one a day over a range (409 when a day is already one)",
)
def holiday_post(request: HttpRequest, pk: int, payload: HolidayIn) -> Status[list[Holiday]]:
    rows = services.holidays_add(
        actor=user_of(request),
        organisation=_organisation(request, pk),
        first_day=payload.date,
        last_day=payload.last_day,
        name=payload.name,
    )
    return Status(201, rows)


@router.delete(
    "/organisations/{pk}/holidays/{day}",
    response={204: None},
    summary="Remove the organisation's own holiday on a day",
)
def holiday_delete(request: HttpRequest, pk: int, day: dt.date) -> Status[None]:
    organisation = _organisation(request, pk)
    services.holiday_remove(actor=user_of(request), organisation=organisation, day=day)
    return Status(204, None)


# --- Response time and questions ------------------------------------------------------------------


def _response_time(engagement: Engagement) -> dict[str, Any]:
    return {
        "engagement_id": engagement.pk,
        "response_days": engagement.response_days,
        "agreed_days": engagement.agreed_response_days,
        "default_days": services.playbook_default_days(engagement),
    }


@router.get(
    "/engagements/{pk}/response-time",
    response=ResponseTimeOut,
    summary="The engagement's agreed response time in school days",
)
def response_time_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _response_time(engagement_or_404(request, pk))


@router.put(
    "/engagements/{pk}/response-time",
    response=ResponseTimeOut,
    summary="Agree the response time (the engagement's coaches and coachees)",
)
def response_time_put(request: HttpRequest, pk: int, payload: ResponseTimeIn) -> dict[str, Any]:
    engagement = services.response_time_set(
        actor=user_of(request),
        engagement=engagement_or_404(request, pk),
        days=payload.response_days,
    )
    return _response_time(engagement)


@router.get(
    "/engagements/{pk}/questions",
    response=QuestionPage,
    summary="The engagement's coachee questions: when asked and answered, never the text",
)
def questions_get(request: HttpRequest, pk: int, query: Query[QuestionQuery]) -> dict[str, Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    if not responsiveness.may_see_questions(user, engagement):
        raise PermissionDenied
    rows = responsiveness.question_rows(user, engagement, open_only=query.open_only)
    page = Paginator(rows, PER_PAGE).get_page(query.page)
    items = responsiveness.describe(user, page.object_list, timezone.now())
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_question(q) for q in items],
    }


@router.get(
    "/coaches/{pk}/responsiveness",
    response=ResponsivenessOut,
    summary="A coach's responsiveness: median school time to answer, share in time, open",
)
def coach_responsiveness(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = user_of(request)
    coach = policy.visible(user, User, Action.FOLLOW_COACH).filter(pk=pk).first()
    if coach is None:
        raise Http404
    section = responsiveness.responsiveness_section(user, coach)
    return {
        "coach_id": coach.pk,
        "figures": _figures(section["figures"]),
        "engagements": [
            {
                "engagement_id": row.engagement_id,
                "title": row.title,
                "agreed_days": row.agreed_days,
                **_figures(row.figures),
            }
            for row in section["engagements"]
        ],
        "open_questions": [_question(q) for q in section["open_questions"]],
    }
