"""Coaching the coaches (seed 003): coaching-experience feedback rounds about a coach, and the
coach's reply to what they heard.

Practice-profile ratings are `rubrics.RubricScore` rows with `about` and `perspective` set, on a
coach-development engagement (the coach is its coachee, their lead coach its coach). The growth
plan is that engagement's plan and action steps. Responsiveness lives in `messaging`.

A feedback round is one survey administration (surveys) about one coach for one period, to the
coachees the coach works with in a programme: answers are pooled per coach, so the anonymity
engine shows the coach results only for groups of at least the instrument's k."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FeedbackRound(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "engagements.Programme", on_delete=models.CASCADE, related_name="feedback_rounds"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_rounds"
    )
    administration = models.OneToOneField(
        "surveys.Administration", on_delete=models.PROTECT, related_name="feedback_round"
    )
    #: the period the round covers ("2026-Q4"): one round per coach, programme and period
    period = models.CharField(max_length=20)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "coach", "period"], name="feedback_round_unique_period"
            )
        ]
        indexes = [models.Index(fields=["coach", "-starts_on"])]

    def __str__(self) -> str:
        return f"Coaching experience, {self.period}"


class FeedbackReply(models.Model):
    """What the coach will change after hearing a round's results (seed 003: "requests and is
    responsive to feedback"). Seen by the coach's coachees in the programme and its
    administrators."""

    round = models.OneToOneField(FeedbackRound, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what I will change"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reply to {self.round}"
