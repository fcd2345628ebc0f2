import datetime

import pytest

from coachloop.engagements.models import StepProgress, StepStatus
from coachloop.meetings.models import Meeting, MeetingMode, MeetingParticipant

UTC = datetime.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def quiet(world, peer):
    """No step is open, so only the reminders a test makes itself exist."""
    StepProgress.objects.update(status=StepStatus.DONE)
    return peer


def make_meeting(engagement, people, starts_at, meeting_type="session", **extra):
    meeting = Meeting.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        meeting_type=meeting_type,
        title=extra.pop("title", "Monthly session"),
        starts_at=starts_at,
        minutes=60,
        mode=extra.pop("mode", MeetingMode.IN_PERSON),
        author=people[0],
        visibility="team",
        **extra,
    )
    for person in people:
        MeetingParticipant.objects.create(meeting=meeting, user=person)
    return meeting
