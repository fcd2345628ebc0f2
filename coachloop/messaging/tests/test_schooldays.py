"""School time over generated calendars: random weekday sets, holidays and zones with clock
changes (Europe/London, America/New_York), checked against the rules response times rely on."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from coachloop.messaging import schooldays
from coachloop.messaging.schooldays import DAY, Calendar, add_working, working_seconds

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [LONDON, NEW_YORK, ZoneInfo("UTC"), ZoneInfo("Australia/Sydney")]
WEEKDAYS = frozenset({1, 2, 3, 4, 5})

# Around the 2026 clock changes: London 29 Mar and 25 Oct, New York 8 Mar and 1 Nov.
FIRST = dt.datetime(2026, 2, 20, tzinfo=dt.UTC)
LAST = dt.datetime(2026, 12, 10, tzinfo=dt.UTC)
SPAN_DAYS = (LAST - FIRST).days


def _utc(offset_seconds: int) -> dt.datetime:
    return FIRST + dt.timedelta(seconds=offset_seconds)


instants = st.integers(0, SPAN_DAYS * DAY).map(_utc)
#: instants with a fraction of a second, to check that fractions never break additivity
fine_instants = st.tuples(st.integers(0, SPAN_DAYS * DAY), st.integers(0, 999_999)).map(
    lambda t: _utc(t[0]) + dt.timedelta(microseconds=t[1])
)
# instants near the clock changes, where a local day is 23 or 25 hours long
_changes = [dt.datetime(2026, m, d, tzinfo=dt.UTC) for m, d in ((3, 8), (3, 29), (10, 25), (11, 1))]
near_changes = st.tuples(st.sampled_from(_changes), st.integers(-3 * DAY, 3 * DAY)).map(
    lambda t: t[0] + dt.timedelta(seconds=t[1])
)
moments = st.one_of(instants, fine_instants, near_changes)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    weekdays = draw(st.frozensets(st.integers(1, 7), min_size=1))
    holidays = draw(
        st.frozensets(
            st.dates(min_value=dt.date(2026, 2, 1), max_value=dt.date(2027, 1, 31)), max_size=40
        )
    )
    return Calendar(weekdays, holidays, draw(st.sampled_from(ZONES)))


def _wall(a: dt.datetime, b: dt.datetime) -> int:
    return max(int((b - a).total_seconds()) + 1, 0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), moments, moments, moments)
def test_school_time_is_additive_and_never_more_than_wall_time(cal, a, b, c):
    a, b, c = sorted([a, b, c])
    ab, bc, ac = (working_seconds(x, y, cal) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert 0 <= ac <= _wall(a, c)
    assert working_seconds(c, a, cal) == 0


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONES), moments, st.integers(1, 6 * DAY))
def test_no_school_time_over_a_stretch_of_days_off(zone, a, length):
    # Every day in the stretch is a holiday (and the weekdays cover only other days).
    b = a + dt.timedelta(seconds=length)
    first, last = a.astimezone(zone).date(), b.astimezone(zone).date()
    days = frozenset(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    assert working_seconds(a, b, Calendar(frozenset(range(1, 8)), days, zone)) == 0


@settings(max_examples=300, deadline=None)
@given(calendars(), moments, st.integers(0, 12 * DAY))
def test_add_working_is_the_inverse_of_working_seconds(cal, a, s):
    end = add_working(a, s, cal)
    assert end >= a
    assert working_seconds(a, end, cal) == s
    # the last such moment: one second later is already past the agreement
    if s > 0:
        assert working_seconds(a, end + dt.timedelta(seconds=1), cal) == s + 1


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, st.integers(0, 8 * DAY), st.integers(0, 8 * DAY))
def test_add_working_is_monotone(cal, a, s, t):
    s, t = sorted([s, t])
    assert add_working(a, s, cal) <= add_working(a, t, cal)


@settings(max_examples=300, deadline=None)
@given(calendars(), moments, moments, st.dates(dt.date(2026, 2, 15), dt.date(2026, 12, 15)))
def test_a_holiday_removes_exactly_that_local_days_school_time(cal, a, b, day):
    a, b = sorted([a, b])
    assume(cal.is_school_day(day))
    zone = cal.zone
    with_day = working_seconds(a, b, cal)
    without = working_seconds(a, b, Calendar(cal.weekdays, cal.holidays | {day}, zone))
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    # the part of [a, b) on that local day, counted to whole seconds like working_seconds
    a0, b0 = a.replace(microsecond=0), b.replace(microsecond=0)
    overlap = max(
        0,
        int((min(b0, end.astimezone(dt.UTC)) - max(a0, start.astimezone(dt.UTC))).total_seconds()),
    )
    assert with_day - without == overlap


@settings(max_examples=300, deadline=None)
@given(calendars(), instants, instants, st.integers(1, 5))
@example(  # the time runs out at midnight at the end of Friday; the answer comes on Sunday
    Calendar(WEEKDAYS, frozenset(), LONDON),
    dt.datetime(2026, 11, 26, tzinfo=LONDON),
    dt.datetime(2026, 11, 29, 12, tzinfo=LONDON),
    2,
)
def test_within_the_agreement_exactly_when_answered_by_the_due_moment(cal, asked, answered, days):
    asked, answered = sorted([asked, answered])
    due = add_working(asked, days * DAY, cal)
    took = working_seconds(asked, answered, cal)
    # the rule `_answer` applies (school time within the agreement) and the due moment agree
    assert (took <= days * DAY) == (answered <= due)


# --- Worked examples ------------------------------------------------------------------------------

FRIDAY_3PM = dt.datetime(2026, 11, 27, 15, tzinfo=LONDON)
MONDAY_9AM = dt.datetime(2026, 11, 30, 9, tzinfo=LONDON)
MONDAY = dt.date(2026, 11, 30)


def test_friday_afternoon_to_monday_morning_is_eighteen_school_hours():
    cal = Calendar(WEEKDAYS, frozenset(), LONDON)
    assert working_seconds(FRIDAY_3PM, MONDAY_9AM, cal) == 18 * 3600


def test_a_monday_holiday_leaves_the_friday_evening_nine_hours():
    cal = Calendar(WEEKDAYS, frozenset({MONDAY}), LONDON)
    assert working_seconds(FRIDAY_3PM, MONDAY_9AM, cal) == 9 * 3600


def test_two_school_days_from_friday_afternoon_end_tuesday_afternoon():
    cal = Calendar(WEEKDAYS, frozenset(), LONDON)
    end = add_working(FRIDAY_3PM, 2 * DAY, cal)
    assert end.astimezone(LONDON) == dt.datetime(2026, 12, 1, 15, tzinfo=LONDON)


def test_with_a_monday_holiday_two_school_days_end_wednesday_afternoon():
    cal = Calendar(WEEKDAYS, frozenset({MONDAY}), LONDON)
    end = add_working(FRIDAY_3PM, 2 * DAY, cal)
    assert end.astimezone(LONDON) == dt.datetime(2026, 12, 2, 15, tzinfo=LONDON)


def test_a_school_day_across_the_autumn_clock_change_is_twenty_five_hours():
    cal = Calendar(frozenset(range(1, 8)), frozenset(), LONDON)
    start = dt.datetime(2026, 10, 25, tzinfo=LONDON)
    end = dt.datetime(2026, 10, 26, tzinfo=LONDON)
    assert working_seconds(start, end, cal) == 25 * 3600


def test_time_running_out_at_the_end_of_friday_is_due_at_the_start_of_monday():
    cal = Calendar(WEEKDAYS, frozenset(), LONDON)
    thursday = dt.datetime(2026, 11, 26, tzinfo=LONDON)
    end = add_working(thursday, 2 * DAY, cal)
    assert end.astimezone(LONDON) == dt.datetime(2026, 11, 30, tzinfo=LONDON)


def test_a_calendar_without_school_days_says_so():
    everyday_off = frozenset(dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(4000))
    cal = Calendar(frozenset({1}), everyday_off, LONDON)
    with pytest.raises(ValueError, match="no school day"):
        add_working(FRIDAY_3PM, DAY, cal)


@pytest.mark.django_db
def test_the_nearest_calendar_decides_and_every_holiday_above_counts(world):
    from coachloop.organisations.models import Holiday, SchoolCalendar

    SchoolCalendar.objects.create(
        organisation=world.district, weekdays=[1, 2, 3, 4], time_zone="America/New_York"
    )
    Holiday.objects.create(organisation=world.district, date=dt.date(2026, 12, 24), name="Eve")
    Holiday.objects.create(organisation=world.oak, date=dt.date(2026, 12, 23), name="Oak day")
    oak = schooldays.calendar_for(world.oak)
    assert oak.weekdays == frozenset({1, 2, 3, 4})
    assert oak.zone == NEW_YORK
    assert oak.holidays == {dt.date(2026, 12, 24), dt.date(2026, 12, 23)}
    elm = schooldays.calendar_for(world.elm)
    assert elm.holidays == {dt.date(2026, 12, 24)}
    SchoolCalendar.objects.create(organisation=world.oak, weekdays=[1, 2, 3, 4, 5, 6])
    oak = schooldays.calendar_for(world.oak)
    assert oak.weekdays == frozenset(range(1, 7))
    assert oak.zone == schooldays.server_zone()
    batch = schooldays.calendars_for([world.oak, world.elm, world.pine])
    assert batch[world.oak.pk] == oak
    assert batch[world.elm.pk] == elm
    assert batch[world.pine.pk] == schooldays.default_calendar()
