from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.playbooks.fields import QuestionsForm
from coachloop.playbooks.schema import FormSpec


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


class AnswerForm(QuestionsForm):
    """The anonymous answer form: the playbook form's questions and nothing else. The page
    checks required answers on the server, with its own summary, not in the browser."""

    use_required_attribute = False
