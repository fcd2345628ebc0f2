"""Background work of notifications, on Django's tasks framework (worker: `coachloop worker`).

- `deliver`: email a notice to people now (queued by services.notify);
- `tick`: every minute, close the surveys whose window has ended, make the reminders that are
  due (scan) and email them (delivery), and once a day refresh every engagement's cadence (it
  depends on the date)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from coachloop.accounts.models import User

logger = logging.getLogger(__name__)


@task()
def deliver(user_ids: list[int], subject: str, body: str) -> int:
    """Email each active recipient; returns how many were sent."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        sent += send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False
        )
    return sent


def refresh_cadence_daily() -> int | None:
    """Refresh every engagement's cadence once a day (per cache: a shared cache makes it once
    across workers): "at risk" depends on the date, not only on meetings. None when it already
    ran today."""
    from coachloop.cadence.services import refresh_all

    key = f"coachloop:cadence-refresh:{timezone.localdate():%Y-%m-%d}"
    if not cache.add(key, True, timeout=2 * 24 * 3600):
        return None
    try:
        return refresh_all()
    except Exception:
        cache.delete(key)  # try again at the next tick
        raise


def ask_feedback_daily() -> int | None:
    """Make the period's coaching-experience feedback rounds once a day (per cache, like the
    cadence refresh): a round is per quarter, and a coachee who joins during it is invited the
    next day. None when it already ran today."""
    from coachloop.coaches.feedback import ask_quarterly

    key = f"coachloop:coaching-feedback:{timezone.localdate():%Y-%m-%d}"
    if not cache.add(key, True, timeout=2 * 24 * 3600):
        return None
    try:
        return ask_quarterly()
    except Exception:
        cache.delete(key)  # try again at the next tick
        raise


def run_tick() -> dict[str, Any]:
    from coachloop.notifications.delivery import deliver_due
    from coachloop.notifications.scan import scan

    cadence = None
    try:
        cadence = refresh_cadence_daily()
    except Exception:
        logger.exception("The daily cadence refresh failed; it is tried again at the next tick.")
    closed = None
    try:
        from coachloop.surveys.services import close_due

        closed = close_due()
    except Exception:
        logger.exception("Closing due surveys failed; it is tried again at the next tick.")
    feedback_invited = None
    try:
        feedback_invited = ask_feedback_daily()
    except Exception:
        logger.exception("Coaching feedback rounds failed; they are tried again at the next tick.")
    made = scan()
    sent = deliver_due()
    return {
        "made": made,
        "sent": sent,
        "cadence": cadence,
        "surveys_closed": closed,
        "feedback_invited": feedback_invited,
    }


@task()
def tick() -> dict[str, Any]:
    """Make the reminders due by now and email them (and the daily cadence refresh)."""
    return run_tick()
