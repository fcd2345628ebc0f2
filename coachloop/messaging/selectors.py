"""Reads for messages and check-ins, through the policy: threads, messages and attachments are
team content (the engagement's coaches and coachees; everyone else gets 404), check-ins are
content at their own visibility."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.meetings import times
from coachloop.messaging.models import Attachment, Contact, ContactMethod, Message, Thread


def messages_engagement_or_404(user: User, pk: int) -> Engagement:
    """The engagement whose messages the user reads: its coaches and coachees only. Anyone else
    (sponsor, district representative, administrator, stranger) gets 404, as for a missing one."""
    engagement = policy.get_visible_or_404(user, Engagement, pk)
    if not policy.allowed(user, Action.ADD_NOTE, engagement):
        raise Http404
    return engagement


def thread_list(*, user: User, engagement: Engagement, search: str = "") -> QuerySet[Thread]:
    """The engagement's threads the user reads, newest activity first; `search` in subjects."""
    threads = (
        policy.threads_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .order_by("-last_message_at", "-id")
    )
    if search.strip():
        threads = threads.filter(subject__icontains=search.strip()[:100])
    return threads


def thread_read(*, user: User, engagement: Engagement, pk: int) -> Thread:
    return policy.get_visible_or_404(user, Thread, pk, engagement=engagement)


def thread_messages(thread: Thread) -> list[Message]:
    """Oldest first, each with its author, files and question (when it asks one)."""
    return list(
        thread.messages.select_related("author", "question")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def recipients_of(thread: Thread) -> list[User]:
    return list(thread.recipients.order_by("family_name", "given_name", "email"))


def attachment_read(*, user: User, engagement: Engagement, pk: int) -> Attachment:
    found = (
        Attachment.objects.filter(
            message__in=policy.messages_visible_to(user), message__thread__engagement=engagement
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def contact_list(*, user: User, engagement: Engagement, method: str = "") -> QuerySet[Contact]:
    contacts = (
        policy.contacts_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .prefetch_related("answers")
        .order_by("-occurred_at", "-id")
    )
    if method in ContactMethod.values:
        contacts = contacts.filter(method=method)
    return contacts


def contact_table(user: User, contacts: Sequence[Contact]) -> tuple[list[str], list[list[Any]]]:
    """The check-ins as the viewer sees them, for CSV: times on the viewer's clock."""
    zone = times.zone_of(user)
    clock = times.stored_zone(zone)
    header = [
        _("When"),
        _("Time zone"),
        _("Method"),
        _("Logged by"),
        _("Note"),
        _("Who can read it"),
        _("Questions answered"),
    ]
    rows = [
        [
            c.occurred_at.astimezone(clock).replace(tzinfo=None),
            zone,
            c.get_method_display(),
            str(c.author),
            c.note,
            Visibility(c.visibility).label,
            len(c.answers.all()),
        ]
        for c in contacts
    ]
    return header, rows
