"""Background work of survey administrations, on Django's tasks framework.

`send_invitations` emails invitations and reminders. It takes invitation ids only: a task's
arguments are stored in the queue, so a token never is; the link is unsealed from the
invitation just before sending (printed links have no sealed token and are never emailed).
Failures are logged with the invitation's id only, never the link or the address."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coachloop.surveys import tokens
from coachloop.surveys.models import Invitation

logger = logging.getLogger(__name__)


def link_for(token: str) -> str:
    return settings.COACHLOOP_SITE_URL.rstrip("/") + reverse("respond", args=[token])


@task()
def send_invitations(invitation_ids: list[int], reminder: bool = False) -> int:
    """Email each invitation its link (a reminder: only those still unused). Returns how many
    were sent."""
    sent = 0
    rows = Invitation.objects.filter(pk__in=invitation_ids).select_related(
        "administration__organisation", "administration__subject"
    )
    for invitation in rows:
        if invitation.used or not invitation.email:
            continue
        administration = invitation.administration
        if administration.is_closed:
            continue
        token = tokens.unseal(invitation.sealed_token)
        if token is None:
            logger.warning("Survey invitation %s has no readable link; not emailed.", invitation.pk)
            continue
        context = {
            "administration": administration,
            "invitation": invitation,
            "link": link_for(token),
            "reminder": reminder,
            "self": invitation.role == "self",
        }
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        body = render_to_string("surveys/email/invitation.txt", context)
        try:
            sent += send_mail(
                subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email], fail_silently=False
            )
        except Exception as error:  # one refused address does not stop the others
            logger.warning(
                "Survey invitation %s could not be emailed (%s).",
                invitation.pk,
                type(error).__name__,
            )
            continue
        if not reminder and invitation.sent_at is None:
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return sent
