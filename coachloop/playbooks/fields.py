"""A playbook form's questions as Django form fields: one builder for the engagement's forms and
the anonymous feedback link, so a question looks and parses the same everywhere. The answer
rules themselves live in `playbooks.answers`, which the services apply."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from coachloop.playbooks.answers import MAX_TEXT, MAX_TEXTAREA
from coachloop.playbooks.schema import FieldSpec, FormSpec

#: a choice with this many options or fewer shows as radio buttons, more as a list
RADIO_LIMIT = 6


def _scale_label(point: int, low: int, high: int) -> str:
    if point == low:
        return _("%d (lowest)") % point
    if point == high:
        return _("%d (highest)") % point
    return str(point)


def answer_field(spec: FieldSpec) -> forms.Field:
    """The form field for one question, required with the same words the service uses."""
    common: dict[str, Any] = {
        "label": spec.label,
        "required": spec.required,
        "help_text": spec.help,
        "error_messages": {"required": _("Answer “%s”; it is required.") % spec.label},
    }
    if spec.type == "text":
        return forms.CharField(max_length=MAX_TEXT, **common)
    if spec.type == "textarea":
        return forms.CharField(
            max_length=MAX_TEXTAREA, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if spec.type == "number":
        return forms.DecimalField(max_digits=20, decimal_places=6, **common)
    if spec.type == "date":
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if spec.type == "choice":
        choices = [(c, c) for c in spec.choices]
        if len(choices) <= RADIO_LIMIT:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    low, high = spec.scale
    points = [(str(n), _scale_label(n, low, high)) for n in range(low, high + 1)]
    return forms.TypedChoiceField(
        choices=points, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
    )


class QuestionsForm(forms.Form):
    """The questions of one playbook form."""

    def __init__(self, *args: Any, spec: FormSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        for field in spec.fields:
            self.fields[field.key] = answer_field(field)

    def questions(self) -> list[tuple[forms.BoundField, FieldSpec]]:
        return [(self[spec.key], spec) for spec in self.spec.fields]

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[f.key] for f in self.spec.fields]

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as the services take them: text, numbers, ISO dates."""
        out: dict[str, Any] = {}
        for field in self.spec.fields:
            value = self.cleaned_data.get(field.key)
            if value in (None, ""):
                out[field.key] = ""
            elif isinstance(value, datetime.date):
                out[field.key] = value.isoformat()
            elif isinstance(value, Decimal):
                out[field.key] = format(value.normalize(), "f")
            else:
                out[field.key] = value
        return out
