"""The one helper that writes the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from coachloop.access.models import AuditEvent

if TYPE_CHECKING:
    from coachloop.organisations.models import Organisation

# Keys whose values never reach the audit trail, at any depth.
MASKED_KEYS = frozenset({"password", "token", "secret", "body", "text", "content", "answer"})


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("***" if k in MASKED_KEYS else _mask(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    organisation: Organisation | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event. `organisation` defaults to the target's own organisation."""
    if organisation is None and target is not None:
        organisation = getattr(target, "organisation", None)
        if organisation is None and target._meta.label == "organisations.Organisation":
            organisation = target  # type: ignore[assignment]
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=_mask(data or {}),
    )
