from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.playbooks.answers import MAX_TEXT, MAX_TEXTAREA
from coachloop.playbooks.schema import FieldSpec, FormSpec


class CollectionForm(forms.Form):
    form_key = forms.ChoiceField(label=_("Form"))
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Respondents see it; for example, the session it is about. No names."),
    )

    def __init__(
        self, *args: Any, forms_: list[FormSpec], default_visibility: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["form_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f.key, f.title) for f in forms_]
        self.fields["visibility"] = forms.ChoiceField(
            label=_("Who can read the results"),
            choices=Visibility.choices,
            initial=default_visibility,
        )


def _scale_label(point: int, low: int, high: int) -> str:
    if point == low:
        return str(_("%d (lowest)") % point)
    if point == high:
        return str(_("%d (highest)") % point)
    return str(point)


def answer_field(spec: FieldSpec) -> forms.Field:
    """A form field for one question. Nothing is required here: the answer rules (required,
    ranges, lengths) live in playbooks.answers, one rule for every channel."""
    common: dict[str, Any] = {"label": spec.label, "required": False, "help_text": spec.help}
    field: forms.Field
    if spec.type == "scale":
        low, high = spec.scale
        choices = [(str(p), _scale_label(p, low, high)) for p in range(low, high + 1)]
        field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    elif spec.type == "choice":
        field = forms.ChoiceField(
            choices=[(c, c) for c in spec.choices], widget=forms.RadioSelect, **common
        )
    elif spec.type == "text":
        field = forms.CharField(max_length=MAX_TEXT, **common)
    elif spec.type == "number":
        field = forms.CharField(
            max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
        )
    elif spec.type == "date":
        field = forms.CharField(
            max_length=10, widget=forms.DateInput(attrs={"type": "date"}), **common
        )
    else:
        field = forms.CharField(
            max_length=MAX_TEXTAREA, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    return field


class AnswerForm(forms.Form):
    def __init__(self, *args: Any, spec: FormSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        for field in spec.fields:
            self.fields[field.key] = answer_field(field)

    def questions(self) -> list[tuple[forms.BoundField, FieldSpec]]:
        return [(self[spec.key], spec) for spec in self.spec.fields]

    def answers(self) -> dict[str, Any]:
        """What was answered, blank questions left out."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
