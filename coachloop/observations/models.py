"""Observations: brief, focused notes from watching a teacher's practice (seed 004, "Observe"),
tied to the current action step.

An observation is a draft while the coach writes it: saved as they type (each save names the
revision it started from), and readable only by its author. Finished, it is confidential content
at its visibility, like every other kind. Its moments are timestamped notes, optionally tagged as
evidence for or against one of the action step's success criteria.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finished")


class Evidence(models.TextChoices):
    FOR = "for", _("Seen")
    AGAINST = "against", _("Not yet")


class Observation(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="observations"
    )
    coachee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observed_in"
    )
    action_step = models.ForeignKey(
        "actionsteps.ActionStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    cycle = models.ForeignKey(
        "actionsteps.Cycle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
    )
    #: the observer
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    status = models.CharField(
        max_length=10, choices=ObservationStatus.choices, default=ObservationStatus.DRAFT
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    #: [{"at": "HH:MM:SS" offset from the start, "text", "criterion": index | null,
    #:   "evidence": "for" | "against" | null}]
    moments = models.JSONField(default=list)
    #: optional rubric scores: {criterion key: level}, on the playbook's observation rubric
    rubric_key = models.CharField(max_length=60, blank=True)
    scores = models.JSONField(default=dict)
    #: how many times it was saved: an autosave names the revision it started from
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "-started_at"]),
            models.Index(fields=["coachee", "-started_at"]),
            models.Index(fields=["action_step", "started_at"]),
            models.Index(fields=["author", "status"]),
        ]

    def __str__(self) -> str:
        return f"Observation of {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("observation_detail", args=[self.engagement_id, self.pk])
