"""Reads for the scoring pages: only the scores the policy lets the user read."""

from __future__ import annotations

from django.db.models import QuerySet

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.rubrics.models import RubricScore


def score_list(*, user: User, engagement: Engagement) -> QuerySet[RubricScore]:
    return (
        policy.scores_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def score_read(*, user: User, engagement: Engagement, pk: int) -> RubricScore:
    return policy.get_visible_or_404(user, RubricScore, pk, engagement=engagement)
