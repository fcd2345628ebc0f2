"""Coaching the coaches (seed 003): practice-profile assessments, coaching-experience feedback,
a coach's development page and the programme's coach overview. The same services, selectors and
policy as the pages."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.api.common import person, user_of
from coachloop.coaches import overview as selectors
from coachloop.coaches.feedback import Trend, feedback_trends
from coachloop.coaches.selectors import Rating, profile_latest
from coachloop.engagements.models import Programme
from coachloop.messaging.responsiveness import EMPTY, Responsiveness, responsiveness_of

router = Router(tags=["coaches"])


# --- Schemas ------------------------------------------------------------------------------------


class Named(Schema):
    id: int
    name: str


class FunctionOut(Schema):
    key: str
    title: str


class RatingOut(Schema):
    level: int
    label: str
    on: datetime.date = Field(description="The day observed, or the day rated")


class FunctionLevelsOut(Schema):
    key: str
    title: str
    self_assessment: RatingOut | None = Field(
        None, description="The coach's latest self-assessment (None: none you may read)"
    )
    lead_assessment: RatingOut | None = Field(
        None, description="The lead coach's latest assessment from observation"
    )


class ResponsivenessOut(Schema):
    asked: int
    answered: int
    open: int
    overdue: int = Field(description="Open and past the agreed response time")
    median_days: float | None = Field(
        description="Median school time to answer, in school days (None: none answered)"
    )
    within_share: float | None = Field(
        description="Share of answered questions answered within the agreement, 0 to 1"
    )


class TrendPointOut(Schema):
    period: str
    mean: float | None = Field(description="None: withheld, fewer than k answered")


class FeedbackOut(Schema):
    status: str = Field(description="shown, withheld (fewer than k answered) or none")
    latest: float | None
    change: float | None
    points: list[TrendPointOut]


class EngagementRef(Schema):
    id: int
    title: str
    school: str


class CaseloadOut(Schema):
    programme: Named
    count: int
    engagements: list[EngagementRef]


class CoachOut(Schema):
    coach: Named
    email: str
    programmes: list[Named] = Field(description="Programmes they coach in that you may see")
    lead_coaches: list[Named]
    profile: list[FunctionLevelsOut]
    responsiveness: ResponsivenessOut
    feedback: FeedbackOut
    caseload: list[CaseloadOut] = Field(
        description="Active engagements they coach, per programme, as far as you may see them"
    )


class CoachRowOut(Schema):
    coach: Named
    email: str
    caseload: int = Field(description="Active engagements they coach in this programme")
    profile: list[FunctionLevelsOut]
    responsiveness: ResponsivenessOut
    feedback: FeedbackOut


class OverviewIn(Schema):
    q: str = ""
    sort: str = Field(
        "name",
        description=(
            "name, caseload, asked, median, within, open, overdue, feedback, change, "
            "self.<function key> or lead.<function key>; a leading '-' reverses the order"
        ),
    )
    filter: str = Field("", description="overdue, no-lead, no-self or withheld")
    page: int = 1


class OverviewOut(Schema):
    count: int
    page: int
    pages: int
    functions: list[FunctionOut]
    items: list[CoachRowOut]


# --- Shapes ---------------------------------------------------------------------------------------


def _rating(rating: Rating | None) -> dict[str, Any] | None:
    if rating is None:
        return None
    return {"level": rating.level, "label": rating.label, "on": rating.on}


def _levels(
    functions: list[selectors.Function], ratings: dict[str, dict[str, Rating]]
) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "title": f.title,
            "self_assessment": _rating(ratings.get(f.key, {}).get("self")),
            "lead_assessment": _rating(ratings.get(f.key, {}).get("lead")),
        }
        for f in functions
    ]


def _responsiveness(figures: Responsiveness) -> dict[str, Any]:
    return {
        "asked": figures.asked,
        "answered": figures.answered,
        "open": figures.open,
        "overdue": figures.overdue,
        "median_days": round(figures.median_days, 3) if figures.median_days is not None else None,
        "within_share": figures.within_share,
    }


def _feedback(trend: Trend | None) -> dict[str, Any]:
    points = list(trend.points) if trend is not None else []
    latest = trend.latest if trend is not None else None
    status = "none" if not points else ("shown" if latest is not None else "withheld")
    return {
        "status": status,
        "latest": latest,
        "change": trend.change if trend is not None else None,
        "points": [{"period": p.period, "mean": p.mean} for p in points],
    }


# --- Endpoints -----------------------------------------------------------------------------------


@router.get(
    "/coaches/{pk}",
    response=CoachOut,
    summary="A coach's development: profile levels, responsiveness, feedback trend, caseload",
)
def coach_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    """For the coach, their lead coaches and the administrators of their programmes; 404 for
    others, as for a missing id."""
    viewer = user_of(request)
    coach = selectors.followed_or_404(viewer, pk)
    found = selectors.development(viewer, coach)
    ratings = profile_latest(viewer, [coach.pk]).get(coach.pk, {})
    figures = responsiveness_of([coach.pk]).get(coach.pk, EMPTY)
    trend = feedback_trends(viewer, [coach.pk]).get(coach.pk)
    return {
        "coach": person(coach),
        "email": coach.email,
        "programmes": [{"id": p.pk, "name": p.name} for p in found.programmes],
        "lead_coaches": [person(u) for u in found.leads],
        "profile": _levels(selectors.functions_for([ratings]), ratings),
        "responsiveness": _responsiveness(figures),
        "feedback": _feedback(trend),
        "caseload": [
            {
                "programme": {"id": item.programme.pk, "name": item.programme.name},
                "count": item.count,
                "engagements": [
                    {"id": e.pk, "title": e.title, "school": e.organisation.name}
                    for e in item.engagements
                ],
            }
            for item in found.caseload
        ],
    }


@router.get(
    "/programmes/{pk}/coaches",
    response=OverviewOut,
    summary="The programme's coach overview, 50 per page (programme managers)",
)
def coach_overview(request: HttpRequest, pk: int, filters: Query[OverviewIn]) -> dict[str, Any]:
    """The overview page's rows, with its search, filters, order and paging. 404 for a
    programme you may not see, 403 for one you see but do not manage, 422 for an unknown order
    or filter."""
    viewer = user_of(request)
    programme = policy.get_visible_or_404(viewer, Programme, pk)
    policy.require(viewer, Action.MANAGE, programme)
    found = selectors.coach_overview(
        viewer,
        programme,
        query=filters.q[:100],
        sort=filters.sort.strip()[:80] or "name",
        filter_by=filters.filter.strip()[:20],
        page=filters.page,
    )
    return {
        "count": found.count,
        "page": found.page.number,
        "pages": found.page.paginator.num_pages,
        "functions": [{"key": f.key, "title": f.title} for f in found.functions],
        "items": [
            {
                "coach": person(r.coach),
                "email": r.coach.email,
                "caseload": r.caseload,
                "profile": _levels(found.functions, r.ratings),
                "responsiveness": _responsiveness(r.responsiveness),
                "feedback": _feedback(r.trend),
            }
            for r in found.rows
        ],
    }
