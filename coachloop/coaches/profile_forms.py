"""The practice-profile assessment form: one fieldset per function (levels with their
descriptors, evidence), and for the lead coach the day observed, what was observed and a
summary. Every input is optional here: `profile.assess` names what is missing, so the page and
the API say the same."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.playbooks.schema import RubricSpec
from coachloop.rubrics.forms import RatingsMixin
from coachloop.rubrics.models import Perspective

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssessmentForm(RatingsMixin, forms.Form):
    def __init__(self, *args: Any, rubric: RubricSpec, perspective: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.perspective = perspective
        lead = perspective == Perspective.LEAD
        if lead:
            self.fields["observed_on"] = forms.DateField(
                label=_("Day of the observed coaching conversation"),
                required=False,
                widget=DATE_INPUT,
                error_messages={"invalid": _("Give the day as a date, for example 2026-10-14.")},
            )
            self.fields["subject"] = forms.CharField(
                label=_("What you observed"),
                required=False,
                max_length=200,
                help_text=_("For example: coaching conversation with a Grade 4 teacher."),
            )
        self.add_rating_fields(rubric, notes=True)
        for criterion in rubric.criteria:
            del self.fields[f"{self.prefix_key}-{criterion.key}-comment"]
            self.fields[f"{self.prefix_key}-{criterion.key}-evidence"].help_text = (
                _("What you saw or heard that shows this level.")
                if lead
                else _("What you would point to (optional).")
            )
        self.fields["summary"] = forms.CharField(
            label=_("Summary for the coach") if lead else _("Notes for your lead coach"),
            required=False,
            max_length=20_000,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=(
                _("What went well and what to grow next; the coach reads this.")
                if lead
                else _("Optional: what you would like to talk about.")
            ),
        )

    @property
    def is_lead(self) -> bool:
        return self.perspective == Perspective.LEAD

    def evidence_required(self) -> bool:
        return self.is_lead
