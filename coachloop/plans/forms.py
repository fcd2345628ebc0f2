from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachloop.plans.services import MAX_GOALS

#: rows of the goals formset the page offers at most (the service accepts MAX_GOALS goals)
MAX_ROWS = MAX_GOALS + 5
#: empty rows offered below the existing goals
EMPTY_ROWS = 2


class PlanForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the coaching aims for, in a few sentences."),
    )
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class GoalForm(forms.Form):
    """One goal. Every field is optional here: an empty row is ignored, and the plan service
    says which goal lacks what (one rule for pages and the API)."""

    title = forms.CharField(label=_("Goal"), required=False, max_length=2000)
    measure = forms.CharField(label=_("Measure of success"), required=False, max_length=2000)
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


GoalFormSet = forms.formset_factory(GoalForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS)


def goal_formset(data: Any = None, goals: list[dict[str, str]] | None = None) -> Any:
    """The goals formset: bound to posted data, or showing `goals` plus two empty rows."""
    if data is not None:
        return GoalFormSet(data, prefix="goals")
    initial = [dict(g) for g in goals or []] + [{} for _ in range(EMPTY_ROWS)]
    return GoalFormSet(initial=initial[:MAX_ROWS], prefix="goals")


class DecideForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to return the plan: say what should change."),
    )
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return with comments"))],
        widget=forms.HiddenInput,
    )


class SubmitForm(forms.Form):
    number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
