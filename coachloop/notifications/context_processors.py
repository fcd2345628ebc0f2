"""The unread notifications badge in the navigation: one count query, for signed-in people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coachloop.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # lazy: counted only when a page shows the badge
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
