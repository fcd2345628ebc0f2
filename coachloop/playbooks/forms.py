"""Forms of the playbook pages: copy, change a step, edit the whole file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.organisations.forms import OrganisationChoiceField
from coachloop.organisations.models import Organisation


class PlaybookCopyForm(forms.Form):
    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Copy into"),
        help_text=_("The organisation whose programmes will use the copy."),
    )
    name = forms.CharField(label=_("Name of the copy"), max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = policy.organisations_administered_by(  # type: ignore[attr-defined]
            user
        ).order_by("path")


class StepEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    due_days = forms.IntegerField(
        label=_("Due day"),
        min_value=0,
        max_value=3650,
        help_text=_("Days after the engagement starts: 0 is its first day, 14 two weeks later."),
        error_messages={
            "min_value": _(
                "A step can't be due before the engagement starts: enter 0 or more days."
            ),
            "max_value": _("Enter at most 3650 days (ten years)."),
            "invalid": _("Enter a whole number of days, such as 14."),
            "required": _("Enter the number of days after the start that the step is due."),
        },
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line. Leave empty for a step without a checklist."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_checklist(self) -> list[str]:
        text: str = self.cleaned_data.get("checklist") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class PlaybookTextForm(forms.Form):
    text = forms.CharField(
        label=_("The playbook file (YAML)"),
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 32, "class": "mono playbook-text", "spellcheck": "false"}
        ),
        help_text=_(
            "Every key is described in the playbook reference (docs/playbooks.md). The whole file "
            "is checked before anything is saved."
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
