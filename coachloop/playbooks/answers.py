"""Checking answers to a playbook form against its fields: one rule for pages, API and links."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.utils.translation import gettext as _

from coachloop.lib.errors import DomainError
from coachloop.playbooks.schema import FieldSpec, FormSpec

MAX_TEXT = 500
MAX_TEXTAREA = 20_000


def clean_answers(form: FormSpec, data: dict[str, Any]) -> dict[str, Any]:
    """The answers, typed and trimmed; DomainError naming every wrong field otherwise.
    Keys the form does not have are refused, so nothing unexpected is stored."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    known = {f.key for f in form.fields}
    for key in data:
        if key not in known:
            errors[key] = _("This form has no field “%s”.") % key
    for field in form.fields:
        raw = data.get(field.key)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, "", []):
            if field.required:
                errors[field.key] = _("Answer “%s”; it is required.") % field.label
            continue
        try:
            cleaned[field.key] = _clean(field, raw)
        except ValueError as error:
            errors[field.key] = str(error)
    if errors:
        raise DomainError(_("Some answers need attention."), errors=errors, status=422)
    return cleaned


def _clean(field: FieldSpec, raw: Any) -> Any:
    if field.type in ("text", "textarea"):
        text = str(raw)
        limit = MAX_TEXT if field.type == "text" else MAX_TEXTAREA
        if len(text) > limit:
            raise ValueError(_("Keep this under %d characters.") % limit)
        return text
    if field.type == "number":
        try:
            number = float(raw) if not isinstance(raw, int) else raw
        except (TypeError, ValueError):
            raise ValueError(_("Enter a number, for example 3 or 2.5.")) from None
        if not math.isfinite(number) or abs(number) > 1e12:
            raise ValueError(_("Enter a number, for example 3 or 2.5."))
        return int(number) if float(number).is_integer() else number
    if field.type == "date":
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
    if field.type == "choice":
        if str(raw) not in field.choices:
            raise ValueError(_("Choose one of: %s.") % ", ".join(field.choices))
        return str(raw)
    low, high = field.scale
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValueError(
            _("Choose a point from %(low)d to %(high)d.") % {"low": low, "high": high}
        ) from None
    if not low <= value <= high:
        raise ValueError(_("Choose a point from %(low)d to %(high)d.") % {"low": low, "high": high})
    return value
