"""Anonymous feedback collected by link from the people in a practice (seed 000's participant
feedback forms).

Anonymity by construction (DESIGN.md, invariant 2): an answer row holds the answers and the day
it came in, nothing else. There is no invitation, account, address or time of day that could tie
an answer to a person, because the schema has no column for one. Results are published only for
a closed collection with at least `min_responses` answers, and free text only with at least
`min_comments`, so no two published views differ by fewer than k people."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class FeedbackCollection(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="feedback_collections"
    )
    form_key = models.CharField(max_length=60)
    form = models.JSONField()  # the form's definition when the collection opened
    title = models.CharField(_("title"), max_length=200)
    token = models.CharField(max_length=64, unique=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    min_responses = models.PositiveIntegerField(default=5)
    min_comments = models.PositiveIntegerField(default=10)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("feedback_detail", args=[self.engagement_id, self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class FeedbackAnswer(models.Model):
    """One respondent's answers. Deliberately no link to who answered, only the day, and a
    random id, so not even the order of the rows tells who answered when."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(
        FeedbackCollection, on_delete=models.CASCADE, related_name="answers"
    )
    data = models.JSONField()
    answered_on = models.DateField(default=timezone.localdate)

    def __str__(self) -> str:
        return f"Answer to {self.collection}"
