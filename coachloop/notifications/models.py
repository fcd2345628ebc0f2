"""Reminders and notices to people, shown in the app and sent by email.

A `Notification` row is made once per person and reason (its `key`: this meeting at this
sequence, this step overdue since that day, this month unscheduled), so a reminder can never be
made twice; it is emailed by the worker in the same transaction that marks it emailed, so a
worker that stops mid-batch leaves the rest pending for the next run, and none is lost. Like
every notification, it names what happened and links to it, never the confidential content."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    MEETING_SOON = "meeting_soon", _("Meeting soon")
    MONTH_UNSCHEDULED = "month_unscheduled", _("Monthly session not yet scheduled")
    STEP_OVERDUE = "step_overdue", _("Step overdue")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Agreed next step overdue")
    DIGEST = "digest", _("Weekly digest")
    NOTICE = "notice", _("Notice")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    #: what it is about, unique per person: "meeting:<uid>:<sequence>", "step:<id>:<due>"
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    path = models.CharField(max_length=500, blank=True)
    #: when it is shown and sent (a meeting reminder: the chosen time before the meeting)
    due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    #: whether it goes out by email (the person's preferences when it was made)
    email = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")
        ]
        indexes = [
            models.Index(fields=["user", "-due_at"]),
            models.Index(
                fields=["due_at"],
                condition=models.Q(email=True, emailed_at__isnull=True),
                name="notification_to_email",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """What one person wants to be told, and how. Absent: the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    #: email at all (off: the app only)
    email = models.BooleanField(_("Send me email"), default=True)
    #: how long before a meeting the reminder comes; 0: no meeting reminders
    before_meeting_minutes = models.PositiveIntegerField(
        _("Remind me before a meeting"), default=24 * 60
    )
    month_unscheduled = models.BooleanField(
        _("Tell me when our monthly session is not yet scheduled"), default=True
    )
    step_overdue = models.BooleanField(_("Tell me when a step of mine is overdue"), default=True)
    #: one email a week with what is coming and what is overdue, instead of one email per
    #: overdue step or unscheduled month (meeting reminders still come on their own)
    weekly_digest = models.BooleanField(_("Send me a weekly digest"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user}"
