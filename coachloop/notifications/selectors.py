"""Reading a person's notifications: what is due by now, newest first, and the unread count."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.notifications.models import Notification


def notifications_for(user: User) -> QuerySet[Notification]:
    """The person's own notifications that are due by now (a meeting reminder shows from the
    time it was asked for), newest first."""
    return (
        policy.notifications_of(user)
        .filter(due_at__lte=timezone.now())
        .order_by("-due_at", "-id")
        .defer("body")
    )


def unread_count(user: User) -> int:
    return (
        policy.notifications_of(user)
        .filter(read_at__isnull=True, due_at__lte=timezone.now())
        .count()
    )
