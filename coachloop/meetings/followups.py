"""Agreed next steps: written in a meeting by those who may write its minutes, each with an
owner from the team and an optional date, tracked until done. They are content, read at the
visibility the minutes had when the step was agreed (policy.follow_ups_visible_to)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import BooleanField, F, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.engagements.services import require_active, team_of
from coachloop.lib.errors import DomainError
from coachloop.meetings.models import FollowUp, Meeting, MeetingStatus

# --- Reads ----------------------------------------------------------------------------------------


def _with_rights(
    user: User, engagement: Engagement, rows: QuerySet[FollowUp]
) -> QuerySet[FollowUp]:
    writes = policy.allowed(user, Action.ADD_NOTE, engagement)
    return (
        rows.select_related("owner", "meeting", "done_by")
        .annotate(can_change=Value(writes, output_field=BooleanField()))
        .order_by(F("done_at").asc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk")
    )


def follow_ups_for(user: User, engagement: Engagement) -> QuerySet[FollowUp]:
    """The engagement's next steps the user may read, open ones first (by date), each with
    `can_change` (whether the user may mark it done or reopen it)."""
    rows = policy.follow_ups_visible_to(user).filter(engagement=engagement)
    return _with_rights(user, engagement, rows)


def follow_ups_of_meeting(user: User, meeting: Meeting) -> QuerySet[FollowUp]:
    rows = policy.follow_ups_visible_to(user).filter(meeting=meeting)
    return _with_rights(user, meeting.engagement, rows)


def owner_choices(engagement: Engagement) -> list[User]:
    """Who may own a next step: the engagement's coaches and coachees, each once."""
    found = {u.pk: u for u in team_of(engagement)}
    return sorted(found.values(), key=lambda u: (str(u), u.pk))


# --- Writes ---------------------------------------------------------------------------------------


def _require_writer(actor: User, meeting: Meeting) -> None:
    policy.require(actor, Action.ADD_NOTE, meeting.engagement)
    if not policy.meeting_minutes_visible_to(actor).filter(pk=meeting.pk).exists():
        raise DomainError(
            _("Only those who may read this meeting's minutes add its next steps."), status=403
        )


@transaction.atomic
def follow_up_add(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    owner: User | int | None,
    due_on: datetime.date | None = None,
) -> FollowUp:
    engagement = meeting.engagement
    _require_writer(actor, meeting)
    require_active(engagement)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."), status=409)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the next step."), field="text")
    if len(text) > 500:
        raise DomainError(_("Keep the next step under 500 characters."), field="text")
    team = {u.pk: u for u in owner_choices(engagement)}
    owner_user: User | None = None
    if owner is not None:
        pk = owner if isinstance(owner, int) else owner.pk
        if pk not in team:
            raise DomainError(
                _("The owner of a next step is one of the team (a coach or a coachee)."),
                field="owner",
            )
        owner_user = team[pk]
    if due_on is not None and due_on < meeting.starts_at.date() - datetime.timedelta(days=1):
        raise DomainError(_("The date is before the meeting."), field="due_on")
    follow_up = FollowUp.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        meeting=meeting,
        text=text,
        owner=owner_user,
        due_on=due_on,
        author=actor,
        visibility=meeting.visibility,
    )
    audit.record(
        actor=actor,
        action="follow_up.add",
        target=follow_up,
        data={"meeting": meeting.pk, "visibility": follow_up.visibility},
    )
    return follow_up


@transaction.atomic
def follow_up_done(*, actor: User, follow_up: FollowUp, done: bool = True) -> FollowUp:
    """Mark a next step done, or reopen it. Whoever in the team may read it may do either."""
    engagement = follow_up.engagement
    policy.require(actor, Action.ADD_NOTE, engagement)
    if not policy.follow_ups_visible_to(actor).filter(pk=follow_up.pk).exists():
        raise DomainError(_("This next step is not shared with you."), status=403)
    require_active(engagement)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if done and follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.done_by = actor
    elif not done and follow_up.done_at is not None:
        follow_up.done_at = None
        follow_up.done_by = None
    else:
        return follow_up
    follow_up.save(update_fields=["done_at", "done_by"])
    audit.record(
        actor=actor, action="follow_up.done" if done else "follow_up.reopen", target=follow_up
    )
    return follow_up
