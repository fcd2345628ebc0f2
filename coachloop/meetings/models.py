"""Meetings of an engagement: scheduled with a type from the playbook (its agenda stages and
timings), held, and minuted stage by stage. The minutes are confidential content; that a meeting
happened is metadata that administrators may see."""

from __future__ import annotations

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
    minutes = models.PositiveIntegerField(_("length in minutes"), default=60)
    mode = models.CharField(_("mode"), max_length=20, choices=MeetingMode.choices)
    location = models.CharField(_("where"), max_length=200, blank=True)
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

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["engagement", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.engagement_id, self.pk])


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
