"""Forms of the engagement pages. They parse what the user typed; the services decide the rules.

`build_answer_form` turns a playbook form (a `FormSpec`) into a Django form, one field per
question, so the answers keep what the user typed and each error shows on its own question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachloop.access.models import Visibility
from coachloop.playbooks.fields import QuestionsForm
from coachloop.playbooks.schema import FormSpec

VISIBILITY_FIELD = "visibility"


class NoteForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    body = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 6}))
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=Visibility.choices, initial=Visibility.TEAM
    )


def visibility_field(initial: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=Visibility.choices, initial=initial
    )


# --- Steps ----------------------------------------------------------------------------------------


class StepIndexForm(forms.Form):
    """One checklist item, ticked or unticked."""

    index = forms.IntegerField(min_value=0, max_value=200)


class ChecklistForm(forms.Form):
    """The whole checklist of a step as the user left it: the ticked items' numbers."""

    items = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args: Any, size: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(i), str(i)) for i in range(size)]


class StepSkipForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it not needed?"), max_length=500, required=False
    )


class StepDueForm(forms.Form):
    due_on = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CompleteForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Recognition message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Sent to everyone in the engagement. Leave it empty for the standard congratulations."
        ),
    )


# --- Agreement ------------------------------------------------------------------------------------


class SignForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Type your full name to sign"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class AgreementTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Agreement text"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Saving a changed text asks everyone who signed to read it and sign again."
        ),
    )


# --- Resources ------------------------------------------------------------------------------------


class ResourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    url = forms.CharField(
        label=gettext_lazy("Link"),
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=gettext_lazy("A web address, or leave empty and choose a file."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        required=False,
        help_text=gettext_lazy("PDF, Word, Excel, PowerPoint, PNG, JPEG or plain text."),
    )
    visibility = visibility_field(Visibility.TEAM)


# --- Playbook forms -------------------------------------------------------------------------------


class AnswerForm(QuestionsForm):
    """A playbook form's questions, then who can read the answer."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.errors:  # a summary above the questions, each message on its own question
            raise forms.ValidationError(_("Some answers need attention."))
        return cleaned

    @property
    def visibility_bound(self) -> forms.BoundField:
        return self[self.visibility_name]

    @property
    def visibility_name(self) -> str:
        keys = {f.key for f in self.spec.fields}
        return VISIBILITY_FIELD if VISIBILITY_FIELD not in keys else "answer_visibility"

    def add_service_errors(self, errors: dict[str, str], message: str) -> None:
        """Put each of the service's messages on its question; the rest above the form."""
        if message not in errors.values():
            self.add_error(None, message)
        for key, text in errors.items():
            name = self.visibility_name if key == "visibility" else key
            self.add_error(name if name in self.fields else None, text)


def build_answer_form(
    spec: FormSpec,
    *,
    visibility: str,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> AnswerForm:
    form = AnswerForm(data=data, initial=initial, spec=spec)
    form.fields[form.visibility_name] = visibility_field(visibility)
    form.order_fields([*(f.key for f in spec.fields), form.visibility_name])
    return form
