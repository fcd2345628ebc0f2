"""Forms of the meeting pages: scheduling one of the playbook's meeting types, and the minutes,
one text per agenda stage. The services check the rules (modes, dates, lengths)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.meetings.models import MeetingMode
from coachloop.playbooks.schema import MeetingTypeSpec

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class WallClockField(forms.DateTimeField):
    """A date and time as typed, without a zone: the service reads it on the meeting's own
    clock (meetings.times), not the server's."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


class _WhenFields(forms.Form):
    """When a meeting is, in which time zone, and how: shared by planning and moving it."""

    starts_at = WallClockField(
        label=_("Date and time"),
        error_messages={
            "required": _("Enter when the meeting starts."),
            "invalid": _("Enter the date and time, like 2026-10-09 15:30."),
        },
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("The start, on the clock of the time zone below."),
    )
    ends_at = forms.TimeField(
        label=_("Ends at"),
        required=False,
        widget=TIME_INPUT,
        input_formats=["%H:%M", "%H:%M:%S"],
        error_messages={"invalid": _("Enter the end as a time, like 16:30.")},
        help_text=_("Or give the length below."),
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes"),
        required=False,
        min_value=5,
        max_value=600,
        help_text=_("Leave empty for the usual length."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=(),
        required=False,
        help_text=_("The date and times are on this zone's clock."),
    )
    mode = forms.ChoiceField(label=_("How"), choices=MeetingMode.choices)
    location = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("A room or a phone number."),
    )
    link = forms.CharField(
        label=_("Video link"),
        max_length=500,
        required=False,
        help_text=_("For video calls: the address, starting with https://."),
    )

    def __init__(self, *args: Any, zones: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = zones

    def end_datetime(self) -> datetime.datetime | None:
        """The end on the start's date (naive, in the chosen zone), when an end is given."""
        start = self.cleaned_data.get("starts_at")
        end = self.cleaned_data.get("ends_at")
        if start is None or end is None:
            return None
        return datetime.datetime.combine(start.date(), end)


class ScheduleForm(_WhenFields):
    meeting_type = forms.ChoiceField(label=_("Meeting"), choices=())
    participants = forms.TypedMultipleChoiceField(
        label=_("Who is invited"),
        required=False,
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Leave all unticked to invite everyone who attends the kind of meeting chosen."
        ),
    )
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    field_order = [
        "meeting_type",
        "starts_at",
        "ends_at",
        "minutes",
        "time_zone",
        "mode",
        "location",
        "link",
        "participants",
    ]

    def __init__(
        self,
        *args: Any,
        meeting_types: list[MeetingTypeSpec],
        people: list[tuple[int, str]] | None = None,
        zones: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, zones=zones, **kwargs)
        field = self.fields["meeting_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.key, f"{m.title} ({m.minutes} min)") for m in meeting_types]
        invited = self.fields["participants"]
        assert isinstance(invited, forms.ChoiceField)
        invited.choices = people or []
        modes = "; ".join(
            f"{m.title}: {', '.join(str(MeetingMode(x).label).lower() for x in m.modes)}"
            for m in meeting_types
            if set(m.modes) != set(MeetingMode.values)
        )
        if modes:
            self.fields["mode"].help_text = (
                _("Some meetings are held only in some ways. %s.") % modes
            )


class RescheduleForm(_WhenFields):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why it moves; kept with the meeting."),
    )

    def __init__(self, *args: Any, modes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mode"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m, MeetingMode(m).label) for m in modes]


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the meeting is cancelled: the others are told.")},
        help_text=_("The others invited are told that it is cancelled."),
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Next step"),
        max_length=500,
        error_messages={"required": _("Write the next step.")},
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=(), required=False)
    due_on = forms.DateField(
        label=_("By"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the date as a date, like 2026-10-05.")},
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Nobody in particular")), *owners]


class MinutesForm(forms.Form):
    """One text per agenda stage (its title and length as the label, its prompt as help), then
    a summary, who can read the minutes and whether the meeting took place."""

    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was agreed, and the next steps."),
    )
    visibility = forms.ChoiceField(label=_("Who can read the minutes"), choices=Visibility.choices)
    held = forms.BooleanField(label=_("The meeting took place"), required=False)
    base = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agenda: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage_names = []
        stages: dict[str, forms.Field] = {}
        for index, stage in enumerate(agenda):
            name = f"stage_{index}"
            self.stage_names.append(name)
            label = str(stage.get("title", ""))
            if stage.get("minutes"):
                label = _("%(title)s (%(minutes)s minutes)") % {
                    "title": label,
                    "minutes": stage["minutes"],
                }
            stages[name] = forms.CharField(
                label=label,
                required=False,
                max_length=20_000,
                help_text=str(stage.get("prompt", "")),
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields = {**stages, **self.fields}

    def stage_notes(self) -> list[str]:
        return [self.cleaned_data.get(name, "") for name in self.stage_names]


# --- The meeting guide ---------------------------------------------------------------------------


class GuideActionForm(forms.Form):
    """One press of a guide button. `elapsed` comes from the page's script (its own clock);
    without it the server's clock counts."""

    action = forms.CharField(max_length=20)
    elapsed = forms.CharField(required=False, max_length=40)
    minutes = forms.IntegerField(
        required=False, error_messages={"invalid": _("Extend by a whole number of minutes.")}
    )
    stage = forms.IntegerField(
        required=False, error_messages={"invalid": _("Choose a stage by its number.")}
    )


class GuideNoteForm(forms.Form):
    stage = forms.IntegerField(min_value=0)
    note = forms.CharField(required=False, max_length=20_000, strip=False)
    base = forms.IntegerField(required=False, min_value=0)


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GuidePlanForm(forms.Form):
    """The Plan stage: the next cycle's study and observation, and its feedback meeting."""

    study_on = forms.DateField(
        label=_("Study on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("When you study the action step together."),
        error_messages={"invalid": _("Enter the study date as a date, like 2026-10-05.")},
    )
    observation_on = forms.DateField(
        label=_("Observation on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("When the coach observes the action step in class."),
        error_messages={"invalid": _("Enter the observation date as a date, like 2026-10-07.")},
    )
    starts_at = forms.DateTimeField(
        label=_("Next feedback meeting"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("Date and time."),
        error_messages={
            "invalid": _("Enter the date and time of the next meeting, like 2026-10-09 15:30.")
        },
    )
    mode = forms.ChoiceField(label=_("How"), choices=MeetingMode.choices)
    location = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("A room, a phone number or a video link."),
    )

    def __init__(self, *args: Any, modes: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if modes:
            field = self.fields["mode"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(m, MeetingMode(m).label) for m in modes]


class GuideHeldForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was agreed, and the next steps."),
    )
    base = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
