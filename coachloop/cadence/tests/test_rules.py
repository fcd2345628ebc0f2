"""The cadence rules as a pure function: the seed's examples (a session a month, one in three in
person) and properties over generated calendars (months without a session, three sessions none
in person, sessions around the changes to and from summer time)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from coachloop.cadence.rules import Session, evaluate, local_date
from coachloop.playbooks.schema import CadenceSpec, InPersonRule

PEER = CadenceSpec(
    meeting_types=["session"],
    meetings_per_month_at_least=1,
    in_person=InPersonRule(at_least=1, of=3),
    schedule_by_day=10,
)
START = datetime.date(2026, 9, 1)
D = datetime.date


def held(day: datetime.date, mode: str = "in_person") -> Session:
    return Session(day, mode, "held")


def planned(day: datetime.date, mode: str = "in_person") -> Session:
    return Session(day, mode, "planned")


def run(sessions, today, spec=PEER, starts_on=START, ends_on=None):
    return evaluate(spec, sessions, starts_on=starts_on, ends_on=ends_on, today=today)


# --- Examples ------------------------------------------------------------------------------------


def test_a_team_that_meets_monthly_and_in_person_is_on_track():
    sessions = [held(D(2026, 9, 8)), held(D(2026, 10, 6), "phone"), planned(D(2026, 11, 3))]
    verdict = run(sessions, D(2026, 11, 12))
    assert verdict.status == "on_track"
    assert verdict.reasons == []


def test_no_session_last_month_is_off_track_and_names_the_month():
    sessions = [held(D(2026, 9, 8))]
    verdict = run(sessions, D(2026, 11, 2))
    assert verdict.status == "off_track"
    assert verdict.reasons[0]["message"] == "No session in October 2026"
    assert verdict.reasons[0]["month"] == "2026-10"
    assert verdict.months_missed == 1


def test_a_team_that_recovers_is_back_on_track_with_the_miss_as_history():
    sessions = [held(D(2026, 9, 8)), held(D(2026, 11, 4)), planned(D(2026, 12, 1))]
    verdict = run(sessions, D(2026, 12, 15))
    assert verdict.status == "on_track"
    assert verdict.months_missed == 1
    assert [(r["level"], r["message"]) for r in verdict.reasons] == [
        ("history", "No session in October 2026")
    ]


def test_the_current_month_is_at_risk_from_the_schedule_by_day_only():
    sessions = [held(D(2026, 9, 8)), held(D(2026, 10, 6))]
    assert run(sessions, D(2026, 11, 9)).status == "on_track"
    verdict = run(sessions, D(2026, 11, 10))
    assert verdict.status == "at_risk"
    assert verdict.reasons[0]["message"] == "No session scheduled for November yet"
    # a planned session this month is enough
    assert run([*sessions, planned(D(2026, 11, 20))], D(2026, 11, 10)).status == "on_track"


def test_a_cancelled_session_does_not_count():
    sessions = [held(D(2026, 9, 8)), Session(D(2026, 10, 6), "in_person", "cancelled")]
    assert run(sessions, D(2026, 11, 2)).status == "off_track"


def test_a_start_after_the_schedule_by_day_leaves_the_first_month_out():
    late = D(2026, 9, 20)
    assert run([], D(2026, 9, 25), starts_on=late).status == "on_track"
    assert run([], D(2026, 10, 5), starts_on=late).status == "on_track"
    assert run([], D(2026, 10, 10), starts_on=late).status == "at_risk"
    verdict = run([], D(2026, 11, 1), starts_on=late)
    assert [r["message"] for r in verdict.reasons] == ["No session in October 2026"]


def test_three_sessions_none_in_person_is_off_track():
    sessions = [held(D(2026, 9, 8), "phone"), held(D(2026, 10, 6), "video")]
    sessions.append(held(D(2026, 11, 3), "phone"))
    verdict = run([*sessions, planned(D(2026, 12, 1))], D(2026, 11, 20))
    assert verdict.status == "off_track"
    assert "None of the last 3 sessions was in person" in [r["message"] for r in verdict.reasons]


def test_the_next_session_should_be_in_person_after_two_by_phone():
    sessions = [held(D(2026, 9, 8), "phone"), held(D(2026, 10, 6), "phone")]
    verdict = run([*sessions, planned(D(2026, 11, 3), "phone")], D(2026, 10, 20))
    assert verdict.status == "at_risk"
    assert verdict.next_in_person_due
    assert [r["message"] for r in verdict.reasons] == ["The next session should be in person"]
    fixed = run([*sessions, planned(D(2026, 11, 3))], D(2026, 10, 20))
    assert fixed.status == "on_track"
    assert fixed.next_in_person_due


def test_fewer_sessions_than_the_window_give_no_in_person_verdict():
    verdict = run([held(D(2026, 9, 8), "phone")], D(2026, 9, 20))
    assert verdict.status == "on_track"


def test_an_ended_engagement_is_checked_to_its_end_and_never_at_risk():
    sessions = [held(D(2026, 9, 8), "phone"), held(D(2026, 10, 6), "phone")]
    verdict = run(sessions, D(2027, 3, 15), ends_on=D(2026, 10, 31))
    assert verdict.status == "on_track"
    assert verdict.reasons == []
    # ended mid-November: November is not a complete month of the engagement
    assert run(sessions, D(2027, 3, 15), ends_on=D(2026, 11, 20)).status == "on_track"
    verdict = run(sessions[:1], D(2027, 3, 15), ends_on=D(2026, 10, 31))
    assert [r["message"] for r in verdict.reasons] == ["No session in October 2026"]


def test_no_rules_is_none():
    assert run([], D(2026, 11, 20), spec=CadenceSpec()).status == "none"
    assert run([], D(2026, 11, 20), spec=None).status == "none"


def test_two_sessions_a_month_names_how_many_were_held():
    spec = CadenceSpec(meetings_per_month_at_least=2)
    verdict = run([held(D(2026, 10, 6))], D(2026, 11, 2), spec=spec)
    assert verdict.reasons[0]["message"] == "Only 1 of 2 sessions in October 2026"


# --- Generated calendars -------------------------------------------------------------------------


@st.composite
def specs(draw):
    of = draw(st.integers(1, 4))
    return CadenceSpec(
        meetings_per_month_at_least=draw(st.integers(1, 2)),
        in_person=InPersonRule(at_least=draw(st.integers(1, of)), of=of),
        schedule_by_day=draw(st.integers(1, 28)),
    )


def months_between(first: datetime.date, stop: datetime.date):
    """First days of the months from `first`'s to the one before `stop`'s."""
    month = first.replace(day=1)
    while month < stop.replace(day=1):
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def day_in(draw, month: datetime.date) -> datetime.date:
    return month.replace(day=draw(st.integers(1, 28)))


@st.composite
def kept_calendars(draw):
    """A spec, a start, a today and sessions that keep every rule: at least N held in every
    month, and in person for the first `at_least` of every `of` held sessions in order."""
    spec = draw(specs())
    starts_on = draw(st.dates(D(2024, 1, 1), D(2026, 6, 30)))
    today = starts_on + datetime.timedelta(days=draw(st.integers(0, 800)))
    dates = []
    for month in months_between(starts_on, today):
        dates += [
            day_in(draw, month)
            for _ in range(draw(st.integers(spec.meetings_per_month_at_least, 3)))
        ]
    dates.sort()
    rule = spec.in_person
    sessions = [
        held(d, "in_person" if i % rule.of < rule.at_least or draw(st.booleans()) else "phone")
        for i, d in enumerate(dates)
    ]
    # noise that must not matter: cancelled and planned sessions, in any mode
    for _ in range(draw(st.integers(0, 4))):
        day = draw(st.dates(starts_on, today + datetime.timedelta(days=60)))
        mode = draw(st.sampled_from(["in_person", "phone", "video"]))
        sessions.append(Session(day, mode, draw(st.sampled_from(["planned", "cancelled"]))))
    return spec, starts_on, today, sessions


@settings(max_examples=200, deadline=None)
@given(kept_calendars())
def test_a_calendar_that_keeps_every_rule_is_never_off_track(case):
    spec, starts_on, today, sessions = case
    verdict = run(sessions, today, spec=spec, starts_on=starts_on)
    assert verdict.status != "off_track", verdict.reasons
    assert verdict.months_missed == 0


@st.composite
def random_calendars(draw):
    spec = draw(specs())
    starts_on = draw(st.dates(D(2024, 1, 1), D(2026, 6, 30)))
    today = starts_on + datetime.timedelta(days=draw(st.integers(0, 800)))
    sessions = [
        Session(
            draw(
                st.dates(
                    starts_on - datetime.timedelta(days=20), today + datetime.timedelta(days=60)
                )
            ),
            draw(st.sampled_from(["in_person", "phone", "video"])),
            draw(st.sampled_from(["held", "held", "planned", "cancelled"])),
        )
        for _ in range(draw(st.integers(0, 30)))
    ]
    return spec, starts_on, today, sessions


@settings(max_examples=200, deadline=None)
@given(random_calendars())
def test_a_last_complete_month_without_a_session_is_off_track_and_named(case):
    spec, starts_on, today, sessions = case
    first = (
        starts_on
        if starts_on.day <= spec.schedule_by_day
        else (starts_on.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    )
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    if last_month < first.replace(day=1):
        return  # no complete month checked yet
    month = (last_month.year, last_month.month)
    sessions = [
        s
        for s in sessions
        if not ((s.local_date.year, s.local_date.month) == month and s.status == "held")
    ]
    verdict = run(sessions, today, spec=spec, starts_on=starts_on)
    assert verdict.status == "off_track"
    named = [r for r in verdict.reasons if r["code"] == "month_missed"]
    assert named[0]["month"] == last_month.strftime("%Y-%m")
    assert named[0]["message"] == f"No session in {last_month:%B %Y}"
    assert named[0]["level"] == "off_track"


@settings(max_examples=200, deadline=None)
@given(random_calendars(), st.lists(st.sampled_from(["phone", "video"]), min_size=3, max_size=3))
def test_the_last_three_held_none_in_person_is_off_track(case, modes):
    _spec, starts_on, today, sessions = case
    spec = CadenceSpec(in_person=InPersonRule(at_least=1, of=3))
    held_ones = sorted((s for s in sessions if s.status == "held"), key=lambda s: s.local_date)
    others = [s for s in sessions if s.status != "held"]
    extra = [held(today - datetime.timedelta(days=n), "in_person") for n in (1, 2, 3)]
    held_ones = sorted(held_ones + extra, key=lambda s: s.local_date)
    held_ones[-3:] = [s._replace(mode=m) for s, m in zip(held_ones[-3:], modes, strict=True)]
    verdict = run(others + held_ones, today, spec=spec, starts_on=starts_on)
    assert verdict.status == "off_track"
    assert "None of the last 3 sessions was in person" in [r["message"] for r in verdict.reasons]


# --- Time zones and summer time ------------------------------------------------------------------

ZONES = ["Europe/London", "Australia/Sydney"]
#: the changes to and from summer time in 2026 (London: 29 March, 25 October; Sydney: 5 April,
#: 4 October), and month ends next to them
DST_DAYS = [
    D(2026, 3, 29),
    D(2026, 10, 25),
    D(2026, 4, 5),
    D(2026, 10, 4),
    D(2026, 3, 31),
    D(2026, 4, 1),
    D(2026, 10, 31),
    D(2026, 11, 1),
    D(2026, 9, 30),
]


def local_times():
    return st.builds(
        lambda day, offset, minutes: (
            datetime.datetime.combine(day + datetime.timedelta(days=offset), datetime.time())
            + datetime.timedelta(minutes=minutes)
        ),
        st.sampled_from(DST_DAYS),
        st.integers(-1, 1),
        st.integers(0, 24 * 60 - 1),
    )


@settings(max_examples=300, deadline=None)
@given(local_times(), st.sampled_from(ZONES), st.booleans())
def test_local_date_is_the_date_on_the_meeting_s_own_clock(naive, zone, fold):
    aware = naive.replace(tzinfo=ZoneInfo(zone), fold=int(fold)).astimezone(datetime.UTC)
    assert local_date(aware, zone) == naive.date()


def test_a_session_after_midnight_in_sydney_counts_for_its_local_month():
    sydney = ZoneInfo("Australia/Sydney")
    starts = datetime.datetime(2026, 11, 1, 0, 30, tzinfo=sydney).astimezone(datetime.UTC)
    assert starts.date() == D(2026, 10, 31)
    assert local_date(starts, "Australia/Sydney") == D(2026, 11, 1)
    london = datetime.datetime(2026, 4, 1, 0, 30, tzinfo=ZoneInfo("Europe/London"))
    assert local_date(london.astimezone(datetime.UTC), "Europe/London") == D(2026, 4, 1)
    assert local_date(starts, "Not/AZone") == D(2026, 10, 31)  # unknown zone: the server's (UTC)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(local_times(), st.sampled_from(ZONES), st.sampled_from(["in_person", "phone"])),
        max_size=12,
    ),
    st.dates(D(2026, 3, 1), D(2027, 1, 31)),
)
def test_the_verdict_depends_only_on_the_local_dates(meetings, today):
    by_clock = [held(naive.date(), mode) for naive, _zone, mode in meetings]
    from_utc = [
        held(local_date(naive.replace(tzinfo=ZoneInfo(zone)).astimezone(datetime.UTC), zone), mode)
        for naive, zone, mode in meetings
    ]
    start = D(2026, 2, 1)
    assert run(from_utc, today, starts_on=start) == run(by_clock, today, starts_on=start)
