"""Playbooks in the database: each a series of immutable versions of a validated definition.

Built-in playbooks (organisation empty) ship as files in builtin/ and are loaded at migrate time;
a programme administrator copies one into their organisation and adapts it. Every change makes a
new version, and an engagement keeps the version it started with.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.playbooks import schema


class Playbook(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="playbooks",
        help_text=_("Empty for the built-in playbooks that ship with Coachloop."),
    )
    key = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=200)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    current = models.ForeignKey(
        "PlaybookVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(organisation__isnull=True),
                name="playbook_builtin_key_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"], name="playbook_organisation_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("playbook_detail", args=[self.pk])

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    digest = models.CharField(max_length=64)
    change = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.playbook} v{self.number}"

    @property
    def spec(self) -> schema.Playbook:
        """The parsed definition (cached per process by digest)."""
        return schema.from_stored(self.digest, self.definition)

    @classmethod
    def definition_of(cls, playbook: schema.Playbook) -> dict[str, Any]:
        return playbook.model_dump(mode="json")
