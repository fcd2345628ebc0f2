"""The preferences form: what a person is told, how, and their time zone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from coachloop.meetings.times import zone_names
from coachloop.notifications.services import BEFORE_MEETING_CHOICES


class PreferencesForm(forms.Form):
    email = forms.BooleanField(
        label=_("Send me email"),
        required=False,
        help_text=_("Off: reminders are shown here in Coachloop only."),
    )
    before_meeting_minutes = forms.TypedChoiceField(
        label=_("Remind me before a meeting"), choices=BEFORE_MEETING_CHOICES, coerce=int
    )
    month_unscheduled = forms.BooleanField(
        label=_("Tell me when our monthly session is not yet scheduled"), required=False
    )
    step_overdue = forms.BooleanField(
        label=_("Tell me when a step or an agreed next step of mine is overdue"), required=False
    )
    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly digest"),
        required=False,
        help_text=_(
            "On Mondays, one email with your meetings of the week and what is overdue, instead of "
            "one email for each overdue step or unscheduled month. Meeting reminders still come "
            "on their own."
        ),
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        required=False,
        help_text=_("Meeting times in reminders and calendars are shown in this zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        server = str(settings.TIME_ZONE)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The organisation's default (%(zone)s)") % {"zone": server})] + [
            (name, name) for name in zone_names()
        ]
