"""The views of instructional coaching in the API: the coach's caseload, the teacher's own
page and the programme's aggregate of cycles. The same selectors (`actionsteps.caseload`) and
the same policy as the pages: action steps and minutes only where the user may read them, and
aggregates only for those who manage the programme."""

import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from coachloop.access import policy
from coachloop.actionsteps import caseload as selectors
from coachloop.api.common import person, user_of
from coachloop.engagements.models import Programme
from coachloop.lib.errors import DomainError
from coachloop.lib.views import PER_PAGE

router = Router(tags=["instructional coaching"])


# --- Schemas ------------------------------------------------------------------------------------


class Named(Schema):
    id: int
    name: str


class EngagementRef(Schema):
    id: int
    title: str


class StepRef(Schema):
    id: int
    title: str


class MeetingRef(Schema):
    id: int
    starts_at: datetime.datetime


class CaseloadItemOut(Schema):
    teacher: Named
    email: str
    school: str
    engagement: EngagementRef
    current_step: StepRef | None = Field(
        None, description="None when there is none, or you may not read it"
    )
    last_observed: datetime.date | None
    days_since_observed: int | None
    last_met: datetime.date | None
    days_since_met: int | None
    cycles_completed: int
    next_meeting: MeetingRef | None


class CaseloadPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[CaseloadItemOut]


class CaseloadIn(Schema):
    q: str = Field("", description="part of the teacher's name or email")
    sort: str = Field("name", description="name, observed (longest since) or met (longest since)")
    page: int = Field(1, ge=1)


class CurrentStepOut(Schema):
    id: int
    title: str
    success_criteria: list[str]
    goal: str
    started_on: datetime.date


class MasteredStepOut(Schema):
    id: int
    title: str
    mastered_on: datetime.date | None


class AgreedStageOut(Schema):
    title: str
    notes: str


class AgreedOut(Schema):
    meeting_id: int
    held_on: datetime.date
    minutes_visible: bool
    stages: list[AgreedStageOut]


class NextMeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime


class ReflectionOut(Schema):
    id: int
    title: str
    created_at: datetime.datetime


class MyEngagementOut(Schema):
    engagement: EngagementRef
    status: str
    school: str
    current_steps: list[CurrentStepOut]
    agreed: AgreedOut | None
    next_meeting: NextMeetingOut | None
    study_planned_on: datetime.date | None
    observation_planned_on: datetime.date | None
    reflections: list[ReflectionOut]
    reflections_total: int
    mastered: list[MasteredStepOut]


class PeriodIn(Schema):
    from_: str = Field("", alias="from", description="first month, YYYY-MM (default: a year ago)")
    to: str = Field("", description="last month, YYYY-MM (default: this month)")


class CoachCyclesOut(Schema):
    coach: Named | None = Field(None, description="None for cycles closed without a coach")
    by_month: list[int]
    total: int
    median_days: float | None


class StageTimeOut(Schema):
    title: str
    meetings: int
    planned_minutes: float | None
    mean_minutes: float | None
    median_minutes: float | None
    extra_minutes: float
    skipped: int


class ProgrammeCyclesOut(Schema):
    programme_id: int
    months: list[str]
    coaches: list[CoachCyclesOut]
    month_totals: list[int]
    total: int
    median_days: float | None
    meetings_timed: int
    stages: list[StageTimeOut]


# --- Endpoints ----------------------------------------------------------------------------------


def _caseload_item(row: selectors.CaseloadRow) -> dict[str, Any]:
    return {
        "teacher": person(row.teacher),
        "email": row.teacher.email,
        "school": row.school,
        "engagement": {"id": row.engagement.pk, "title": row.engagement.title},
        "current_step": {"id": row.step_id, "title": row.step_title} if row.step_id else None,
        "last_observed": row.last_observed,
        "days_since_observed": row.days_since_observed,
        "last_met": row.last_met,
        "days_since_met": row.days_since_met,
        "cycles_completed": row.cycles_completed,
        "next_meeting": (
            {"id": row.next_meeting_id, "starts_at": row.next_meeting_at}
            if row.next_meeting_id and row.next_meeting_at
            else None
        ),
    }


@router.get(
    "/caseload",
    response=CaseloadPageOut,
    summary="Your caseload: each teacher you coach in instructional coaching, 50 per page",
)
def caseload(request: HttpRequest, filters: Query[CaseloadIn]) -> dict[str, Any]:
    if filters.sort not in selectors.SORTS:
        raise DomainError(
            _("Sort by one of: %s.") % ", ".join(selectors.SORTS), field="sort", status=422
        )
    rows = selectors.caseload(user=user_of(request), query=filters.q[:100], sort=filters.sort)
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(filters.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "items": [_caseload_item(selectors.caseload_row(p)) for p in page.object_list],
    }


@router.get(
    "/my-coaching",
    response=list[MyEngagementOut],
    summary="Your own instructional coaching: current step, what was agreed, reflections",
)
def my_coaching(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for item in selectors.my_coaching(user=user_of(request)):
        engagement = item.engagement
        agreed = item.agreed
        next_meeting = item.next_meeting
        cycle = item.open_cycle
        out.append(
            {
                "engagement": {"id": engagement.pk, "title": engagement.title},
                "status": engagement.status,
                "school": engagement.organisation.name,
                "current_steps": [
                    {
                        "id": s.pk,
                        "title": s.title,
                        "success_criteria": [str(c) for c in s.success_criteria or []],
                        "goal": s.goal,
                        "started_on": s.started_on,
                    }
                    for s in item.current_steps
                ],
                "agreed": (
                    {
                        "meeting_id": agreed.meeting.pk,
                        "held_on": agreed.held_on,
                        "minutes_visible": agreed.minutes_visible,
                        "stages": [{"title": t, "notes": n} for t, n in agreed.stages],
                    }
                    if agreed
                    else None
                ),
                "next_meeting": (
                    {
                        "id": next_meeting.pk,
                        "title": next_meeting.title,
                        "starts_at": next_meeting.starts_at,
                    }
                    if next_meeting
                    else None
                ),
                "study_planned_on": cycle.study_planned_on if cycle else None,
                "observation_planned_on": cycle.observation_planned_on if cycle else None,
                "reflections": [
                    {"id": r.pk, "title": r.title, "created_at": r.created_at}
                    for r in item.reflections
                ],
                "reflections_total": item.reflections_total,
                "mastered": [
                    {"id": s.pk, "title": s.title, "mastered_on": s.mastered_on}
                    for s in item.mastered
                ],
            }
        )
    return out


@router.get(
    "/programmes/{pk}/cycles",
    response=ProgrammeCyclesOut,
    summary="Cycles per coach per month, median cycle length, time per meeting stage "
    "(programme managers; aggregates only)",
)
def programme_cycles(request: HttpRequest, pk: int, period: Query[PeriodIn]) -> dict[str, Any]:
    user = user_of(request)
    programme = policy.get_visible_or_404(user, Programme, pk)
    default_start, default_end = selectors.default_period()
    start = selectors.parse_month(period.from_) if period.from_ else default_start
    end = selectors.parse_month(period.to) if period.to else default_end
    errors = selectors.period_errors(start, end)
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors, status=422)
    assert start is not None
    assert end is not None
    report = selectors.programme_cycles(user=user, programme=programme, start=start, end=end)
    return {
        "programme_id": programme.pk,
        "months": [m.strftime("%Y-%m") for m in report.months],
        "coaches": [
            {
                "coach": {"id": c.coach_id, "name": c.name} if c.coach_id is not None else None,
                "by_month": c.by_month,
                "total": c.total,
                "median_days": c.median_days,
            }
            for c in report.coaches
        ],
        "month_totals": report.month_totals,
        "total": report.total,
        "median_days": report.median_days,
        "meetings_timed": report.meetings_timed,
        "stages": [
            {
                "title": s.title,
                "meetings": s.meetings,
                "planned_minutes": s.planned_minutes,
                "mean_minutes": s.mean_minutes,
                "median_minutes": s.median_minutes,
                "extra_minutes": s.extra_minutes,
                "skipped": s.skipped,
            }
            for s in report.stages
        ],
    }
