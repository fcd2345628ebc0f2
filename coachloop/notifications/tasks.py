"""Background delivery of notifications, on Django's tasks framework (worker: db_worker)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from coachloop.accounts.models import User


@task()
def deliver(user_ids: list[int], subject: str, body: str) -> int:
    """Email each active recipient; returns how many were sent."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        sent += send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False
        )
    return sent
