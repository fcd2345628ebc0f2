"""Programmes and engagements: who coaches whom. The foundation's slice of them.

This module holds what the confidentiality policy needs (a programme's administrators, an
engagement's participants and their roles, and a first kind of confidential content, the note);
the playbook issue adds phases, steps and plans on top.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class Programme(models.Model):
    """A coaching offer that an organisation runs (a cohort, a year)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=200)
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="administered_programmes", blank=True
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ParticipantRole(models.TextChoices):
    COACH = "coach", _("Coach")
    COACHEE = "coachee", _("Coachee")
    SPONSOR = "sponsor", _("Sponsor")
    DISTRICT_REP = "district_rep", _("District representative")


TEAM_ROLES = (ParticipantRole.COACH, ParticipantRole.COACHEE)
SPONSOR_ROLES = (ParticipantRole.SPONSOR, ParticipantRole.DISTRICT_REP)


class Engagement(models.Model):
    """One coaching relationship inside a programme."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="engagements"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts"), default=timezone.localdate)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement_detail", args=[self.pk])


class Participant(models.Model):
    """A person's role in an engagement."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "user", "role"], name="participant_unique_role"
            )
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()} in {self.engagement}"


class Note(models.Model):
    """A coaching note: confidential content at the visibility its author chose."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(
        _("who can read it"), max_length=20, choices=Visibility.choices, default=Visibility.TEAM
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("note_detail", args=[self.engagement_id, self.pk])
