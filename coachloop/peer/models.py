"""Peer coaching (seed 001): teams of school leaders in which every member is both coach and
coachee. Each member has goals drawn from a source (DISC, a 360, academic testing, ...) with
evidence of accomplishment; the programme sets monthly assignments that each member completes,
some with an interaction with their supervisor or team; and at set points each member rates
themself and is rated by their partner on the four levels of coaching effectiveness.

Goals and effectiveness ratings are content at a visibility (the built-in playbook: sponsors,
so supervisors see goals' status and the levels); assignments and their completion are
metadata, like attendance and cadence. Team notes and session minutes stay with the team."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    ACCOMPLISHED = "accomplished", _("Accomplished")
    DROPPED = "dropped", _("Dropped")


class Goal(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="peer_goals"
    )
    #: whose goal it is (a member of the team)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("goal"), max_length=300)
    #: where it comes from: one of the playbook's goal sources
    source = models.CharField(_("source"), max_length=200)
    measure = models.TextField(_("how we will know"), blank=True)
    evidence = models.TextField(_("evidence of accomplishment"), blank=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    accomplished_on = models.DateField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    #: optimistic lock: a writer names the revision they opened
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "member", "created_at", "id"]
        indexes = [models.Index(fields=["engagement", "member"])]

    def __str__(self) -> str:
        return self.title


class Interaction(models.TextChoices):
    NONE = "none", _("None")
    SUPERVISOR = "supervisor", _("With your direct supervisor")
    TEAM = "team", _("With your team members")
    BOTH = "both", _("With your supervisor and your team")


class Assignment(models.Model):
    """A monthly assignment from the programme: for every team (`engagement` empty) or one."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        "engagements.Programme", on_delete=models.CASCADE, related_name="peer_assignments"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="peer_assignments",
    )
    month = models.DateField(_("month"))  # its first day
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("what to do"), blank=True)
    interaction = models.CharField(
        _("interaction it asks for"),
        max_length=20,
        choices=Interaction.choices,
        default=Interaction.NONE,
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "title", "id"]
        indexes = [models.Index(fields=["programme", "month"])]

    def __str__(self) -> str:
        return self.title


class AssignmentCompletion(models.Model):
    """One member's completion of an assignment in their team (metadata)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="completions")
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: the member did the interaction with their supervisor or team the assignment asks for
    interaction_done = models.BooleanField(default=False)
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "engagement", "member"], name="assignment_completion_unique"
            )
        ]
        indexes = [models.Index(fields=["engagement", "assignment"])]

    def __str__(self) -> str:
        return f"{self.assignment} by {self.member}"


class Perspective(models.TextChoices):
    SELF = "self", _("Self")
    PARTNER = "partner", _("Partner")


class EffectivenessRating(models.Model):
    """One rater's rating of one member on the playbook's effectiveness levels at one point.

    `levels` holds, per level key, the rating on the playbook's scale and which indicators were
    seen: {"reaction": {"rating": 3, "indicators": [true, true, false]}}. `reached` is the
    highest level reached (0: none), derived when it is saved."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="effectiveness_ratings"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    perspective = models.CharField(max_length=10, choices=Perspective.choices)
    point = models.CharField(max_length=60)
    levels = models.JSONField(default=dict)
    reached = models.PositiveSmallIntegerField(default=0)
    comment = models.TextField(_("comment"), blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "point", "subject", "perspective"]
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "subject", "rater", "point"], name="effectiveness_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.point} by {self.rater}"

    # the rater is the author, for the policy's content rule
    @property
    def author_id(self) -> int:
        return self.rater_id
