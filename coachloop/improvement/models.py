"""School improvement plans, and the target areas and action steps a school's leaders and their
coach take from a survey report (seed 002: "action steps aligned to the school improvement
plan"), with check-ins on progress and barriers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class ImprovementPlan(models.Model):
    """A school's improvement plan: its goals, owners and measures. The school's own document,
    entered or imported; action steps say which of its goals they serve."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="improvement_plans"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(default=1)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("improvement_plan_detail", args=[self.pk])


class ImprovementGoal(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=300)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    measure = models.TextField(_("measure of success"), blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.title


class TargetArea(models.Model):
    """A domain or item of a report that the school's leaders and coach chose to work on (or a
    strength to build on)."""

    class Kind(models.TextChoices):
        TARGET = "target", _("Target area")
        STRENGTH = "strength", _("Strength to build on")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="target_areas"
    )
    administration = models.ForeignKey(
        "surveys.Administration", on_delete=models.PROTECT, related_name="target_areas"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TARGET)
    domain = models.CharField(max_length=60)
    #: empty: the whole domain
    item = models.CharField(max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=500)
    rationale = models.TextField(_("why this area"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["engagement", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "administration", "domain", "item"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="target_area_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SchoolActionStep(models.Model):
    """An action step for the school: owner, due date, success measure, the improvement goal it
    serves and the target area it addresses."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        UNDERWAY = "underway", _("Under way")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="school_action_steps"
    )
    target_area = models.ForeignKey(
        TargetArea, on_delete=models.PROTECT, related_name="action_steps"
    )
    goal = models.ForeignKey(
        ImprovementGoal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_steps",
    )
    text = models.TextField(_("action step"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    measure = models.TextField(_("success measure"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("school_action_detail", args=[self.pk])


class CheckIn(models.Model):
    """Progress on an action step: what moved, the barriers and how to overcome them, the support
    needed and from which partner. The step's status over time is the series of check-ins."""

    class Progress(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        STALLED = "stalled", _("Stalled")
        DONE = "done", _("Done")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    action_step = models.ForeignKey(
        SchoolActionStep, on_delete=models.CASCADE, related_name="check_ins"
    )
    progress = models.CharField(max_length=20, choices=Progress.choices)
    summary = models.TextField(_("progress"))
    barriers = models.TextField(_("barriers"), blank=True)
    overcome = models.TextField(_("how to overcome them"), blank=True)
    support = models.TextField(_("support needed"), blank=True)
    partner = models.CharField(_("from which partner"), max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action_step", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Check-in on {self.action_step}"
