"""Template tags that put the instructional coaching views on other pages: the "Your teachers"
shortcut on the today page and the "Coaching cycles" section of the engagement page. Each one
is a fixed number of queries (one at most), whatever the data."""

from __future__ import annotations

from typing import Any

from django import template

from coachloop.actionsteps import caseload
from coachloop.engagements.models import Engagement

register = template.Library()

#: how many teachers the today page's shortcut lists (the caseload page lists all)
TODAY_TEACHERS = 10


@register.simple_tag(takes_context=True)
def your_teachers(context: dict[str, Any]) -> list[caseload.CaseloadRow]:
    """The first teachers of the user's caseload, longest since observed first; nothing (and
    no query) for users who coach no instructional engagement."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from coachloop.dashboard.context_processors import nav_flags

    if not nav_flags(user).get("caseload"):
        return []
    return caseload.caseload_rows(user=user, sort="observed", limit=TODAY_TEACHERS)


@register.simple_tag(takes_context=True)
def coaching_cycles(context: dict[str, Any], engagement: Engagement) -> caseload.EngagementCycles:
    """The engagement's cycles at a glance (see `caseload.engagement_cycles`)."""
    request = context.get("request")
    return caseload.engagement_cycles(user=getattr(request, "user", None), engagement=engagement)
