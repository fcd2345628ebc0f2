"""Organisations in a tree (provider, district, school) and people's roles in them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", _("Provider")
    DISTRICT = "district", _("District")
    SCHOOL = "school", _("School")


class Role(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", _("Programme administrator")
    COACH = "coach", _("Coach")
    SCHOOL_LEADER = "school_leader", _("School leader")
    TEACHER = "teacher", _("Teacher")
    DISTRICT_REP = "district_rep", _("District representative")
    STAFF = "staff", _("Staff")


class Organisation(models.Model):
    """A provider, a district or a school. Every tenant record belongs to one.

    `path` is the materialised chain of ancestor ids ("/1/7/42/"), so "this organisation and
    everything under it" is one indexed prefix query at any depth.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sourced_id = models.CharField(
        _("OneRoster sourcedId"), max_length=255, null=True, blank=True, db_index=True
    )
    identifier = models.CharField(_("identifier"), max_length=255, blank=True)
    require_mfa_for_all = models.BooleanField(
        _("require a second factor for everyone"),
        default=False,
        help_text=_("Everyone with a role here must set up a second factor to sign in."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep `path` and `depth` in step with `parent` (a new row needs its id first). When
        an organisation moves, everything below it moves too, in the same transaction."""
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {k: v for k, v in kwargs.items() if k not in {"force_insert"}}
        parent_path = self.parent.path if self.parent_id and self.parent else "/"
        path = f"{parent_path}{self.pk}/"
        old_path, old_depth = self.path, self.depth
        if path != old_path:
            self.path = path
            self.depth = path.count("/") - 2
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and path != old_path:
                Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + (self.depth - old_depth),
                )

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", args=[self.pk])

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Membership(models.Model):
    """A role a person holds in an organisation. A person may hold several, in several places."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Added by an administrator")
        ONEROSTER = "oneroster", _("OneRoster import")
        DEMO = "demo", _("Demo data")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    external_id = models.CharField(
        _("OneRoster user sourcedId"), max_length=255, null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        indexes = [models.Index(fields=["organisation", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation}"


class SchoolCalendar(models.Model):
    """Which days are school days for an organisation and everything below it that has no
    calendar of its own (a district's calendar serves its schools): the working weekdays, the
    time zone days are counted in, and (as `Holiday` rows) the days off. Response times are
    measured in school days over it (messaging.schooldays)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="school_calendar"
    )
    #: ISO weekday numbers that are school days (1 Monday .. 7 Sunday)
    weekdays = models.JSONField(default=list)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("school calendar")

    def __str__(self) -> str:
        return f"School calendar of {self.organisation}"


class Holiday(models.Model):
    """A day that is not a school day (a holiday, a closure, a training day without pupils), for
    an organisation and, through inheritance, the organisations below it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"
