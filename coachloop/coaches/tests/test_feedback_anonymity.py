"""The anonymity rule for coaching feedback (issue 7): a coach sees results only for groups of at
least k. Carl's round (two coachees) never shows results to Carl, Ada or the API, however they
answer; Cora's round with three answers shows means; no figure on any page, API answer, export
or trend is computed over fewer than k; there is no cut by engagement or coachee. Hypothesis:
for any number of coachees and answers, a round shows iff at least k answered, and the
programme's trend never includes a withheld round."""

import json
import re

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.coaches import feedback
from coachloop.coaches.models import FeedbackRound
from coachloop.coaches.tests.test_feedback import ON, answer, asked, close_quarter, round_of
from coachloop.engagements.models import ParticipantRole
from coachloop.organisations.models import Role
from coachloop.surveys import engine
from coachloop.testing.factories import ParticipantFactory
from coachloop.testing.personas import _engagement, person

pytestmark = pytest.mark.django_db

WITHHELD = "Not shown: fewer than 3 answers in this group protects anonymity."


@pytest.fixture
def closed(coachdev, world):
    """The quarter's rounds closed: Carl's two coachees both answered (all 4s and all 1s: the
    most telling answers), Cora's three of five answered."""
    asked()
    answer(round_of(coachdev.programme, coachdev.carl), [4, 1], comment="He is late")
    answer(round_of(coachdev.programme, world.cora), [3, 4, 2])
    close_quarter()
    return coachdev


def _figures(text):
    return re.findall(r"\d\.\d\d", text)


def test_carls_round_of_two_never_shows_results(closed, world, signed_in, client):
    carl = round_of(closed.programme, closed.carl)
    for viewer in (closed.carl, world.ada):
        result = feedback.round_results(viewer, carl)
        assert not result.shown
        assert result.withheld
        assert result.message == WITHHELD
        assert result.overall is None
        assert result.response_rate is None  # the count is never stated, as a rate neither
        assert result.report.domains == ()
        signed_in(viewer)
        page = client.get(f"/coaches/feedback/rounds/{carl.pk}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert WITHHELD in body
        assert not _figures(body)
        assert "He is late" not in body
        assert "What I will change" not in body  # no results: nothing to reply to
        listing = client.get(f"/coaches/{closed.carl.pk}/feedback/").content.decode()
        assert WITHHELD in listing
        assert not _figures(listing)
        data = client.get(f"/api/feedback-rounds/{carl.pk}").json()
        assert data["withheld"] is True
        assert data["message"] == WITHHELD
        assert data["report"] is None
        assert data["overall"] is None
        assert data["domains"] == []
        assert data["response_rate"] is None
        assert "answered" not in data
        assert "respondents" not in data
        [row] = client.get(f"/api/coaches/{closed.carl.pk}/feedback").json()
        assert row["withheld"] is True
        assert row["overall"] is None
    assert feedback.feedback_trends(world.ada, [closed.carl.pk])[closed.carl.pk].points == (
        feedback.TrendPoint("2026-Q4", None),
    )


def test_coras_round_with_three_answers_shows_means(closed, world, signed_in, client):
    cora = round_of(closed.programme, world.cora)
    result = feedback.round_results(world.cora, cora)
    assert result.shown
    assert result.report.n == 3
    assert result.overall == pytest.approx(3.0)
    assert [round(d.overall.mean, 2) for d in result.report.domains] == [3.0, 3.0, 3.0, 3.0]
    assert result.response_rate == 60
    assert result.report.comments == ()  # comments only from comment_k = 5 answers
    signed_in(world.cora)
    data = client.get(f"/api/feedback-rounds/{cora.pk}").json()
    assert data["withheld"] is False
    assert data["overall"] == 3.0
    assert data["report"]["respondents"] == 3
    assert [d["all"]["mean"] for d in data["domains"]] == [3.0, 3.0, 3.0, 3.0]
    assert feedback.feedback_trends(world.ada, [world.cora.pk])[world.cora.pk].latest == 3.0


def test_the_programme_trend_and_its_export_leave_out_the_withheld_round(
    closed, world, signed_in, client
):
    trends = feedback.programme_trends(world.ada, closed.programme)
    [quarter] = trends.across
    assert quarter.period == "2026-Q4"
    assert quarter.coaches == 1  # Cora only: Carl's round is withheld
    assert quarter.mean == pytest.approx(3.0)
    by_coach = {c.coach: c.by_period for c in trends.coaches}
    assert by_coach[closed.carl] == (None,)
    signed_in(world.ada)
    csv = client.get(
        f"/programmes/{closed.programme.pk}/coach-feedback/", {"format": "csv"}
    ).content.decode()
    carl_line = next(line for line in csv.splitlines() if str(closed.carl) in line)
    assert "not shown" in carl_line
    assert not _figures(carl_line)
    api = client.get(f"/api/programmes/{closed.programme.pk}/coach-feedback").json()
    assert api["periods"] == [{"period": "2026-Q4", "mean": 3.0, "coaches_shown": 1}]
    carl = next(c for c in api["coaches"] if c["coach"]["id"] == closed.carl.pk)
    assert carl["points"] == [{"period": "2026-Q4", "mean": None}]


def test_comments_appear_only_from_comment_k_answers(coachdev, world):
    asked()
    cora = round_of(coachdev.programme, world.cora)
    answer(cora, [3, 3, 3, 4, 4], comment="More time to practise")
    close_quarter()
    result = feedback.round_results(world.cora, round_of(coachdev.programme, world.cora))
    assert result.report.n == 5
    [group] = result.report.comments
    assert group.texts == ("More time to practise",) * 5


def test_there_is_no_cut_by_engagement_or_coachee(closed, world, signed_in, client):
    # one round pools all five engagements: no administration per engagement exists
    assert FeedbackRound.objects.filter(programme=closed.programme, coach=world.cora).count() == 1
    cora = round_of(closed.programme, world.cora)
    assert cora.administration.engagement_id is None
    signed_in(world.ada)
    text = json.dumps(client.get(f"/api/feedback-rounds/{cora.pk}").json())
    assert "engagement" not in text
    for teacher in closed.teachers:
        assert teacher.email not in text
        assert str(teacher) not in text
    assert json.loads(text)["report"]["cells"] == []  # one role: no breakdown at all
    page = client.get(f"/coaches/feedback/rounds/{cora.pk}/").content.decode()
    for teacher in closed.teachers:
        assert teacher.email not in page


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), coachees=st.integers(min_value=1, max_value=8))
def test_a_round_shows_iff_k_answered_and_the_trend_never_includes_a_withheld_one(
    coachdev, world, data, coachees
):
    answers = data.draw(
        st.lists(st.integers(min_value=1, max_value=4), min_size=0, max_size=coachees),
        label="answers",
    )
    engine.forget()
    with transaction.atomic():
        coach = person("gen-coach@a.test", world.district, Role.COACH)
        coachdev.programme.coaches.add(coach)
        for i in range(coachees):
            teacher = person(f"gen-teacher-{i}@a.test", world.oak, Role.TEACHER)
            engagement = _engagement(
                coachdev.programme,
                world.oak,
                f"Generated {i}",
                [(coach, ParticipantRole.COACH)],
            )
            ParticipantFactory(engagement=engagement, user=teacher, role=ParticipantRole.COACHEE)
        with time_machine.travel(ON, tick=False):
            feedback.round_for(coachdev.programme, coach)
            feedback.ask_quarterly()
        generated = round_of(coachdev.programme, coach)
        assert generated.administration.invited_count == coachees
        answer(generated, answers)
        close_quarter()
        generated.administration.refresh_from_db()
        for viewer in (coach, world.ada):
            result = feedback.round_results(viewer, generated)
            assert result.shown == (len(answers) >= 3)
            if result.shown:
                assert result.overall == pytest.approx(sum(answers) / len(answers))
                assert all(d.overall.n >= 3 for d in result.report.domains)
            else:
                assert result.overall is None
                assert result.message == WITHHELD
                assert result.response_rate is None
        trends = feedback.programme_trends(world.ada, coachdev.programme)
        mine = next(c for c in trends.coaches if c.coach == coach)
        across = {f.period: f for f in trends.across}["2026-Q4"]
        # the other coaches' rounds closed without answers: withheld, counted nowhere
        if len(answers) >= 3:
            assert mine.by_period == (pytest.approx(sum(answers) / len(answers)),)
            assert across.coaches == 1
            assert across.mean == pytest.approx(sum(answers) / len(answers))
        else:
            assert mine.by_period == (None,)
            assert across.coaches == 0
            assert across.mean is None
        assert feedback.feedback_trends(world.ada, [coach.pk])[coach.pk].latest == (
            pytest.approx(sum(answers) / len(answers)) if len(answers) >= 3 else None
        )
        transaction.set_rollback(True)


def test_trends_for_many_coaches_take_a_fixed_number_of_queries(closed, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(coach_ids):
        engine.forget()
        # the viewer's scope is read once per request: a fresh copy of Ada each time
        ada = type(world.ada).objects.get(pk=world.ada.pk)
        with CaptureQueriesContext(connection) as ctx:
            trends = feedback.feedback_trends(ada, coach_ids)
        return len(ctx.captured_queries), trends

    one, _t = queries([world.cora.pk])
    two, trends = queries([world.cora.pk, closed.carl.pk])
    assert one == two
    assert trends[world.cora.pk].latest == pytest.approx(3.0)
    assert trends[closed.carl.pk].latest is None
    # closed rounds are kept per process: the next call reads only the rounds
    ada = type(world.ada).objects.get(pk=world.ada.pk)
    feedback.feedback_trends(ada, [world.cora.pk, closed.carl.pk])
    with CaptureQueriesContext(connection) as ctx:
        feedback.feedback_trends(ada, [world.cora.pk, closed.carl.pk])
    assert len(ctx.captured_queries) == 1
