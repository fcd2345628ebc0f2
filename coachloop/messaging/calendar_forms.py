"""Forms of the school calendar and response-time pages. They parse what the user typed; the
services (messaging.calendar_services) decide the rules, and their messages land on these fields
through `add_domain_error`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from coachloop.messaging import calendar_services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WEEKDAY_CHOICES = [
    (str(n), gettext_lazy(name)) for n, name in calendar_services.WEEKDAY_NAMES.items()
]


class CalendarForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("School days of the week"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one school day of the week.")},
    )
    time_zone = forms.CharField(
        label=gettext_lazy("Time zone"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "Days are counted in this zone, for example Europe/London or America/New_York. "
            "Empty: the server's zone."
        ),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_calendar_%s")
        super().__init__(*args, **kwargs)


class HolidayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date (or first day)"), widget=DATE)
    last_day = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=DATE,
        help_text=gettext_lazy("For a break of several days: every day up to this one is added."),
    )
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=calendar_services.NAME_MAX, strip=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_holiday_%s")
        super().__init__(*args, **kwargs)


class HolidayImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "One holiday a row: the date (2026-12-24) then its name. A header row date,name is "
            "optional. When any row is wrong nothing is imported and every wrong row is listed."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_import_%s")
        super().__init__(*args, **kwargs)


class HolidayFilterForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=1900, max_value=2200
    )


class ResponseTimeForm(forms.Form):
    response_days = forms.IntegerField(
        label=gettext_lazy("Agreed response time (school days)"),
        required=False,
        min_value=calendar_services.MIN_RESPONSE_DAYS,
        max_value=calendar_services.MAX_RESPONSE_DAYS,
    )

    def __init__(self, *args: Any, default_days: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["response_days"].help_text = gettext_lazy(
            "From 1 to 30. Empty: the playbook's default, %(n)d school days."
        ) % {"n": default_days}
