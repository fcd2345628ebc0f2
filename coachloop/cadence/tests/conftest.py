"""Helpers for the cadence tests: meetings made directly, with their own time zone."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from coachloop.meetings.models import Meeting


def make_meeting(
    engagement,
    when,
    *,
    mode="in_person",
    status="held",
    tz="Europe/London",
    meeting_type="session",
    author=None,
):
    """A meeting of `engagement` at the local naive datetime `when` in `tz`."""
    starts_at = when.replace(tzinfo=ZoneInfo(tz)).astimezone(datetime.UTC)
    return Meeting.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        meeting_type=meeting_type,
        title="Peer coaching session",
        starts_at=starts_at,
        time_zone=tz,
        mode=mode,
        status=status,
        held_at=starts_at if status == "held" else None,
        author=author or engagement.participants.first().user,
        visibility="team",
    )


@pytest.fixture
def meeting():
    return make_meeting
