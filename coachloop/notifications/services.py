"""Notifications to people: what happened and where to look, never the confidential content.

A notification names the event, the engagement and a link; whoever follows the link meets the
policy like any visitor, so a notification can never carry more than its reader may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.lib.errors import DomainError
from coachloop.meetings.times import zone_names
from coachloop.notifications.models import NotificationPreference
from coachloop.notifications.tasks import deliver


def notify(users: Iterable[User], subject: str, message: str, path: str = "") -> None:
    """Queue an email to each person once the current transaction commits."""
    ids = sorted({u.pk for u in users})
    if not ids:
        return
    link = f"\n\n{settings.COACHLOOP_SITE_URL.rstrip('/')}{path}" if path else ""
    body = f"{message}{link}\n\n— Coachloop"
    transaction.on_commit(lambda: deliver.enqueue(ids, subject, body))


# --- the person's own notifications and preferences --------------------------------------------

#: the choices of "remind me before a meeting", in minutes (0: no meeting reminders)
BEFORE_MEETING_CHOICES: list[tuple[int, Any]] = [
    (0, _("No reminder")),
    (15, _("15 minutes before")),
    (60, _("1 hour before")),
    (24 * 60, _("1 day before")),
    (2 * 24 * 60, _("2 days before")),
]


def preferences_of(user: User) -> NotificationPreference:
    """The person's preferences; the defaults (unsaved) when they never changed them."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


@transaction.atomic
def save_preferences(
    *,
    user: User,
    email: bool,
    before_meeting_minutes: int,
    month_unscheduled: bool,
    step_overdue: bool,
    weekly_digest: bool,
    time_zone: str,
) -> NotificationPreference:
    """Store what the person wants to be told, and their time zone ("" = the server's)."""
    errors: dict[str, Any] = {}
    if before_meeting_minutes not in dict(BEFORE_MEETING_CHOICES):
        errors["before_meeting_minutes"] = _("Choose one of the reminder times offered.")
    if time_zone and time_zone not in zone_names():
        errors["time_zone"] = _(
            "“%(zone)s” is not a time zone we know; choose one from the list."
        ) % {"zone": time_zone[:64]}
    if errors:
        raise DomainError(
            str(next(iter(errors.values()))),
            errors={k: str(v) for k, v in errors.items()},
            status=422,
        )
    pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    pref.email = email
    pref.before_meeting_minutes = before_meeting_minutes
    pref.month_unscheduled = month_unscheduled
    pref.step_overdue = step_overdue
    pref.weekly_digest = weekly_digest
    pref.save()
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
    return pref


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notifications read: those named, or all that are due; returns how
    many changed. Ids of other people's notifications are ignored."""
    now = timezone.now()
    rows = policy.notifications_of(user).filter(read_at__isnull=True, due_at__lte=now)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now)
