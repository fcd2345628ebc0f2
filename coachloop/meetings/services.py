"""Writes for meetings: schedule one of the playbook's meeting types (in a time zone, with its
participants), reschedule or cancel it with a reason, hold it with minutes by agenda stage, and
record who attended. Holding a meeting completes the steps that ask for it. Every change to a
meeting's time, place or status raises its calendar sequence and sends `meeting_changed`."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
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
from coachloop.meetings import stagetimes, times
from coachloop.meetings.models import Meeting, MeetingMode, MeetingParticipant, MeetingStatus
from coachloop.meetings.signals import meeting_changed, meeting_held
from coachloop.notifications.services import notify
from coachloop.playbooks.schema import MeetingTypeSpec

_LINK = URLValidator(schemes=["http", "https"])


def meeting_type_for(engagement: Engagement, key: str) -> MeetingTypeSpec:
    spec = engagement.spec
    found = next((m for m in spec.meeting_types if m.key == key), None) if spec else None
    if found is None:
        raise DomainError(_("Choose a meeting type of this playbook."), field="meeting_type")
    return found


def meeting_kind(meeting: Meeting) -> MeetingTypeSpec | None:
    spec = meeting.engagement.spec
    return (
        next((m for m in spec.meeting_types if m.key == meeting.meeting_type), None)
        if spec
        else None
    )


def when_text(meeting: Meeting) -> str:
    """The meeting's start as its own time zone's clock shows it, with the zone."""
    moment = times.local(meeting.starts_at, meeting.time_zone)
    return f"{date_format(moment, 'DATETIME_FORMAT')} ({meeting.time_zone})"


def _check_link(link: str) -> str:
    link = (link or "").strip()
    if not link:
        return ""
    try:
        _LINK(link)
    except ValidationError:
        raise DomainError(
            _("A video link is a web address starting with https:// or http://."), field="link"
        ) from None
    if len(link) > 500:
        raise DomainError(_("The video link is too long (500 characters at most)."), field="link")
    return link


def _check_mode(kind: MeetingTypeSpec | None, mode: str) -> str:
    modes = list(kind.modes) if kind else list(MeetingMode.values)
    if mode not in MeetingMode.values or mode not in modes:
        allowed = ", ".join(str(MeetingMode(m).label).lower() for m in modes)
        raise DomainError(_("This meeting is held %s.") % allowed, field="mode")
    return mode


def _when(
    engagement: Engagement,
    *,
    starts_at: datetime.datetime | None,
    time_zone: str,
    minutes: int | None,
    ends_at: datetime.datetime | None,
    usual: int,
) -> tuple[datetime.datetime, int]:
    """The aware start and the length in minutes, from a start (naive: the zone's wall clock)
    and either an end or a length."""
    times.zone(time_zone, field="time_zone")
    if starts_at is None:
        raise DomainError(_("Enter when the meeting starts."), field="starts_at")
    start = times.to_aware(starts_at, time_zone)
    if times.local(start, time_zone).date() < engagement.starts_on:
        raise DomainError(
            _("The meeting can't be before the engagement starts (%s).")
            % date_format(engagement.starts_on),
            field="starts_at",
        )
    if ends_at is not None:
        end = times.to_aware(ends_at, time_zone, field="ends_at")
        if end <= start:
            raise DomainError(_("The meeting ends before it starts."), field="ends_at")
        seconds = (end - start).total_seconds()
        length = int(seconds // 60)
        if length > 600:
            raise DomainError(_("A meeting lasts from 5 to 600 minutes."), field="ends_at")
    else:
        length = minutes or usual
    if not 5 <= length <= 600:
        raise DomainError(
            _("A meeting lasts from 5 to 600 minutes."),
            field="ends_at" if ends_at is not None else "minutes",
        )
    return start, length


def _participants(
    engagement: Engagement, kind: MeetingTypeSpec, chosen: Sequence[User | int] | None
) -> list[User]:
    """The people invited: those chosen, each of whom must take part in the engagement, or by
    default everyone in the meeting type's attendee roles. An outsider is named only as they
    were given (a name for a person, a number for an id), so nothing more is learnt."""
    people = {p.user_id: p.user for p in engagement.participants.select_related("user")}
    if not chosen:
        found = {u.pk: u for u in people_in(engagement, kind.attendees)}
        return sorted(found.values(), key=lambda u: u.pk)
    outsiders: list[str] = []
    picked: dict[int, User] = {}
    for item in chosen:
        pk = item if isinstance(item, int) else item.pk
        if pk in people:
            picked[pk] = people[pk]
        else:
            outsiders.append(str(item) if isinstance(item, User) else _("person %d") % item)
    if outsiders:
        raise DomainError(
            _("Only the engagement's people can be invited; not %s.") % ", ".join(outsiders),
            field="participants",
        )
    return sorted(picked.values(), key=lambda u: u.pk)


def _others(meeting: Meeting, actor: User) -> list[User]:
    return [p.user for p in meeting.participants.select_related("user") if p.user_id != actor.pk]


def _changed(meeting: Meeting, actor: User) -> None:
    meeting_changed.send(sender=Meeting, meeting=meeting, actor=actor)


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
    time_zone: str | None = None,
    ends_at: datetime.datetime | None = None,
    link: str = "",
    participants: Sequence[User | int] | None = None,
    submission: uuid.UUID | None = None,
    visibility: str | None = None,
) -> Meeting:
    """Plan a meeting. A naive `starts_at` (and `ends_at`) is the wall clock in `time_zone`
    (default: the actor's own zone). The same `submission` again returns the meeting it made."""
    policy.require(actor, Action.ADD_NOTE, engagement)
    if engagement.status == EngagementStatus.COMPLETED:
        raise DomainError(_("This engagement is complete."), status=409)
    if submission is not None:
        earlier = Meeting.objects.filter(engagement=engagement, submission=submission).first()
        if earlier is not None:
            return earlier
    kind = meeting_type_for(engagement, meeting_type)
    zone_name = time_zone or times.zone_of(actor)
    start, length = _when(
        engagement,
        starts_at=starts_at,
        time_zone=zone_name,
        minutes=minutes,
        ends_at=ends_at,
        usual=kind.minutes,
    )
    _check_mode(kind, mode)
    link = _check_link(link)
    invited = _participants(engagement, kind, participants)
    meeting = Meeting(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        meeting_type=kind.key,
        title=kind.title,
        starts_at=start,
        time_zone=zone_name,
        minutes=length,
        mode=mode,
        location=location.strip()[:200],
        link=link,
        agenda=[stage.model_dump(mode="json") for stage in kind.agenda],
        stage_notes=["" for _stage in kind.agenda],
        author=actor,
        visibility=check_visibility(
            visibility, kind.visibility or default_visibility(engagement, "meeting")
        ),
        submission=submission,
    )
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        # The same form, posted twice at once: the other request made the meeting.
        earlier = Meeting.objects.filter(engagement=engagement, submission=submission).first()
        if submission is None or earlier is None:
            raise
        return earlier
    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=meeting, user=user) for user in invited]
    )
    audit.record(
        actor=actor,
        action="meeting.schedule",
        target=meeting,
        data={"participants": [u.pk for u in invited], "time_zone": zone_name},
    )
    notify(
        [u for u in invited if u.pk != actor.pk],
        _("Meeting: %s") % kind.title,
        _("%(actor)s has planned “%(meeting)s” for %(when)s in “%(title)s”.")
        % {
            "actor": actor,
            "meeting": kind.title,
            "when": when_text(meeting),
            "title": engagement.title,
        },
        meeting.get_absolute_url(),
    )
    _changed(meeting, actor)
    return meeting


def _require_planned(meeting: Meeting, doing: str) -> None:
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("A meeting that was held can't be %s.") % doing, status=409)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."), status=409)


@transaction.atomic
def meeting_reschedule(
    *,
    actor: User,
    meeting: Meeting,
    starts_at: datetime.datetime | None,
    time_zone: str | None = None,
    minutes: int | None = None,
    ends_at: datetime.datetime | None = None,
    mode: str | None = None,
    location: str | None = None,
    link: str | None = None,
    reason: str = "",
) -> Meeting:
    """Move a planned meeting (and change how or where it is held). Anything left out stays
    as it was; a length left out keeps the meeting's length."""
    engagement = meeting.engagement
    policy.require(actor, Action.ADD_NOTE, engagement)
    require_active(engagement)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.engagement = engagement
    _require_planned(meeting, _("moved"))
    kind = meeting_kind(meeting)
    zone_name = time_zone or meeting.time_zone
    start, length = _when(
        engagement,
        starts_at=starts_at,
        time_zone=zone_name,
        minutes=minutes,
        ends_at=ends_at,
        usual=meeting.minutes,
    )
    new_mode = _check_mode(kind, mode) if mode else meeting.mode
    new_link = _check_link(link) if link is not None else meeting.link
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError(_("Keep the reason under 500 characters."), field="reason")
    before = {"starts_at": meeting.starts_at.isoformat(), "minutes": meeting.minutes}
    meeting.starts_at = start
    meeting.time_zone = zone_name
    meeting.minutes = length
    meeting.mode = new_mode
    if location is not None:
        meeting.location = location.strip()[:200]
    meeting.link = new_link
    meeting.reason = reason
    meeting.sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save()
    audit.record(
        actor=actor,
        action="meeting.reschedule",
        target=meeting,
        data={
            "before": before,
            "after": {"starts_at": start.isoformat(), "minutes": length},
            "sequence": meeting.sequence,
        },
    )
    notify(
        _others(meeting, actor),
        _("Meeting moved: %s") % meeting.title,
        _("%(actor)s has moved “%(meeting)s” in “%(title)s” to %(when)s.")
        % {
            "actor": actor,
            "meeting": meeting.title,
            "title": engagement.title,
            "when": when_text(meeting),
        },
        meeting.get_absolute_url(),
    )
    _changed(meeting, actor)
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
    meeting.updated_at = timezone.now()
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
    _changed(meeting, actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a planned meeting; the reason is required and kept with it."""
    engagement = meeting.engagement
    policy.require(actor, Action.ADD_NOTE, engagement)
    require_active(engagement)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.engagement = engagement
    _require_planned(meeting, _("cancelled"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why the meeting is cancelled: the others are told."), field="reason"
        )
    if len(reason) > 500:
        raise DomainError(_("Keep the reason under 500 characters."), field="reason")
    now = timezone.now()
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.cancelled_by = actor
    meeting.reason = reason
    meeting.sequence += 1
    meeting.updated_at = now
    meeting.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "reason",
            "sequence",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor, action="meeting.cancel", target=meeting, data={"sequence": meeting.sequence}
    )
    notify(
        _others(meeting, actor),
        _("Meeting cancelled: %s") % meeting.title,
        _("%(actor)s has cancelled “%(meeting)s” of %(when)s in “%(title)s”.")
        % {
            "actor": actor,
            "meeting": meeting.title,
            "title": engagement.title,
            "when": when_text(meeting),
        },
        meeting.get_absolute_url(),
    )
    _changed(meeting, actor)
    return meeting


@transaction.atomic
def meeting_attendance(
    *, actor: User, meeting: Meeting, attended: dict[int, bool]
) -> list[MeetingParticipant]:
    """Record who attended (True) and who did not (False), for the meeting's participants
    only, once the meeting has taken place. The team records it; attendance is metadata."""
    engagement = meeting.engagement
    policy.require(actor, Action.ADD_NOTE, engagement)
    require_active(engagement)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."), status=409)
    if meeting.status != MeetingStatus.HELD and meeting.starts_at > timezone.now() + (
        datetime.timedelta(hours=12)
    ):
        raise DomainError(_("Attendance is recorded once the meeting has taken place."), status=409)
    rows = {p.user_id: p for p in meeting.participants.select_for_update().select_related("user")}
    strangers = sorted(pk for pk in attended if pk not in rows)
    if strangers:
        raise DomainError(
            _("Attendance is only for those invited to the meeting; not %s.")
            % ", ".join(_("person %d") % pk for pk in strangers),
            field="attended",
        )
    changed = []
    for pk, value in attended.items():
        row = rows[pk]
        if row.attended != bool(value):
            row.attended = bool(value)
            changed.append(row)
    MeetingParticipant.objects.bulk_update(changed, ["attended"])
    audit.record(
        actor=actor,
        action="meeting.attendance",
        target=meeting,
        data={"attended": {str(k): bool(v) for k, v in sorted(attended.items())}},
    )
    return sorted(rows.values(), key=lambda p: p.pk)
