"""Meetings of an engagement: scheduled with a type from the playbook (its agenda stages and
timings), held, and minuted stage by stage. The minutes are confidential content; that a meeting
happened is metadata that administrators may see."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


def default_time_zone() -> str:
    return str(settings.TIME_ZONE)


class Meeting(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="meetings"
    )
    meeting_type = models.CharField(max_length=60)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    #: the IANA zone the meeting was planned in: its local date and time, the month it counts
    #: for in the cadence and the calendar entry's TZID
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    minutes = models.PositiveIntegerField(_("length in minutes"), default=60)
    mode = models.CharField(_("mode"), max_length=20, choices=MeetingMode.choices)
    location = models.CharField(_("where"), max_length=200, blank=True)
    #: the video call's address (video meetings)
    link = models.URLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    agenda = models.JSONField(default=list)  # [{"title", "minutes", "prompt"}] from the playbook
    #: the minutes, one text per agenda stage, plus a summary; confidential at `visibility`
    stage_notes = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    held_at = models.DateTimeField(null=True, blank=True)
    #: how many times the minutes were saved: a writer names the one they opened
    revision = models.PositiveIntegerField(default=0)
    #: the live meeting guide's state (meetings.guide): the current stage, whether its timer
    #: runs, and per stage the seconds actually spent, the minutes added and whether skipped
    guide = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: when the meeting's time, place or status last changed (calendar feeds, Last-Modified)
    updated_at = models.DateTimeField(default=timezone.now)
    #: the calendar entry's UID and SEQUENCE: every reschedule or cancellation raises the
    #: sequence, so calendar clients update the entry in place
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    #: the reason given for the last reschedule, or for the cancellation
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the scheduling form's one-time key: the same form posted twice makes one meeting
    submission = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["engagement", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "submission"],
                condition=models.Q(submission__isnull=False),
                name="meeting_unique_submission",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.engagement_id, self.pk])

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.minutes)


class MeetingParticipant(models.Model):
    """Someone invited to a meeting (one of the engagement's participants), and whether they
    attended: None until attendance is recorded. Metadata, like the meeting itself."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_participant_unique")
        ]
        indexes = [models.Index(fields=["user", "meeting"])]

    def __str__(self) -> str:
        return f"{self.user} at {self.meeting}"


class FollowUp(models.Model):
    """A next step agreed in a meeting, tracked until done: content, read at the visibility of
    the minutes it came from."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="follow_ups"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    text = models.CharField(_("next step"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        indexes = [
            models.Index(fields=["engagement", "done_at"]),
            models.Index(fields=["owner", "done_at", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.text


class CalendarFeed(models.Model):
    """A person's private calendar subscription: the URL carries a random token, of which only
    the hash is stored. Revoking it (or making a new one) ends the old URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"calendar of {self.user}"


class StageTimeMonth(models.Model):
    """Time actually spent on one agenda stage, summed over a programme's meetings of one type
    held in one month: what the programme's report of time per stage against plan reads, so
    that it never walks every meeting's guide. Counted once, when a meeting is recorded as held
    (meetings.stagetimes)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "engagements.Programme", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField()  # its first day
    meeting_type = models.CharField(max_length=60)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    meetings = models.PositiveIntegerField(default=0)
    planned_minutes = models.PositiveIntegerField(default=0)  # summed over the meetings
    spent_seconds = models.PositiveBigIntegerField(default=0)
    extra_minutes = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    #: {spent seconds rounded to 10: meetings}, for the median
    spread = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "month", "meeting_type", "position", "title"],
                name="stage_time_month_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.month:%Y-%m})"
