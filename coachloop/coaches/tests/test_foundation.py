"""The foundation of coaching the coaches: the built-in playbook, the fixture, who follows a
coach, and the school-day arithmetic the other modules build on."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.messaging import schooldays

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_coach_development_playbook_names_the_practice_profile(coachdev):
    spec = coachdev.development.spec
    assert spec.coach_development.profile == "practice-profile"
    rubric = spec.rubric("practice-profile")
    assert [c.key for c in rubric.criteria] == [
        "relationships",
        "improvement-process",
        "responsive-communication",
        "solution-dialogue",
        "reviewing-data",
    ]
    assert [lv.score for lv in rubric.levels] == [1, 2, 3, 4]


def test_who_follows_a_coach(coachdev, world):
    def follows(user):
        return policy.visible(user, User, Action.FOLLOW_COACH).filter(pk=world.cora.pk).exists()

    assert follows(world.cora)
    assert follows(coachdev.lola)
    assert follows(world.ada)
    assert not follows(world.tom)
    assert not follows(coachdev.carl)
    assert not follows(world.bea)


def test_friday_afternoon_to_monday_morning_is_eighteen_school_hours():
    calendar = schooldays.Calendar(schooldays.DEFAULT_WEEKDAYS, frozenset(), LONDON)
    friday = dt.datetime(2026, 11, 27, 15, tzinfo=LONDON)
    monday = dt.datetime(2026, 11, 30, 9, tzinfo=LONDON)
    assert schooldays.working_seconds(friday, monday, calendar) == 18 * 3600
    two_days = schooldays.add_working(friday, 2 * schooldays.DAY, calendar)
    assert two_days.astimezone(LONDON) == dt.datetime(2026, 12, 1, 15, tzinfo=LONDON)
