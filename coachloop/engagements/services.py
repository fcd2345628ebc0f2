"""Writes for engagements' confidential content."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Note
from coachloop.lib.errors import DomainError


@transaction.atomic
def note_create(
    *, actor: User, engagement: Engagement, title: str, body: str, visibility: str
) -> Note:
    policy.require(actor, Action.ADD_NOTE, engagement)
    if visibility not in Visibility.values:
        raise DomainError(_("Choose who can read the note."), field="visibility")
    if not body.strip():
        raise DomainError(_("Write the note before saving it."), field="body")
    note = Note.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        author=actor,
        title=title.strip() or _("Untitled note"),
        body=body,
        visibility=visibility,
    )
    audit.record(actor=actor, action="note.create", target=note, data={"visibility": visibility})
    return note
