"""The audit trail, and the visibility levels every piece of confidential content carries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    """Who may read a piece of content (DESIGN.md, invariant 1). Each level includes the last."""

    PRIVATE = "private", _("Private: only the author")
    TEAM = "team", _("Team: the engagement's coaches and coachees")
    SPONSORS = "sponsors", _("Sponsors: also the sponsor and district representative")
    PROGRAMME = "programme", _("Programme: also the programme's administrators")


class AuditEvent(models.Model):
    """One change to a sensitive record, or one read of confidential content.

    Holds metadata only: who, what action, which record, when. Never the confidential text and
    never a survey respondent's identity (audit.record masks sensitive keys).
    """

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("record type"), max_length=60, blank=True)
    target_id = models.CharField(_("record id"), max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
