"""Action steps and the instructional coaching cycle (seed 004).

An action step is a small, clear, measurable next step for a teacher, with success criteria,
linked to a larger goal. Coaches pick one from their organisation's library (a scope and sequence
of categories and steps) or write their own. A teacher has one current step per engagement, or
as many as the playbook's `cycle.current_steps` allows.

A cycle is Study, Observe, Feedback meeting, Plan: it opens with the engagement's first action
step, collects its study and observations, and closes when its feedback meeting is held; the next
cycle opens at once. Cycles are metadata (that they happen, how long they take); action steps,
like observations, are confidential content at a visibility.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class LibraryCategory(models.Model):
    """A strand of an organisation's action-step library ("Routines", "Checking for
    understanding"), in the order of the scope and sequence."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("category"), max_length=200)
    description = models.TextField(_("the larger goal it serves"), blank=True)

    class Meta:
        ordering = ["organisation", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"], name="library_category_unique_title"
            )
        ]
        verbose_name_plural = "library categories"

    def __str__(self) -> str:
        return self.title


class LibraryStep(models.Model):
    """An action step in the library, with what makes it a success and what it looks like."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(LibraryCategory, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("action step"), max_length=300)
    #: one short sentence per criterion
    success_criteria = models.JSONField(default=list)
    model = models.TextField(_("what effective practice looks like"), blank=True)
    non_examples = models.TextField(_("non-examples"), blank=True)
    #: [{"title", "url"}]
    resources = models.JSONField(default=list)

    class Meta:
        ordering = ["category__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "title"], name="library_step_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class ActionStepStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    MASTERED = "mastered", _("Mastered")
    PAUSED = "paused", _("Paused")


class ActionStep(models.Model):
    """A teacher's action step in one engagement: confidential content at its visibility."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="action_steps"
    )
    coachee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_steps"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    library_step = models.ForeignKey(
        LibraryStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("action step"), max_length=300)
    success_criteria = models.JSONField(default=list)
    goal = models.TextField(_("the larger goal it serves"), blank=True)
    model = models.TextField(_("what effective practice looks like"), blank=True)
    non_examples = models.TextField(_("non-examples"), blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStepStatus.choices, default=ActionStepStatus.CURRENT
    )
    started_on = models.DateField(_("started"), default=timezone.localdate)
    mastered_on = models.DateField(_("mastered"), null=True, blank=True)
    paused_on = models.DateField(_("paused"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["engagement", "status"]),
            models.Index(fields=["coachee", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("action_step_detail", args=[self.engagement_id, self.pk])


class ActionStepResource(models.Model):
    """A link or file (an engagement resource) for studying an action step."""

    action_step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="links")
    resource = models.ForeignKey("engagements.Resource", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action_step", "resource"], name="action_step_resource_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} for {self.action_step}"


def derived(
    opened_on: datetime.date | None, closed_on: datetime.date | None
) -> tuple[datetime.date | None, int | None]:
    """A closed cycle's month (its first day) and length in days, as stored for reports."""
    if closed_on is None or opened_on is None:
        return None, None
    return closed_on.replace(day=1), max(0, (closed_on - opened_on).days)


class CycleStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Completed")


class Cycle(models.Model):
    """One coaching cycle of an engagement: Study, Observe, Feedback meeting, Plan."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="cycles"
    )
    number = models.PositiveIntegerField()
    action_step = models.ForeignKey(
        ActionStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="cycles"
    )
    status = models.CharField(max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    opened_on = models.DateField(default=timezone.localdate)
    #: the plan, made in the last cycle's feedback meeting
    study_planned_on = models.DateField(_("study planned"), null=True, blank=True)
    observation_planned_on = models.DateField(_("observation planned"), null=True, blank=True)
    studied_on = models.DateField(_("studied"), null=True, blank=True)
    observed_on = models.DateField(_("first observed"), null=True, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    #: the coach who closed it (held the feedback meeting): for per-coach aggregates
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: kept from the dates on save, so reports group by them without date arithmetic per row
    closed_month = models.DateField(null=True, blank=True)
    length_days = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["engagement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "number"], name="cycle_unique_number"),
            models.UniqueConstraint(
                fields=["engagement"],
                condition=models.Q(status="open"),
                name="cycle_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["engagement", "status"]),
            models.Index(fields=["status", "closed_on"]),
            models.Index(fields=["status", "closed_month"]),
        ]

    def __str__(self) -> str:
        return f"Cycle {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.closed_month, self.length_days = derived(self.opened_on, self.closed_on)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "closed_month", "length_days"}
        super().save(*args, **kwargs)


class PracticeAttempt(models.Model):
    """One attempt at the action step during a feedback meeting's practice stage, with feedback
    on each success criterion. Read with the meeting's minutes."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="practice_attempts"
    )
    action_step = models.ForeignKey(
        ActionStep, on_delete=models.CASCADE, related_name="practice_attempts"
    )
    #: 1 is the first attempt; 2 and on are re-practices
    number = models.PositiveIntegerField()
    #: [{"criterion": text, "met": bool}], one per success criterion of the step
    criteria = models.JSONField(default=list)
    feedback = models.TextField(_("feedback"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "action_step", "number"], name="practice_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number}"
