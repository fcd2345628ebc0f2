"""Notifications to people: what happened and where to look, never the confidential content.

A notification names the event, the engagement and a link; whoever follows the link meets the
policy like any visitor, so a notification can never carry more than its reader may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from coachloop.accounts.models import User
from coachloop.notifications.tasks import deliver


def notify(users: Iterable[User], subject: str, message: str, path: str = "") -> None:
    """Queue an email to each person once the current transaction commits."""
    ids = sorted({u.pk for u in users})
    if not ids:
        return
    link = f"\n\n{settings.COACHLOOP_SITE_URL.rstrip('/')}{path}" if path else ""
    body = f"{message}{link}\n\n— Coachloop"
    transaction.on_commit(lambda: deliver.enqueue(ids, subject, body))
