"""Emailing the reminders that are due, one row per transaction.

Each row is locked (skipping rows another worker holds), checked again, emailed and marked
emailed in one transaction: a worker that stops mid-batch leaves the rest pending for the next
run, so none is lost and none is sent twice. A meeting reminder whose meeting has since been
cancelled, moved or held is marked done without an email: a stale time is never sent."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.accounts.models import User
from coachloop.meetings.models import Meeting
from coachloop.notifications.models import Notification, NotificationKind
from coachloop.notifications.scan import is_stale, parse_meeting_key

logger = logging.getLogger(__name__)


def email_text(notification: Notification) -> str:
    site = settings.COACHLOOP_SITE_URL.rstrip("/")
    parts = [notification.body or notification.subject]
    if notification.path:
        parts.append(f"{site}{notification.path}")
    parts.append(
        _("— Coachloop. Choose what you are sent: %(url)s")
        % {"url": f"{site}/account/notifications/"}
    )
    return "\n\n".join(parts)


def deliver_due(now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Email up to `limit` due reminders, oldest first; returns how many were sent. A failure
    to send one (a refused address) leaves it pending and goes on with the others."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(email=True, emailed_at__isnull=True, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in ids:
        try:
            sent += deliver_one(pk, now)
        except Exception:
            logger.exception("Notification %s could not be sent; it stays pending.", pk)
    return sent


def deliver_one(pk: int, now: datetime.datetime) -> int:
    """Send one pending reminder in its own transaction; 1 if emailed, 0 otherwise."""
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk=pk, email=True, emailed_at__isnull=True, due_at__lte=now)
            .first()
        )
        if notification is None:
            return 0  # sent or taken by another worker meanwhile
        if notification.kind == NotificationKind.MEETING_SOON:
            parsed = parse_meeting_key(notification.key)
            meeting = (
                Meeting.objects.filter(uid=parsed[0])
                .values("status", "sequence", "starts_at")
                .first()
                if parsed
                else None
            )
            if is_stale(notification.key, meeting, now):
                notification.email = False
                notification.read_at = notification.read_at or now
                notification.save(update_fields=["email", "read_at"])
                return 0
        user = User.objects.filter(pk=notification.user_id).values("email", "is_active").first()
        if user is None or not user["is_active"] or not user["email"]:
            notification.email = False
            notification.save(update_fields=["email"])
            return 0
        send_mail(
            notification.subject,
            email_text(notification),
            settings.DEFAULT_FROM_EMAIL,
            [user["email"]],
            fail_silently=False,
        )
        notification.emailed_at = now
        notification.save(update_fields=["emailed_at"])
        return 1
