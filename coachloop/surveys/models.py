"""Instruments, administrations, invitations and anonymous responses (seed 002, DESIGN.md
invariant 2).

Anonymity by construction. An `Invitation` knows who was asked and whether they have answered
(`used`), and nothing of what they answered. A `Response` and its `Answer` and `Comment` rows know
what was answered and by which respondent role, and nothing of who: no invitation, account,
address or time. There is no column that could join the two, so no query, export, log or backup
can. A respondent's unfinished answers (`Draft`) are kept under the invitation only encrypted
with a key derived from the link's token, which the server does not store, and are deleted in the
transaction that writes the response.

The engine that publishes results (surveys.engine) is the one place that decides what any page,
API call or export may show.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.surveys import schema


class Instrument(models.Model):
    """A survey, as a series of immutable versions. Built-ins (organisation empty) ship as files
    in instruments/ and load at migrate time; programme administrators copy and adapt them."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instruments",
        help_text=_("Empty for the built-in instruments that ship with Coachloop."),
    )
    key = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(max_length=20)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    current = models.ForeignKey(
        "InstrumentVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(organisation__isnull=True),
                name="instrument_builtin_key_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"], name="instrument_organisation_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("instrument_detail", args=[self.pk])

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    digest = models.CharField(max_length=64)
    change = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="instrument_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.number}"

    @property
    def spec(self) -> schema.Instrument:
        return schema.from_stored(self.digest, self.definition)

    @classmethod
    def definition_of(cls, instrument: schema.Instrument) -> dict[str, Any]:
        return instrument.model_dump(mode="json")


class Administration(models.Model):
    """One run of an instrument: for a school (its staff, or chosen roles), or for one person's
    raters (a 360), with a window, invitations and responses."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="administrations",
    )
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    #: a 360's subject: the person the raters answer about
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: the respondent roles invited (a subset of the instrument's)
    roles = models.JSONField(default=list)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    closed_at = models.DateTimeField(null=True, blank=True)
    #: the administration this one gives again (growth is measured against it)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    #: show results while the survey is open (surveys.engine: live results). Every live view
    #: that could have been shown limits what the final report may break down, so it is a choice
    live_results = models.BooleanField(_("show live results while open"), default=False)
    invited_count = models.PositiveIntegerField(default=0)
    #: kept in the transaction that writes a response, so the response rate costs no count
    response_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["organisation", "closed_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("administration_detail", args=[self.pk])

    @property
    def spec(self) -> schema.Instrument:
        return self.version.spec

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_open_on(self, day: Any) -> bool:
        return self.closed_at is None and self.opens_on <= day <= self.closes_on


class Invitation(models.Model):
    """Who was asked, and whether they have answered. Never what, and never when."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    #: sha256 of the link's token; the token itself is only in the link
    token_hash = models.CharField(max_length=64, unique=True)
    #: emailed invitations: the token sealed with a key derived from SECRET_KEY, so a reminder can
    #: resend the same link (and the respondent's draft stays readable); empty for printed links
    sealed_token = models.TextField(blank=True)
    used = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["administration", "used"])]

    def __str__(self) -> str:
        return f"Invitation to {self.administration}"


class Draft(models.Model):
    """A respondent's unfinished answers, encrypted with a key derived from the link's token
    (surveys.tokens). Without the link, the row is noise; it is deleted on submission."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="draft")
    ciphertext = models.TextField()
    page = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return "Draft"


class Response(models.Model):
    """One respondent's submission: the role they answered as and, per domain, the sum and count
    of their scored answers. No invitation, person or time; a random id, so ids carry no order.
    `wave` numbers blocks of k responses (surveys.engine: live results)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="responses"
    )
    role = models.CharField(max_length=20)
    wave = models.PositiveIntegerField(null=True, blank=True)
    #: {domain key: [sum of scored answers, number of scored answers, items in the domain]}
    domains = models.JSONField(default=dict)

    def __str__(self) -> str:
        return "Response"


class Answer(models.Model):
    """One answer to one item. `administration` and `role` are copied from the response, and
    `complete` says whether the respondent answered every item of the item's domain, so that
    reports are one GROUP BY (surveys.engine). `value` is empty for "not applicable"."""

    pk = models.CompositePrimaryKey("response_id", "item")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20)
    item = models.CharField(max_length=60)
    value = models.SmallIntegerField(null=True, blank=True)
    complete = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["administration", "role", "item", "value", "complete"],
                name="answer_report_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}={self.value}"


class Comment(models.Model):
    """A free-text answer, stored apart from the response and its role: comments are shown
    unattributed and shuffled, for the whole group only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="comments"
    )
    question = models.CharField(max_length=60)
    text = models.TextField()

    def __str__(self) -> str:
        return "Comment"
