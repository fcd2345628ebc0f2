"""Check the cadence again whenever a meeting is scheduled, moved, cancelled or held."""

from __future__ import annotations

from typing import Any

from coachloop.cadence import services
from coachloop.engagements.models import Engagement


def on_meeting_changed(sender: Any, meeting: Any, **kwargs: Any) -> None:
    # Read the engagement afresh: the meeting's cached one may be stale, and only the cadence
    # fields are written.
    engagement = (
        Engagement.objects.select_related("playbook_version")
        .filter(pk=meeting.engagement_id)
        .first()
    )
    if engagement is not None:
        services.refresh(engagement)
