"""Forms of the peer coaching pages. They parse what the user typed; the services decide the
rules (and their messages land on these fields through `add_domain_error`)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.peer.models import GoalStatus, Interaction
from coachloop.playbooks import schema


class PersonChoice(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.email})"


class TeamForm(forms.Form):
    members = PersonChoice(
        label=gettext_lazy("Members (two or three)"),
        queryset=User.objects.none(),
        help_text=gettext_lazy("Each member is both peer coach and peer coachee."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    supervisors = PersonChoice(
        label=gettext_lazy("Direct supervisors"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(
        label=gettext_lazy("Team name"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty for “Peer team: ” and the members' names."),
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ordered = people.filter(is_active=True).order_by("given_name", "family_name", "pk")
        for name in ("members", "supervisors"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = ordered


class GoalForm(forms.Form):
    member = forms.TypedChoiceField(label=gettext_lazy("Whose goal"), coerce=int, choices=())
    title = forms.CharField(label=gettext_lazy("Goal"), max_length=300)
    source = forms.ChoiceField(label=gettext_lazy("Where it comes from"), choices=())
    measure = forms.CharField(
        label=gettext_lazy("How we will know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=GoalStatus.choices, initial=GoalStatus.ACTIVE
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence of accomplishment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed when the goal is accomplished."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=Visibility.choices
    )
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        members: list[User],
        spec: schema.Playbook,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, forms.TypedChoiceField)
        member.choices = [(m.pk, str(m)) for m in members]
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        sources = spec.goals.sources if spec.goals else []
        source.choices = [("", "—"), *((s, s) for s in sources)]
        if spec.goals and spec.goals.prompt:
            self.fields["title"].help_text = spec.goals.prompt
        self.fields["visibility"].initial = spec.default_visibility("goal")
        if editing:
            member.disabled = True


class RatingForm(forms.Form):
    """One rating: per level, a rating on the playbook's scale and the indicators seen. The
    template lays it out level by level (a fieldset each)."""

    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, effectiveness: schema.EffectivenessSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = effectiveness.scale
        labels = list(effectiveness.scale_labels)
        choices = []
        for n, value in enumerate(range(low, high + 1)):
            label = f"{value}: {labels[n]}" if n < len(labels) else str(value)
            choices.append((str(value), label))
        self.levels = effectiveness.levels
        for level in effectiveness.levels:
            self.fields[f"rating-{level.key}"] = forms.TypedChoiceField(
                label=level.title,
                coerce=int,
                choices=choices,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.fields[f"indicators-{level.key}"] = forms.TypedMultipleChoiceField(
                label=level.title,
                coerce=int,
                choices=[(str(i), text) for i, text in enumerate(level.indicators)],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def level_fields(self) -> list[tuple[schema.EffectivenessLevelSpec, Any, Any]]:
        return [
            (level, self[f"rating-{level.key}"], self[f"indicators-{level.key}"])
            for level in self.levels
        ]

    def levels_data(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for level in self.levels:
            rating = self.cleaned_data.get(f"rating-{level.key}")
            ticked = set(self.cleaned_data.get(f"indicators-{level.key}") or [])
            if rating is None and not ticked:
                continue
            out[level.key] = {
                "rating": rating,
                "indicators": [i in ticked for i in range(len(level.indicators))],
            }
        return out

    @staticmethod
    def initial_for(levels: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for key, entry in (levels or {}).items():
            initial[f"rating-{key}"] = str(entry.get("rating", ""))
            initial[f"indicators-{key}"] = [
                str(i) for i, seen in enumerate(entry.get("indicators", [])) if seen
            ]
        return initial


class MonthField(forms.DateField):
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class AssignmentForm(forms.Form):
    month = MonthField(
        label=gettext_lazy("Month"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=gettext_lazy("For example 2026-10."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("What to do"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    interaction = forms.ChoiceField(
        label=gettext_lazy("Interaction it asks for"),
        choices=Interaction.choices,
        initial=Interaction.NONE,
    )
    engagement = forms.ModelChoiceField(
        label=gettext_lazy("For"),
        queryset=Engagement.objects.none(),
        required=False,
        empty_label=gettext_lazy("Every team"),
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, teams: QuerySet[Engagement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["engagement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams


class CompletionForm(forms.Form):
    interaction_done = forms.BooleanField(required=False)


class MonthFilterForm(forms.Form):
    month = MonthField(required=False)

    def month_or(self, default: datetime.date | None) -> datetime.date | None:
        if self.is_valid() and self.cleaned_data.get("month"):
            value: datetime.date = self.cleaned_data["month"]
            return value.replace(day=1)
        return default
