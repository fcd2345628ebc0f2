"""Writes for meetings: schedule one of the playbook's meeting types, hold it with minutes by
agenda stage, or cancel it. Holding a meeting completes the steps that ask for it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.engagements.services import (
    check_visibility,
    default_visibility,
    people_in,
    record_event,
    require_active,
)
from coachloop.lib.errors import DomainError
from coachloop.meetings import stagetimes
from coachloop.meetings.models import Meeting, MeetingMode, MeetingStatus
from coachloop.meetings.signals import meeting_held
from coachloop.notifications.services import notify
from coachloop.playbooks.schema import MeetingTypeSpec


def meeting_type_for(engagement: Engagement, key: str) -> MeetingTypeSpec:
    spec = engagement.spec
    found = next((m for m in spec.meeting_types if m.key == key), None) if spec else None
    if found is None:
        raise DomainError(_("Choose a meeting type of this playbook."), field="meeting_type")
    return found


@transaction.atomic
def meeting_schedule(
    *,
    actor: User,
    engagement: Engagement,
    meeting_type: str,
    starts_at: datetime.datetime | None,
    mode: str,
    location: str = "",
    minutes: int | None = None,
) -> Meeting:
    policy.require(actor, Action.ADD_NOTE, engagement)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete."), status=409)
    kind = meeting_type_for(engagement, meeting_type)
    if starts_at is None:
        raise DomainError(_("Enter when the meeting starts."), field="starts_at")
    if timezone.is_naive(starts_at):  # a time without a zone is read in the server's zone
        starts_at = timezone.make_aware(starts_at)
    if timezone.localdate(starts_at) < engagement.starts_on:
        raise DomainError(
            _("The meeting can't be before the engagement starts (%s).")
            % date_format(engagement.starts_on),
            field="starts_at",
        )
    if mode not in MeetingMode.values or mode not in kind.modes:
        allowed = ", ".join(str(MeetingMode(m).label).lower() for m in kind.modes)
        raise DomainError(_("This meeting is held %s.") % allowed, field="mode")
    length = minutes or kind.minutes
    if not 5 <= length <= 600:
        raise DomainError(_("A meeting lasts from 5 to 600 minutes."), field="minutes")
    meeting = Meeting.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        meeting_type=kind.key,
        title=kind.title,
        starts_at=starts_at,
        minutes=length,
        mode=mode,
        location=location.strip()[:200],
        agenda=[stage.model_dump(mode="json") for stage in kind.agenda],
        stage_notes=["" for _stage in kind.agenda],
        author=actor,
        visibility=default_visibility(engagement, "meeting"),
    )
    audit.record(actor=actor, action="meeting.schedule", target=meeting)
    attendees = people_in(engagement, kind.attendees)
    notify(
        [u for u in attendees if u.pk != actor.pk],
        _("Meeting: %s") % kind.title,
        _("%(actor)s has planned “%(meeting)s” for %(when)s in “%(title)s”.")
        % {
            "actor": actor,
            "meeting": kind.title,
            "when": date_format(timezone.localtime(starts_at), "DATETIME_FORMAT"),
            "title": engagement.title,
        },
        meeting.get_absolute_url(),
    )
    return meeting


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    meeting: Meeting,
    stage_notes: list[str],
    summary: str,
    visibility: str | None = None,
    held: bool = True,
    base: int | None = None,
) -> Meeting:
    """Save the minutes; `held` marks the meeting as having taken place. `base` is the revision
    of the minutes the writer opened: when someone saved since, nothing is saved (409)."""
    engagement = meeting.engagement
    policy.require(actor, Action.ADD_NOTE, engagement)
    if not policy.meeting_minutes_visible_to(actor).filter(pk=meeting.pk).exists():
        raise DomainError(_("Only those who may read these minutes change them."), status=403)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."), status=409)
    if base is not None and base != meeting.revision:
        raise DomainError(
            _(
                "Someone saved these minutes after you opened them. Your text was not saved; "
                "it is still in the form. Read their minutes above, then save again."
            ),
            status=409,
        )
    if len(stage_notes) != len(meeting.agenda):
        raise DomainError(_("Write the minutes stage by stage, one for each agenda stage."))
    if held and meeting.starts_at > timezone.now() + datetime.timedelta(hours=12):
        raise DomainError(
            _("A meeting can be marked as held once it has taken place."), field="held"
        )
    meeting.stage_notes = [note.strip() for note in stage_notes]
    # The minutes' author is who wrote them: "private" minutes are the writer's own.
    meeting.author = actor
    meeting.summary = summary.strip()
    meeting.visibility = check_visibility(visibility, meeting.visibility)
    meeting.revision += 1
    first_time = held and meeting.status != MeetingStatus.HELD
    if held:
        meeting.status = MeetingStatus.HELD
        meeting.held_at = meeting.held_at or timezone.now()
    meeting.save()
    audit.record(
        actor=actor,
        action="meeting.minutes",
        target=meeting,
        data={"held": held, "visibility": meeting.visibility},
    )
    if first_time:
        record_event(engagement, "meeting", actor=actor, ref=meeting.meeting_type)
        stagetimes.count_held(meeting)
        meeting_held.send(sender=Meeting, meeting=meeting, actor=actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting) -> Meeting:
    policy.require(actor, Action.ADD_NOTE, meeting.engagement)
    require_active(meeting.engagement)
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("A meeting that was held can't be cancelled."), status=409)
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    audit.record(actor=actor, action="meeting.cancel", target=meeting)
    return meeting
