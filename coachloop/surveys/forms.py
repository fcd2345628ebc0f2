"""Forms of the administration pages and of the respondent's pages. They parse what was typed;
the services decide the rules (their messages land on these fields via `add_domain_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.surveys.models import Administration, Instrument
from coachloop.surveys.schema import ROLE_LABELS
from coachloop.surveys.services import PRINT_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

RATERS_HELP = gettext_lazy(
    "One person a line: email, role (supervisor, peer or staff), and optionally a name. "
    "For example: maria@school.org, peer, Maria Lopez"
)


class InstrumentChoice(forms.ModelChoiceField[Instrument]):
    def label_from_instance(self, obj: Any) -> str:
        where = gettext_lazy("built in") if obj.organisation_id is None else obj.organisation
        return f"{obj.name} ({where})"


class AdministrationChoice(forms.ModelChoiceField[Administration]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.opens_on:%d %b %Y} to {obj.closes_on:%d %b %Y})"


class AdministrationForm(forms.Form):
    instrument = InstrumentChoice(
        label=gettext_lazy("Instrument"), queryset=Instrument.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty for the instrument's name and the school's."),
    )
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=DATE)
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who answers"),
        choices=list(ROLE_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "None ticked: every role of the instrument. A school survey invites the school's "
            "staff in these roles."
        ),
    )
    subject = forms.TypedChoiceField(
        label=gettext_lazy("Who the survey is about (360 and self-assessment)"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=(),
    )
    raters = forms.CharField(
        label=gettext_lazy("Raters to invite by email"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=RATERS_HELP,
    )
    printable_count = forms.IntegerField(
        label=gettext_lazy("Printed links"),
        required=False,
        min_value=0,
        max_value=PRINT_MAX,
        help_text=gettext_lazy(
            "Unnamed links (with QR codes) to hand out on paper. They are shown once, right "
            "after the survey is created."
        ),
    )
    printable_role = forms.ChoiceField(
        label=gettext_lazy("Role of the printed links"),
        required=False,
        choices=[(k, v) for k, v in ROLE_LABELS.items() if k != "self"],
    )
    previous = AdministrationChoice(
        label=gettext_lazy("Gives again (re-survey)"),
        queryset=Administration.objects.none(),
        required=False,
        empty_label=gettext_lazy("No: a first survey"),
        help_text=gettext_lazy("The report then shows the growth since that survey."),
    )
    live_results = forms.BooleanField(
        label=gettext_lazy("Show live results while the survey is open"),
        required=False,
        help_text=gettext_lazy(
            "Once at least twice the anonymity threshold have answered. To keep respondents "
            "anonymous, every live view that could have been seen limits the final report's "
            "breakdown by role, so leave this off unless you need it."
        ),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can read the report"), choices=Visibility.choices
    )

    def __init__(
        self,
        *args: Any,
        instruments: QuerySet[Instrument],
        people: list[User],
        earlier: QuerySet[Administration],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = instruments
        prev = self.fields["previous"]
        assert isinstance(prev, forms.ModelChoiceField)
        prev.queryset = earlier
        subject = self.fields["subject"]
        assert isinstance(subject, forms.TypedChoiceField)
        subject.choices = [("", gettext_lazy("Nobody: a school survey"))] + [
            (u.pk, str(u)) for u in people
        ]


class InviteForm(forms.Form):
    raters = forms.CharField(
        label=gettext_lazy("People to invite by email"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=RATERS_HELP,
    )


class PrintForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=())
    count = forms.IntegerField(
        label=gettext_lazy("How many links"), min_value=1, max_value=PRINT_MAX
    )

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(r, ROLE_LABELS.get(r, r)) for r in roles if r != "self"]


class ExtendForm(forms.Form):
    closes_on = forms.DateField(label=gettext_lazy("New close date"), widget=DATE)
