"""Reads for organisations, people and memberships. Every selector takes the acting user and
returns only what the policy lets them see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.organisations.models import Membership, Organisation, Role


def person_list(
    *,
    user: User,
    search: str = "",
    organisation: Organisation | None = None,
    role: str = "",
    include_inactive: bool = False,
) -> QuerySet[User]:
    """People the user may see, with their visible memberships prefetched (constant queries)."""
    people = policy.people_visible_to(user)
    if not include_inactive:
        people = people.filter(is_active=True)
    for word in search.split()[:5]:
        people = people.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(email__icontains=word)
        )
    memberships = policy.memberships_visible_to(user).filter(is_active=True)
    if organisation is not None:
        memberships = memberships.filter(organisation__path__startswith=organisation.path)
    if role:
        memberships = memberships.filter(role=role)
    if organisation is not None or role:
        people = people.filter(pk__in=memberships.values("user_id"))
    return people.order_by("family_name", "given_name", "email").prefetch_related(
        Prefetch(
            "memberships",
            queryset=memberships.select_related("organisation").order_by("organisation__name"),
            to_attr="visible_memberships",
        )
    )


def person_memberships(*, user: User, person: User) -> QuerySet[Membership]:
    return (
        policy.memberships_visible_to(user)
        .filter(user=person)
        .select_related("organisation")
        .order_by("-is_active", "organisation__name", "role")
    )


def organisation_list(*, user: User, search: str = "") -> QuerySet[Organisation]:
    orgs = policy.organisations_visible_to(user).annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    )
    if search:
        orgs = orgs.filter(Q(name__icontains=search) | Q(identifier__icontains=search))
    return orgs.order_by("path")


def organisation_role_counts(*, user: User, organisation: Organisation) -> list[tuple[str, int]]:
    """(role label, active memberships) at one organisation the user may see, every role listed."""
    counts = dict(
        policy.memberships_visible_to(user)
        .filter(organisation=organisation, is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
    )
    return [(str(label), counts.get(value, 0)) for value, label in Role.choices]


def organisation_children(*, user: User, organisation: Organisation) -> QuerySet[Organisation]:
    return organisation_list(user=user).filter(parent=organisation).order_by("name")


def organisations_for_choice(*, user: User) -> QuerySet[Organisation]:
    """Organisations the user may add people to (form choice lists)."""
    return policy.organisations_administered_by(user).filter(is_active=True).order_by("path")
