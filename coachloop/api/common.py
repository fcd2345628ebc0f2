"""Helpers the API's routers share: the acting user, an engagement through the policy, people
named by id or email."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError


def user_of(request: HttpRequest) -> User:
    """The authenticated person (TokenAuth and ActiveSessionAuth both put them on request.auth)."""
    return request.auth  # type: ignore[attr-defined]


def engagement_or_404(request: HttpRequest, pk: int) -> Engagement:
    """The engagement if the user may know it exists; 404 otherwise, as for a missing one."""
    return policy.get_visible_or_404(user_of(request), Engagement, pk)


def people_named(actor: User, refs: list[int | str], field: str) -> list[User]:
    """People in the actor's scope, named by id or email, in the order given. Anyone not found
    (missing, or outside the actor's organisations: the same answer) is a DomainError on
    `field`."""
    if not refs:
        return []
    ids = {r for r in refs if isinstance(r, int)}
    emails = {r.strip().lower() for r in refs if isinstance(r, str)}
    found = list(
        policy.people_visible_to(actor).filter(Q(pk__in=ids) | Q(email__in=emails)).distinct()
    )
    by_id = {u.pk: u for u in found}
    by_email = {u.email.lower(): u for u in found}
    people: list[User] = []
    for ref in refs:
        user = by_id.get(ref) if isinstance(ref, int) else by_email.get(ref.strip().lower())
        if user is None:
            raise DomainError(
                _("Nobody in your organisations has the email or id %s.") % ref, field=field
            )
        if user not in people:
            people.append(user)
    return people


def person(user: User | None) -> dict[str, Any] | None:
    """How the API names a person inside content: id and display name, nothing more."""
    return None if user is None else {"id": user.pk, "name": str(user)}
