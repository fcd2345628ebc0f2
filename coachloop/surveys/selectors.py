"""Reads for survey administrations: the lists a user may see, the response rate and the
invitee list. None of them says who has or has not answered: the invitee list carries no
answered state, and the response rate is one figure for the whole administration."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.surveys.models import Administration, Instrument, Invitation


@dataclass(frozen=True)
class Rate:
    answered: int
    invited: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def response_rate(administration: Administration) -> Rate:
    """Answered of invited, for the whole administration only (kept in counters: no count)."""
    return Rate(administration.response_count, administration.invited_count)


def status_of(administration: Administration, today: datetime.date | None = None) -> str:
    """ "scheduled", "open" or "closed" (a close date that has passed counts as closed)."""
    today = today or timezone.localdate()
    if administration.closed_at is not None or administration.closes_on < today:
        return "closed"
    if administration.opens_on > today:
        return "scheduled"
    return "open"


STATUS_LABELS = {
    "scheduled": _("Not open yet"),
    "open": _("Open"),
    "closed": _("Closed"),
}


def administration_list(
    *, user: User, query: str = "", engagement: Engagement | None = None
) -> QuerySet[Administration]:
    rows = policy.visible(user, Administration).select_related(
        "organisation", "version__instrument", "engagement", "subject"
    )
    if engagement is not None:
        rows = rows.filter(engagement=engagement)
    if query:
        rows = rows.filter(
            Q(title__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(version__instrument__name__icontains=query)
        )
    return rows.order_by("-opens_on", "-id")


def can_manage(user: User, administration: Administration) -> bool:
    return policy.allowed(user, Action.MANAGE, administration)


def invitees(administration: Administration) -> QuerySet[Invitation]:
    """The people invited by email, without any answered mark (the `used` flag is never read
    here), in an order that has nothing to do with answering."""
    return (
        Invitation.objects.filter(administration=administration)
        .exclude(email="")
        .only("id", "role", "name", "email", "administration_id")
        .order_by("role", "email", "id")
    )


def printed_counts(administration: Administration) -> list[tuple[str, int]]:
    """How many printed (unnamed) links each role has."""
    rows = (
        Invitation.objects.filter(administration=administration, email="")
        .values("role")
        .annotate(n=Count("id"))
        .order_by("role")
    )
    return [(r["role"], r["n"]) for r in rows]


def instruments_for(user: User) -> QuerySet[Instrument]:
    return (
        policy.visible(user, Instrument)
        .filter(is_archived=False, current__isnull=False)
        .select_related("current")
        .order_by("name", "id")
    )


def earlier_administrations(engagement: Engagement) -> QuerySet[Administration]:
    """Closed administrations of the engagement that a re-survey may give again."""
    return (
        Administration.objects.filter(engagement=engagement, closed_at__isnull=False)
        .select_related("version__instrument")
        .order_by("-closes_on", "-id")
    )
