"""Reads for the portfolio pages: only the entries (and review scores) the policy lets the user
read."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.portfolios.models import PortfolioEntry, PortfolioRevision


def entry_list(*, user: User, engagement: Engagement) -> QuerySet[PortfolioEntry]:
    latest = PortfolioRevision.objects.filter(entry=OuterRef("pk")).order_by("-number")
    return (
        policy.portfolio_entries_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .annotate(
            latest_number=Subquery(latest.values("number")[:1]),
            latest_filename=Subquery(latest.values("filename")[:1]),
            latest_at=Subquery(latest.values("submitted_at")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def entry_read(*, user: User, engagement: Engagement, pk: int) -> PortfolioEntry:
    return policy.get_visible_or_404(user, PortfolioEntry, pk, engagement=engagement)


def revisions(entry: PortfolioEntry) -> list[PortfolioRevision]:
    return list(entry.revisions.order_by("-number"))


def reviews(*, user: User, entry: PortfolioEntry) -> list[dict[str, Any]]:
    """Each review, with its rubric ratings when the user may read the score they belong to."""
    rows = list(
        entry.reviews.select_related("reviewer", "revision", "score")
        .prefetch_related("score__ratings")
        .order_by("-created_at", "-id")
    )
    score_ids = [r.score_id for r in rows if r.score_id]
    readable = set(
        policy.scores_visible_to(user).filter(pk__in=score_ids).values_list("pk", flat=True)
    )
    out = []
    for review in rows:
        ratings = []
        if review.score is not None and review.score_id in readable:
            score = review.score
            ratings = [
                {"rating": rating, "label": score.level_label(rating.level)}
                for rating in score.ratings.all()
            ]
        out.append({"review": review, "ratings": ratings})
    return out
