"""Reads for the feedback pages. Deliberately nothing here counts the answers of a collection:
the only figures shown come from feedback.services.results, which publishes them only for a
closed collection with enough answers (DESIGN.md, invariant 2)."""

from __future__ import annotations

from django.db.models import QuerySet

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.feedback.models import FeedbackCollection
from coachloop.playbooks.schema import FormSpec


def collection_list(*, user: User, engagement: Engagement) -> QuerySet[FeedbackCollection]:
    return (
        policy.feedback_collections_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .order_by("-created_at", "-id")
    )


def collection_read(*, user: User, engagement: Engagement, pk: int) -> FeedbackCollection:
    return policy.get_visible_or_404(user, FeedbackCollection, pk, engagement=engagement)


def anonymous_forms(engagement: Engagement) -> list[FormSpec]:
    spec = engagement.spec
    return [f for f in spec.forms if f.anonymous] if spec else []
