"""Reads for engagements and their content, through the policy."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from coachloop.access import audit, policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Note, Participant


def engagement_list(*, user: User, role: str = "") -> QuerySet[Engagement]:
    engagements = policy.engagements_visible_to(user)
    if role:
        engagements = engagements.filter(participants__user=user, participants__role=role)
    return (
        engagements.select_related("programme", "organisation")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user"))
        )
        .distinct()
    )


def note_list(*, user: User, engagement: Engagement) -> QuerySet[Note]:
    return policy.notes_visible_to(user).filter(engagement=engagement).select_related("author")


def note_read(*, user: User, engagement: Engagement, pk: int) -> Note:
    """One note, 404 unless visible; the read is written to the audit trail."""
    note = policy.get_visible_or_404(user, Note, pk, engagement=engagement)
    audit.record(actor=user, action="note.read", target=note)
    return note
