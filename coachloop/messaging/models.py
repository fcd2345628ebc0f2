"""Messages between the participants of an engagement, the check-ins made by other channels, and
the coachees' questions tracked until answered (seed 003: "communicating in a timely and
responsive manner").

Messages are team content: the engagement's coaches and coachees read them, never sponsors or
administrators. A question is metadata about a message (when it was asked, when answered, how much
school time that took), so a coach's responsiveness can be shown to the programme without its
content."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility


class Thread(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="threads"
    )
    subject = models.CharField(_("subject"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: whom the author wrote to (told when messages arrive): team members only. The whole team
    #: reads the thread whoever is named here.
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("to")
    )
    #: always team: messages are between the engagement's coaches and coachees
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.TEAM
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["engagement", "-last_message_at"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("thread_detail", args=[self.engagement_id, self.pk])


class Message(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"Message in {self.thread}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="messages/%Y/%m/")
    name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")


class Contact(models.Model):
    """A check-in made outside Coachloop's messages (seed 003: "uses a variety of methods (e.g.
    email, phone, in person, and video conference) for checking in"), logged with its method."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="contacts"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=20, choices=ContactMethod.choices)
    occurred_at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["engagement", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} check-in"


class Question(models.Model):
    """A coachee's question, tracked until a coach answers it: in the thread, or by another
    channel (a logged contact). Metadata only: the text stays in the message."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    engagement = models.ForeignKey(
        "engagements.Engagement", on_delete=models.CASCADE, related_name="questions"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="questions")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="question")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField()
    #: the response time in force when asked (school days), and the moment it runs out
    response_days = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    answered_by_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers"
    )
    #: school time between asking and answering, in seconds (messaging.schooldays)
    working_seconds = models.PositiveIntegerField(null=True, blank=True)
    within_agreement = models.BooleanField(null=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["engagement", "answered_at"]),
            models.Index(fields=["answered_at", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"Question of {self.asked_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
