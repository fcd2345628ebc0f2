"""Programmes and engagements: who coaches whom, with which playbook, and how far they are.

A programme is an organisation's coaching offer with a playbook; an engagement is one coaching
relationship in it. The engagement keeps the playbook version it started with; its steps are
rows (`StepProgress`) made from that version when it starts, so progress, due dates and overdue
lists are plain queries. Agreements, form answers and resources are the engagement's own content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.playbooks import schema


class Programme(models.Model):
    """A coaching offer that an organisation runs (a cohort, a year)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(_("name"), max_length=200)
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="administered_programmes", blank=True
    )
    playbook = models.ForeignKey(
        "playbooks.Playbook",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
    )
    description = models.TextField(_("description"), blank=True)
    coaches = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coached_programmes", blank=True
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme_detail", args=[self.pk])


class ParticipantRole(models.TextChoices):
    COACH = "coach", _("Coach")
    COACHEE = "coachee", _("Coachee")
    SPONSOR = "sponsor", _("Sponsor")
    DISTRICT_REP = "district_rep", _("District representative")


TEAM_ROLES = (ParticipantRole.COACH, ParticipantRole.COACHEE)
SPONSOR_ROLES = (ParticipantRole.SPONSOR, ParticipantRole.DISTRICT_REP)


class CadenceStatus(models.TextChoices):
    NONE = "none", _("No cadence rules")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")


class Engagement(models.Model):
    """One coaching relationship inside a programme."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="engagements"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts"), default=timezone.localdate)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    playbook_version = models.ForeignKey(
        "playbooks.PlaybookVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
    )
    current_phase = models.CharField(_("current phase"), max_length=60, blank=True)
    status = models.CharField(
        max_length=20, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    agreement_text = models.TextField(_("agreement"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: the playbook's cadence rules as last checked (meetings.cadence): stored so that the
    #: programme's overview is one filtered query, refreshed whenever a meeting changes and
    #: daily by the worker (at risk depends on the date)
    cadence_status = models.CharField(
        max_length=20, choices=CadenceStatus.choices, default=CadenceStatus.NONE
    )
    #: why: [{"code": "month_missed", "message": "No session in October 2026", ...}]
    cadence_reasons = models.JSONField(default=list, blank=True)
    cadence_checked_at = models.DateTimeField(null=True, blank=True)
    #: the response time the team agreed, in school days (seed 003); empty: the playbook's
    #: `responsiveness.response_days`
    response_days = models.PositiveSmallIntegerField(
        _("agreed response time (school days)"), null=True, blank=True
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        indexes = [
            models.Index(fields=["programme", "status", "current_phase"]),
            models.Index(fields=["programme", "cadence_status"]),
            models.Index(fields=["organisation", "cadence_status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("engagement_detail", args=[self.pk])

    @property
    def spec(self) -> schema.Playbook | None:
        version = self.playbook_version
        return version.spec if version is not None else None

    @property
    def agreed_response_days(self) -> int:
        """The response time in force: the team's agreement, else the playbook's default."""
        if self.response_days:
            return self.response_days
        spec = self.spec
        return spec.responsiveness.response_days if spec is not None else 2


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


class AgreementSignature(models.Model):
    """A participant's confirmation of the agreement text, signed with their typed name.

    The text is kept with the signature, so the record shows what was agreed; a changed text has
    another digest, and the participant is asked to sign again."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    signed_name = models.CharField(_("name"), max_length=200)
    text = models.TextField()
    text_digest = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        indexes = [models.Index(fields=["engagement", "text_digest"])]

    def __str__(self) -> str:
        return f"{self.signed_name} ({self.get_role_display()})"


class StepStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not needed")


class StepProgress(models.Model):
    """One playbook step of one engagement: who is responsible, when it is due, whether done."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    phase_key = models.CharField(max_length=60)
    step_key = models.CharField(max_length=60)
    title = models.CharField(max_length=500)
    owner_role = models.CharField(max_length=20, choices=ParticipantRole.choices)
    kind = models.CharField(max_length=20)
    required = models.BooleanField(default=True)
    due_on = models.DateField(_("due"))
    checklist_done = models.JSONField(default=list)  # one boolean per checklist item
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.OPEN)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["engagement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "step_key"], name="step_unique_key")
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["engagement", "status", "position"]),
            models.Index(fields=["engagement", "status", "due_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.OPEN

    def is_overdue(self, today: object = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())  # type: ignore[operator]


class FormResponse(models.Model):
    """A playbook form filled in for an engagement (an analysis, a self-assessment, next goals).
    Confidential content at the visibility its author chose, from the playbook's default."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="form_responses"
    )
    form_key = models.CharField(max_length=60)
    title = models.CharField(max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["engagement", "form_key"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("form_response_detail", args=[self.engagement_id, self.pk])


class Resource(models.Model):
    """A link or a file attached to an engagement (materials for practice, readings)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="resources")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.TEAM
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(upload_to="resources/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
