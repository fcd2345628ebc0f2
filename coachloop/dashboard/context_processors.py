"""Navigation by role, computed once per request from the policy."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coachloop.access import policy
from coachloop.organisations.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": set()}
    roles = policy.roles_of(user)
    return {
        "nav_roles": roles,
        "nav_is_admin": Role.PROGRAMME_ADMIN in roles,
        "nav_role_labels": [label for value, label in Role.choices if value in roles],
    }
