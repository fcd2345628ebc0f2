"""Portfolio entries: evidence the coachee submits, reviewed with feedback, returned for revision
or accepted and archived. Each submission of a file is a revision; nothing is overwritten."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted and archived")


class PortfolioEntry(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="portfolio_entries"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what it shows"), blank=True)
    status = models.CharField(
        max_length=20, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["engagement", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portfolio_entry", args=[self.engagement_id, self.pk])


class PortfolioRevision(models.Model):
    entry = models.ForeignKey(PortfolioEntry, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="portfolio/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "number"], name="portfolio_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.filename} (revision {self.number})"


class PortfolioReview(models.Model):
    entry = models.ForeignKey(PortfolioEntry, on_delete=models.CASCADE, related_name="reviews")
    revision = models.ForeignKey(PortfolioRevision, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        max_length=20,
        choices=[
            (EntryStatus.RETURNED, _("Return for revision")),
            (EntryStatus.ACCEPTED, _("Accept and archive")),
        ],
    )
    feedback = models.TextField(_("feedback"))
    score = models.ForeignKey(
        "rubrics.RubricScore", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.entry}"
