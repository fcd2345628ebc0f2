"""The signed-in person's day: what is due, the next meetings, approvals and reviews; and, for
sponsors and district representatives, the engagements they follow."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from coachloop.api import engagement_schemas as s
from coachloop.api.common import user_of
from coachloop.engagements import selectors

router = Router(tags=["me"])


@router.get(
    "/me/today",
    response=s.TodayOut,
    summary="What is due within a week or overdue, the next meetings, approvals and reviews",
)
def today(request: HttpRequest) -> dict[str, Any]:
    found = selectors.today_for(user=user_of(request))
    return {
        "due": found.due,
        "overdue_count": found.overdue_count,
        "meetings": found.meetings,
        "approvals_to_give": found.approvals_to_give,
        "approvals_awaited": found.approvals_awaited,
        "reviews": found.reviews,
    }


@router.get(
    "/me/sponsoring",
    response=s.SponsoringOut,
    summary="The engagements you sponsor or follow: phase, progress and the plan's status",
)
def sponsoring(request: HttpRequest) -> dict[str, Any]:
    found = selectors.sponsor_view(user=user_of(request))
    rows = []
    for engagement in found["engagements"]:
        plan = engagement.visible_plan
        rows.append(
            {
                "id": engagement.pk,
                "title": engagement.title,
                "status": engagement.status,
                "programme_id": engagement.programme_id,
                "current_phase": engagement.current_phase,
                "phase_title": engagement.phase_title,
                "coachees": engagement.coachee_names,
                "steps_done": engagement.steps_done,
                "steps_total": engagement.steps_total,
                "steps_overdue": engagement.steps_overdue,
                "plan": plan,
            }
        )
    return {"engagements": rows, "awaiting": [e.pk for e in found["awaiting"]]}
