"""Rubrics: criteria with level descriptors, and scores given on them with evidence.

A rubric is defined in a playbook (or, later, an instrument); a score keeps a copy of the rubric it
used, so it reads the same after the playbook changes. Scoring is confidential content."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class Perspective(models.TextChoices):
    SELF = "self", _("Self-assessment")
    LEAD = "lead", _("Lead coach, from observation")


class RubricScore(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="scores"
    )
    rubric_key = models.CharField(max_length=60)
    rubric = models.JSONField()  # the rubric's definition when scored
    subject = models.CharField(_("what was scored"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    feedback = models.TextField(_("written feedback"))
    created_at = models.DateTimeField(default=timezone.now)
    #: practice-profile assessments (coaches app): the coach rated, whether they rated
    #: themself or their lead coach rated them from observation, and the day observed
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profile_scores",
    )
    perspective = models.CharField(max_length=10, choices=Perspective.choices, blank=True)
    observed_on = models.DateField(_("observed on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "rubric_key"]),
            models.Index(fields=["about", "perspective", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.rubric.get('title', self.rubric_key)}: {self.subject}"

    def level_label(self, score: int) -> str:
        levels: list[dict[str, Any]] = self.rubric.get("levels", [])
        return next((lv["label"] for lv in levels if lv["score"] == score), str(score))


class CriterionRating(models.Model):
    score = models.ForeignKey(RubricScore, on_delete=models.CASCADE, related_name="ratings")
    criterion_key = models.CharField(max_length=60)
    criterion = models.CharField(max_length=500)
    level = models.IntegerField()
    evidence = models.TextField(blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["score", "id"]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"
