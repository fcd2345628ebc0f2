"""Forms of the message and check-in pages. The services check the rules (who may be written
to, files, times); the forms only read the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.lib.uploads import ACCEPTED
from coachloop.meetings.forms import DATETIME_LOCAL, WallClockField
from coachloop.messaging.models import ContactMethod
from coachloop.messaging.services import MAX_ATTACHMENTS


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (the service caps it and checks each)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        one = super().clean
        items = data if isinstance(data, (list, tuple)) else [data]
        return [f for f in (one(item, initial) for item in items if item) if f]


def _attachments() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attach files"),
        help_text=_("Up to %(n)d files: %(accepted)s.")
        % {"n": MAX_ATTACHMENTS, "accepted": ACCEPTED},
    )


def _needs_answer() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("I need an answer"),
        required=False,
        initial=True,
        help_text=_(
            "Your coach sees it as a question waiting for an answer, within the response time "
            "agreed for this engagement."
        ),
    )


class _BodyForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the message before sending it.")},
    )

    def __init__(self, *args: Any, coachee: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments()
        if coachee:
            self.fields["needs_answer"] = _needs_answer()


class ThreadForm(_BodyForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Give the thread a subject.")},
    )
    field_order = ["subject", "recipients", "body"]

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"] = forms.TypedMultipleChoiceField(
            label=_("To"),
            coerce=int,
            choices=people,
            initial=[pk for pk, _name in people],
            widget=forms.CheckboxSelectMultiple,
            help_text=_(
                "The engagement's coaches and coachees. Those ticked are told a message arrived; "
                "the whole team can read the thread."
            ),
            error_messages={
                "required": _("Choose at least one person to write to."),
                "invalid_choice": _(
                    "Messages go only to this engagement's coaches and coachees; person "
                    "%(value)s is not one of them. Choose people from the list."
                ),
            },
        )
        self.order_fields(self.field_order)


class ReplyForm(_BodyForm):
    pass


class ContactForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How"),
        choices=ContactMethod.choices,
        error_messages={
            "required": _("Choose how the check-in happened."),
            "invalid_choice": _(
                "“%(value)s” is not a way we log check-ins: choose email, phone, in person or "
                "video call."
            ),
        },
    )
    occurred_at = WallClockField(
        label=_("When"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={
            "required": _("Enter when the check-in happened."),
            "invalid": _("Enter the date and time, like 2026-10-09 15:30."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        default_visibility: str,
        zone: str,
        questions: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].help_text = _("On your clock (%(zone)s).") % {"zone": zone}
        self.fields["visibility"] = forms.ChoiceField(
            label=_("Who can read it"),
            choices=Visibility.choices,
            initial=default_visibility,
        )
        if questions:
            self.fields["answered"] = forms.TypedMultipleChoiceField(
                label=_("Questions this check-in answered"),
                coerce=int,
                required=False,
                choices=questions,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Open questions of this engagement; ticked ones count as answered."),
                error_messages={
                    "invalid_choice": _(
                        "Question %(value)s is no longer open: it may have been answered "
                        "meanwhile. Choose from the list."
                    )
                },
            )


class ContactFilterForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("All methods")), *ContactMethod.choices],
    )
