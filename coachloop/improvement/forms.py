"""Forms of the school improvement pages. They parse what the user typed; the services decide
the rules (their messages land on these fields through `add_domain_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.improvement import imports
from coachloop.improvement.models import CheckIn, ImprovementGoal, SchoolActionStep, TargetArea
from coachloop.improvement.selectors import STATUS_FILTERS, AreaMenu
from coachloop.organisations.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), required=False, widget=DATE)
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # several forms share the plan's page: their ids must not collide
        kwargs.setdefault("auto_id", "id_plan_%s")
        super().__init__(*args, **kwargs)


class GoalForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Goal"),
        max_length=imports.GOAL_MAX,
        help_text=gettext_lazy("One of the school's improvement goals, as the plan words it."),
    )
    owner = forms.CharField(
        label=gettext_lazy("Owner"),
        max_length=imports.OWNER_MAX,
        required=False,
        help_text=gettext_lazy("Who leads it: a person or a team."),
    )
    measure = forms.CharField(
        label=gettext_lazy("Measure of success"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # several forms share the plan's page: their ids must not collide
        kwargs.setdefault("auto_id", "id_goal_%s")
        super().__init__(*args, **kwargs)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy(
            "One goal a row with the columns goal, owner, measure (a header row is optional). "
            "At most %(kb)d KB and %(n)d goals."
        )
        % {"kb": imports.MAX_BYTES // 1024, "n": imports.MAX_GOALS},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # several forms share the plan's page: their ids must not collide
        kwargs.setdefault("auto_id", "id_import_%s")
        super().__init__(*args, **kwargs)


class TargetAreaForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("Domain or item"), choices=())
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=TargetArea.Kind.choices, initial=TargetArea.Kind.TARGET
    )
    rationale = forms.CharField(
        label=gettext_lazy("Why this area"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the report shows and what the school's leaders see here."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=Visibility.choices
    )

    def __init__(self, *args: Any, menu: AreaMenu, visibility: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        marks = {"target": gettext_lazy("target area"), "strength": gettext_lazy("strength")}
        groups: dict[str, list[tuple[str, str]]] = {}
        order: list[str] = []
        domain_titles = {c.domain: c.title for c in menu.choices if not c.item}
        for c in menu.choices:
            if c.chosen:
                continue
            label = c.title if c.item else f"{c.title} ({gettext_lazy('whole domain')})"
            if c.marked:
                label = f"{label} — {gettext_lazy('report')}: {marks[c.marked]}"
            group = domain_titles[c.domain]
            if group not in groups:
                groups[group] = []
                order.append(group)
            groups[group].append((f"{c.domain}:{c.item}", label))
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", "—"), *((g, groups[g]) for g in order)]
        self.fields["visibility"].initial = visibility

    def domain_item(self) -> tuple[str, str]:
        domain, _sep, item = self.cleaned_data["area"].partition(":")
        return domain, item


class PersonChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class GoalChoice(forms.ModelChoiceField[ImprovementGoal]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.plan.title})"


class ActionStepForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Action step"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Small, clear and measurable: what will be done."),
    )
    target_area = forms.ModelChoiceField(
        label=gettext_lazy("Target area it addresses"), queryset=TargetArea.objects.none()
    )
    goal = GoalChoice(
        label=gettext_lazy("School improvement goal it serves"),
        queryset=ImprovementGoal.objects.none(),
        required=False,
        empty_label=gettext_lazy("None of the plan's goals"),
    )
    owner = PersonChoice(label=gettext_lazy("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DATE)
    measure = forms.CharField(
        label=gettext_lazy("Success measure"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("How you will know it worked."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=SchoolActionStep.Status.choices,
        initial=SchoolActionStep.Status.PLANNED,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read it"), choices=Visibility.choices
    )
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        areas: QuerySet[TargetArea],
        goals: QuerySet[ImprovementGoal],
        owners: QuerySet[User],
        visibility: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("target_area", areas), ("goal", goals), ("owner", owners)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        self.fields["visibility"].initial = visibility


class CheckInForm(forms.Form):
    progress = forms.ChoiceField(
        label=gettext_lazy("Progress"), choices=CheckIn.Progress.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=gettext_lazy("What moved"), widget=forms.Textarea(attrs={"rows": 3})
    )
    barriers = forms.CharField(
        label=gettext_lazy("Barriers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    overcome = forms.CharField(
        label=gettext_lazy("How to overcome them"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    support = forms.CharField(
        label=gettext_lazy("Support needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    partner = forms.ChoiceField(label=gettext_lazy("From which partner"), required=False)

    def __init__(self, *args: Any, partners: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext_lazy("No partner")), *((p, p) for p in partners)]


class DistrictFilterForm(forms.Form):
    organisation = forms.ModelChoiceField[Organisation](
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=None,
    )
    q = forms.CharField(label=gettext_lazy("School"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("Action steps"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("name", gettext_lazy("School name")),
            ("overdue", gettext_lazy("Most overdue")),
            ("targets", gettext_lazy("Most target areas")),
            ("latest", gettext_lazy("Latest check-in")),
        ],
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation"]
        assert isinstance(org, forms.ModelChoiceField)
        org.queryset = organisations
        labels = {
            "overdue": gettext_lazy("With overdue steps"),
            "none": gettext_lazy("Without action steps"),
            **{k: gettext_lazy("With steps: %s") % v for k, v in SchoolActionStep.Status.choices},
        }
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", gettext_lazy("Any")), *((k, labels[k]) for k in STATUS_FILTERS)]
