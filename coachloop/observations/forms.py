"""Input of the observation pages: the quick form's fields as posted (without JavaScript, and
by the autosave as JSON), and the history's filters. The services check every rule; this only
reads what was sent into the shapes they take."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coachloop.access.models import Visibility
from coachloop.lib.errors import DomainError
from coachloop.observations.selectors import HistoryFilters

_MOMENT_FIELD = re.compile(r"^moment-(\d{1,4})-(at|text|criterion|evidence|remove)$")


@dataclass
class DraftInput:
    """What the writer sent: kept as typed, to show again when something is refused."""

    notes: str = ""
    #: as sent: a list of {"at", "text", "criterion", "evidence"} (the service checks it)
    moments: Any = field(default_factory=list)
    duration_minutes: Any = None
    scores: dict[str, Any] | None = None
    base: int | None = None
    visibility: str | None = None


def _base(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise DomainError(gettext("The revision (base) is a whole number."), field="base")


def draft_from_post(data: QueryDict) -> DraftInput:
    """The quick form as posted: notes, the moments as `moment-N-at/text/criterion/evidence`
    (ticking `moment-N-remove` drops one), `score-KEY` radio groups, duration and base."""
    rows: dict[int, dict[str, Any]] = {}
    for key in data:
        match = _MOMENT_FIELD.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = data.get(key, "")
    moments = []
    for index in sorted(rows):
        row = rows[index]
        if row.get("remove"):
            continue
        moments.append(
            {
                "at": row.get("at", ""),
                "text": row.get("text", ""),
                "criterion": row.get("criterion") or None,
                "evidence": row.get("evidence") or None,
            }
        )
    scores = {key[len("score-") :]: data.get(key, "") for key in data if key.startswith("score-")}
    return DraftInput(
        notes=data.get("notes", ""),
        moments=moments,
        duration_minutes=data.get("duration_minutes", "").strip() or None,
        scores=scores,
        base=_base(data.get("base")),
        visibility=data.get("visibility") or None,
    )


def draft_from_json(body: bytes) -> DraftInput:
    """The autosave's JSON: {"notes", "moments", "duration_minutes", "scores", "base"}."""
    try:
        raw = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DomainError(gettext("Send the draft as JSON or as a form.")) from None
    if not isinstance(raw, dict):
        raise DomainError(gettext("Send the draft as a JSON object."))
    notes = raw.get("notes", "")
    scores = raw.get("scores")
    return DraftInput(
        notes=notes if notes is not None else "",
        moments=raw.get("moments") if raw.get("moments") is not None else [],
        duration_minutes=raw.get("duration_minutes"),
        scores=scores,
        base=_base(raw.get("base")),
        visibility=raw.get("visibility") or None,
    )


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HistoryFilterForm(forms.Form):
    """The history's filters (GET): a bad value is ignored and named, never a crash."""

    action_step = forms.TypedChoiceField(
        label=_("Action step"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Enter the first date like 2026-09-01.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Enter the last date like 2026-12-20.")},
    )
    evidence = forms.ChoiceField(
        label=_("Evidence"),
        required=False,
        choices=[
            ("", _("Any")),
            ("for", _("With success criteria seen")),
            ("against", _("With success criteria not yet seen")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("final", _("Finished")), ("draft", _("My drafts"))],
    )

    def __init__(self, *args: Any, steps: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step_field = self.fields["action_step"]
        assert isinstance(step_field, forms.TypedChoiceField)
        step_field.choices = [("", _("All action steps")), *steps]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last date is before the first; swap them."))
        return data

    def filters(self) -> HistoryFilters:
        """The valid filters (an invalid one is left out; the form shows why)."""
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return HistoryFilters(
            action_step=data.get("action_step") or None,
            date_from=data.get("date_from") if "date_from" not in self.errors else None,
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
            evidence=data.get("evidence") or "",
            status=data.get("status") or "",
        )


def filters_from_query(data: QueryDict, steps: list[tuple[int, str]]) -> HistoryFilterForm:
    form = HistoryFilterForm(data or None, steps=steps)
    form.is_valid()
    return form


VISIBILITY_CHOICES = Visibility.choices
