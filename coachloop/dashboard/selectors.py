"""What each role's dashboard shows. A fixed number of queries, whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, ParticipantRole
from coachloop.organisations.models import OrganisationKind, Role


@dataclass
class Dashboard:
    roles: set[str]
    engagements_by_role: dict[str, list[Engagement]] = field(default_factory=dict)
    admin: dict[str, Any] | None = None
    schools: list[Any] = field(default_factory=list)


def dashboard_for(*, user: User) -> Dashboard:
    roles = policy.roles_of(user)
    board = Dashboard(roles=roles)
    mine = (
        policy.engagements_visible_to(user)
        .filter(participants__user=user)
        .annotate(role=F("participants__role"))
        .select_related("programme")
        .order_by("-starts_on")[:60]
    )
    for engagement in mine:
        board.engagements_by_role.setdefault(engagement.role, []).append(engagement)
    if Role.PROGRAMME_ADMIN in roles:
        orgs = policy.organisations_administered_by(user)
        counts = orgs.aggregate(
            schools=Count("pk", filter=Q(kind=OrganisationKind.SCHOOL)), organisations=Count("pk")
        )
        board.admin = {
            **counts,
            "top": orgs.order_by("depth", "name").first(),
            "people": policy.people_managed_by(user).filter(is_active=True).count(),
            "engagements": policy.engagements_visible_to(user).count(),
            "recent": list(policy.audit_events_visible_to(user).select_related("actor")[:8]),
        }
    if roles & {Role.DISTRICT_REP, Role.SCHOOL_LEADER}:
        board.schools = list(
            policy.organisations_visible_to(user)
            .filter(kind=OrganisationKind.SCHOOL)
            .annotate(staff=Count("memberships", filter=Q(memberships__is_active=True)))
            .order_by("name")[:12]
        )
    return board


ROLE_TITLES = {
    ParticipantRole.COACH: _("Your coachees"),
    ParticipantRole.COACHEE: _("Your coaching"),
    ParticipantRole.SPONSOR: _("Coaching you sponsor"),
    ParticipantRole.DISTRICT_REP: _("Coaching you follow for the district"),
}
