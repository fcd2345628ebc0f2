"""Forms of the instrument library: copy one, edit its file, upload a new one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.organisations.forms import OrganisationChoiceField
from coachloop.organisations.models import Organisation
from coachloop.surveys.instrument_services import MAX_FILE_BYTES


def _administered(field: forms.Field, user: User) -> None:
    field.queryset = policy.organisations_administered_by(user).order_by("path")  # type: ignore[attr-defined]


class InstrumentCopyForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Copy into"),
        help_text=_("The organisation whose surveys will use the copy."),
        error_messages={"invalid_choice": _("Choose one of the organisations you administer.")},
    )
    name = forms.CharField(label=_("Name of the copy"), max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _administered(self.fields["organisation"], user)


class InstrumentTextForm(forms.Form):
    text = forms.CharField(
        label=_("The instrument file (YAML or JSON)"),
        strip=False,
        max_length=MAX_FILE_BYTES,
        widget=forms.Textarea(
            attrs={"rows": 32, "class": "mono playbook-text", "spellcheck": "false"}
        ),
        help_text=_(
            "Every key is described in the instrument reference (docs/instruments.md). The whole "
            "file is checked before anything is saved."
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class InstrumentUploadForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Add to"),
        help_text=_("The organisation whose surveys will use the instrument."),
        error_messages={"invalid_choice": _("Choose one of the organisations you administer.")},
    )
    file = forms.FileField(
        label=_("Instrument file"),
        help_text=_(
            "A .yaml or .json file of at most 256 KB, in the format of docs/instruments.md."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json"}),
        error_messages={"required": _("Choose the instrument file to upload.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _administered(self.fields["organisation"], user)
