from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.lib.uploads import ACCEPTED
from coachloop.playbooks.schema import RubricSpec
from coachloop.portfolios.models import EntryStatus
from coachloop.rubrics.forms import RatingsMixin


def _file_field(label: Any) -> forms.FileField:
    # The upload check (type by content, size) is the service's, the same for pages and API.
    return forms.FileField(
        label=label,
        help_text=_("A %(accepted)s file.") % {"accepted": ACCEPTED},
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )


class EntryForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the entry a title.")},
    )
    description = forms.CharField(
        label=_("What it shows"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, default_visibility: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"] = _file_field(_("File"))
        self.fields["visibility"] = forms.ChoiceField(
            label=_("Who can read it"),
            # not "private": the coach reviews every entry
            choices=[c for c in Visibility.choices if c[0] != Visibility.PRIVATE],
            initial=default_visibility,
        )


class ReviseForm(forms.Form):
    file = _file_field(_("Revised file"))
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(RatingsMixin, forms.Form):
    prefix_key = "r"

    feedback = forms.CharField(
        label=_("Feedback"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write feedback for the performer.")},
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (EntryStatus.RETURNED, _("Return for revision")),
            (EntryStatus.ACCEPTED, _("Accept and archive")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to return the entry or accept it.")},
    )

    def __init__(self, *args: Any, rubric: RubricSpec | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_rubric = rubric is not None
        if rubric is not None:
            self.add_rating_fields(rubric, notes=False)
