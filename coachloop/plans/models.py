"""Development plans (the seeds' IPCAP): versioned, approved by the sponsor where the playbook
says so. Each save is a new `PlanVersion`; the plan's `number` is the version a page or API
client must name to change or approve it (optimistic locking)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class Plan(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.OneToOneField(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="plan"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    number = models.PositiveIntegerField(default=0)  # the current version's number
    approved_number = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Plan of {self.engagement}"

    def get_absolute_url(self) -> str:
        return reverse("plan_detail", args=[self.engagement_id])


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    summary = models.TextField(blank=True)
    #: [{"title": ..., "measure": ..., "evidence": ...}]
    goals = models.JSONField(default=list)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.number}"


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", _("Sent for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class PlanReview(models.Model):
    """The plan's approval trail: sent, approved, returned (with comments)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    number = models.PositiveIntegerField()
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    comments = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} v{self.number}"
