"""The aggregation engine's rules, one by one, on small hand-made data (docs/reports.md), and its
database wrapper's constant number of queries."""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachloop.surveys import engine, schema, scoring, stats
from coachloop.surveys.engine import ReportData

# --- a small instrument --------------------------------------------------------------------------

SMALL: dict[str, Any] = {
    "format": 1,
    "key": "small",
    "name": "Small survey",
    "kind": "school",
    "roles": ["teacher", "staff", "leader"],
    "k": 3,
    "comment_k": 4,
    "target_below": 3.0,
    "highlight": 1,
    "scales": [
        {
            "key": "a5",
            "label": "Agreement",
            "points": [{"value": v, "label": f"p{v}"} for v in range(1, 6)],
            "not_applicable": "Don't know",
        }
    ],
    "domains": [
        {
            "key": "one",
            "title": "Domain one",
            "items": [
                {"key": "one-a", "text": "Item one a", "scale": "a5"},
                {"key": "one-b", "text": "Item one b", "scale": "a5"},
            ],
        },
        {
            "key": "two",
            "title": "Domain two",
            "items": [
                {"key": "two-a", "text": "Item two a", "scale": "a5"},
                {"key": "two-b", "text": "Item two b", "scale": "a5", "roles": ["teacher"]},
            ],
        },
    ],
    "questions": [{"key": "q", "prompt": "Anything else?"}],
}


def small(**changes: Any) -> schema.Instrument:
    return schema.parse({**SMALL, **changes}, "small")


def three_sixty() -> schema.Instrument:
    domains = [{**d, "items": [{**i, "roles": []} for i in d["items"]]} for d in SMALL["domains"]]
    return schema.parse(
        {
            **SMALL,
            "key": "leader-360",
            "kind": "360",
            "roles": ["self", "peer", "supervisor"],
            "domains": domains,
        },
        "360",
    )


Person = tuple[str, Mapping[str, int | None]]


def data_of(
    spec: schema.Instrument,
    people: Sequence[Person],
    *,
    admin: int = 1,
    invited: int = 0,
    comments: Sequence[tuple[str, str]] = (),
) -> ReportData:
    """ReportData as the database would group it, waves numbered as the submission does."""
    counts: Counter[tuple[str, str, int | None, bool]] = Counter()
    responses = []
    others = 0
    for role, values in people:
        scored = scoring.score(spec, role, values)
        wave = None
        if role != "self":
            wave = others // spec.k
            others += 1
        responses.append((role, wave, scored.domains))
        for item, value, complete in scored.answers:
            counts[(role, item, value, complete)] += 1
    return ReportData(
        administration_id=admin,
        invited=invited or len(people),
        counts=[(*key, n) for key, n in counts.items()],
        responses=responses,
        comments=comments,
    )


def everyone(role: str, n: int, value: int = 4, **items: int | None) -> list[Person]:
    spec = small()
    base: dict[str, int | None] = {i.key: value for i in spec.items_for(role)}
    return [(role, {**base, **{k.replace("_", "-"): v for k, v in items.items()}})] * n


def published_ns(report: engine.Report) -> set[int]:
    return {f.n for f in report.figures()}


def assert_no_small_figure(report: engine.Report) -> None:
    k = report.spec.k
    for figure in report.figures():
        if figure.roles != frozenset({"self"}):
            assert figure.n >= k, figure


# --- rule 1: nothing below k ----------------------------------------------------------------------


def test_below_k_nothing_is_shown_and_the_message_names_k_not_n():
    spec = small(k=4)
    report = engine.compute(spec, data_of(spec, everyone("teacher", 3)))
    assert report.state == "not-enough"
    assert report.figures() == []
    assert report.domains == ()
    assert report.answered is None
    assert report.n is None
    assert report.message == "Not shown: fewer than 4 answers in this group protects anonymity."
    assert "3" not in report.message


def test_at_k_the_overall_results_are_shown():
    spec = small()
    report = engine.compute(spec, data_of(spec, everyone("teacher", 3, 4)))
    assert report.state == "final"
    assert report.answered == 3
    assert report.domain("one").overall is not None
    assert report.domain("one").overall.mean == 4
    assert_no_small_figure(report)


# --- rule 2: role cells ---------------------------------------------------------------------------


def test_a_role_under_k_is_merged_into_other_roles():
    spec = small()
    # staff 3 >= k stays; leader 1 alone is under k: merged with the smallest (staff)
    cells = {c.key: c for c in engine.role_cells(spec, {"teacher": 4, "staff": 3, "leader": 1})}
    assert set(cells) == {"teacher", "other"}
    assert cells["other"].n == 4
    assert cells["other"].roles == frozenset({"staff", "leader"})
    assert cells["other"].label == "Other roles (Leaders, Other staff)"
    people = everyone("teacher", 4) + everyone("staff", 3) + everyone("leader", 1)
    report = engine.compute(spec, data_of(spec, people))
    assert [c.key for c in report.cells] == ["teacher", "other"]
    assert_no_small_figure(report)


def test_roles_under_k_that_together_reach_k_form_one_cell():
    spec = small()
    cells = engine.role_cells(spec, {"teacher": 5, "staff": 2, "leader": 2})
    assert [(c.key, c.n) for c in cells] == [("teacher", 5), ("other", 4)]


def test_cell_sizes_are_shown_when_no_live_view_cuts_across_them():
    spec = small()
    # waves of 3: [t t t] [t t t] [s s s]: every role x wave atom holds 0 or 3
    people = everyone("teacher", 6) + everyone("staff", 3)
    report = engine.compute(spec, data_of(spec, people))
    assert [(c.key, c.n) for c in report.cells] == [("teacher", 6), ("staff", 3)]
    assert set(report.domain("one").by_cell) == {"teacher", "staff"}
    assert_no_small_figure(report)


def test_the_merged_cell_names_roles_without_answers_too_so_its_label_reveals_nothing():
    spec = small()
    people = everyone("teacher", 5) + everyone("staff", 3)
    report = engine.compute(spec, data_of(spec, people))
    assert [c.label for c in report.cells] == ["Teachers", "Other staff"]
    people = everyone("teacher", 5) + everyone("staff", 1) + everyone("leader", 3)
    report = engine.compute(spec, data_of(spec, people))
    # staff (1) merges with leader (3): the label names both, with no count of either
    assert report.cells[-1].label == "Other roles (Leaders, Other staff)"


def test_when_merging_leaves_one_cell_there_is_no_breakdown():
    spec = small()
    people = everyone("teacher", 6) + everyone("leader", 1)
    report = engine.compute(spec, data_of(spec, people))
    assert report.cells == ()
    assert all(not d.by_cell for d in report.domains)
    assert all(not i.by_cell for d in report.domains for i in d.items)
    assert {f.roles for f in report.figures()} == {None}


# --- rule 3: items --------------------------------------------------------------------------------


def test_an_item_with_many_dont_knows_is_left_out_as_not_enough_answers():
    spec = small()
    people = everyone("teacher", 3, one_a=None) + everyone("teacher", 2, 5)
    report = engine.compute(spec, data_of(spec, people))
    one = report.domain("one")
    assert [h.key for h in one.hidden] == ["one-a"]
    assert [i.key for i in one.items] == ["one-b"]
    assert "item:one-a" not in {f.quantity for f in report.figures()}


def test_an_item_is_shown_for_all_only_when_a_cell_has_too_few_scored_answers():
    spec = small()
    # teachers 4 (all answer one-a), staff 3 of which 2 say "don't know" to one-a
    people = (
        everyone("teacher", 4, 4) + everyone("staff", 1, 2) + everyone("staff", 2, 2, one_a=None)
    )
    report = engine.compute(spec, data_of(spec, people))
    assert [c.key for c in report.cells] == ["teacher", "staff"]
    items = {i.key: i for d in report.domains for i in d.items}
    assert items["one-a"].by_cell == {}  # staff: 1 scored answer, under k
    assert items["one-a"].overall.estimate.n == 5
    assert items["one-a"].overall.answered == 7
    assert [p.count for p in items["one-a"].overall.distribution] == [0, 1, 0, 4, 0, 2]
    assert set(items["one-b"].by_cell) == {"teacher", "staff"}
    assert_no_small_figure(report)


def test_an_item_not_asked_of_a_cell_can_still_be_broken_down():
    spec = small()
    people = everyone("teacher", 3, 5) + everyone("staff", 3, 3)
    report = engine.compute(spec, data_of(spec, people))
    two_b = next(i for i in report.domain("two").items if i.key == "two-b")
    assert two_b.by_cell["staff"] is None  # not asked of staff: 0 answers
    assert two_b.by_cell["teacher"] is not None
    assert two_b.by_cell["teacher"].estimate.mean == 5


# --- rule 4: domains ------------------------------------------------------------------------------


def test_domain_score_is_the_mean_of_respondent_means_with_a_t_interval():
    spec = small()
    people = [
        ("teacher", {"one-a": 1, "one-b": 2}),  # mean 1.5
        ("teacher", {"one-a": 4, "one-b": None}),  # mean 4
        ("teacher", {"one-a": 5, "one-b": 5}),  # mean 5
        ("teacher", {"one-a": None, "one-b": None}),  # no scored answer: not counted
    ]
    report = engine.compute(spec, data_of(spec, people))
    one = report.domain("one").overall
    assert one is not None
    assert one.n == 3
    assert one.mean == pytest.approx(3.5)
    sd = math.sqrt(((1.5 - 3.5) ** 2 + 0.5**2 + 1.5**2) / 2)
    assert one.sd == pytest.approx(sd)
    assert one.high == pytest.approx(3.5 + 4.302652730 * sd / math.sqrt(3))


def test_a_domain_is_not_broken_down_when_one_cell_has_too_few_scores():
    spec = small()
    # staff: 3 respondents, 2 of them without any scored answer in domain one
    people = (
        everyone("teacher", 3) + everyone("staff", 1) + everyone("staff", 2, one_a=None, one_b=None)
    )
    report = engine.compute(spec, data_of(spec, people))
    assert len(report.cells) == 2
    assert report.domain("one").by_cell == {}
    assert set(report.domain("two").by_cell) == {"teacher", "staff"}
    assert_no_small_figure(report)


def test_alpha_is_computed_over_complete_cases_and_matches_the_table_formula():
    spec = small()
    table = [(1, 2), (2, 2), (3, 4), (4, 5), (5, 4)]
    people = [("teacher", {"one-a": a, "one-b": b}) for a, b in table]
    people.append(("teacher", {"one-a": 3, "one-b": None}))  # incomplete: left out
    report = engine.compute(spec, data_of(spec, people))
    one = report.domain("one")
    assert one.alpha == pytest.approx(stats.cronbach_alpha(table))
    assert one.alpha_n == 5
    assert one.alpha_roles is None


def test_alpha_leaves_out_roles_not_asked_every_item_only_when_they_are_k_or_more():
    spec = small()
    teachers = [("teacher", {"two-a": a, "two-b": b}) for a, b in [(1, 2), (3, 3), (5, 4)]]
    few_staff = everyone("staff", 2)
    report = engine.compute(spec, data_of(spec, teachers + few_staff))
    assert report.domain("two").alpha is None  # all minus teachers would isolate 2 staff
    report = engine.compute(spec, data_of(spec, teachers + everyone("staff", 3)))
    two = report.domain("two")
    assert two.alpha is not None
    assert two.alpha_roles == frozenset({"teacher"})


# --- rule 5: live ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "k", "waves"),
    [(0, 5, None), (9, 5, None), (10, 5, 1), (14, 5, 1), (15, 5, 2), (29, 5, 4), (6, 3, 1)],
)
def test_live_needs_2k_and_lags_a_wave(count, k, waves):
    assert engine.live_waves(count, k) == waves


def test_a_live_report_shows_all_only_for_the_published_waves():
    spec = small()
    people = everyone("teacher", 4, 5) + everyone("staff", 3, 1)
    data = data_of(spec, people)
    waves = engine.live_waves(7, 3)
    assert waves == 1
    live = ReportData(
        1,
        7,
        data_of(spec, people[:3]).counts,
        [r for r in data.responses if r[1] is not None and r[1] < waves],
    )
    report = engine.compute(spec, live, live_waves=waves)
    assert report.state == "live"
    assert report.n == 3
    assert report.message.startswith("Live: based on the first 3 answers")
    assert report.cells == ()
    assert report.comments == ()
    assert report.answered is None
    assert all(d.alpha is None for d in report.domains)
    assert {f.waves for f in report.figures()} == {1}


def test_a_final_cell_never_differs_from_a_live_view_by_fewer_than_k():
    # k=3; the first 6 answers (the live view of waves < 2) were all teachers, then 1 more
    # teacher and 3 leaders: teachers (7) minus that live view would isolate the 7th teacher
    spec = small()
    people = everyone("teacher", 7) + everyone("leader", 3)
    report = engine.compute(spec, data_of(spec, people))
    assert [c.key for c in report.cells] == ["leader", "teacher"]
    assert all(c.n is None for c in report.cells)
    assert all(d.by_cell == {} for d in report.domains)
    assert "count" not in {f.quantity for f in report.figures() if f.roles is not None}
    # items were never live: they are still broken down by role
    assert all(i.by_cell for d in report.domains for i in d.items)


def test_a_domain_some_skipped_is_not_shown_where_final_minus_live_isolates_them():
    # k=3: 6 answers; the live view of wave 0 showed domain one for the first 3; of the last
    # 3 only 1 scored domain one, so the final (4) minus that live view (3) would isolate them
    spec = small()
    people = everyone("teacher", 4) + everyone("teacher", 2, one_a=None, one_b=None)
    report = engine.compute(spec, data_of(spec, people))
    assert report.domain("one").overall is None
    assert report.domain("two").overall is not None
    live_people = people[:3]
    data = data_of(spec, live_people)
    live = engine.compute(spec, data, live_waves=1)
    assert live.domain("one").overall is not None


def test_a_live_view_leaves_out_a_domain_a_wave_has_too_few_answers_for():
    spec = small()
    people = everyone("teacher", 2) + everyone("teacher", 1, one_a=None, one_b=None)
    people += everyone("teacher", 3)
    data = data_of(spec, people)
    live = engine.compute(spec, data, live_waves=1)
    assert live.domain("one").overall is None  # wave 0: 2 of 3 scored domain one
    assert live.domain("two").overall is not None


def test_an_open_administration_under_2k_is_waiting_and_says_so_without_n():
    spec = small(k=4)
    report = engine.compute(spec, data_of(spec, everyone("teacher", 7)), is_open=True)
    assert report.state == "waiting"
    assert report.figures() == []
    assert "7" not in report.message
    assert "4" in report.message


# --- rule 6: comments -----------------------------------------------------------------------------


def test_comments_need_comment_k_and_come_in_hash_order():
    spec = small()
    texts = ["zebra", "apple", "mango", "kiwi"]
    comments = [("q", t) for t in texts]
    report = engine.compute(spec, data_of(spec, everyone("teacher", 3), comments=comments))
    assert report.comments == ()
    assert report.comments_withheld
    report = engine.compute(spec, data_of(spec, everyone("teacher", 4), comments=comments))
    (group,) = report.comments
    assert group.prompt == "Anything else?"
    assert list(group.texts) == sorted(texts, key=engine.comment_order)
    assert list(group.texts) != texts  # not the submission order
    assert engine.Figure((1,), None, None, "comments", 4) in report.figures()


# --- rule 7: district -----------------------------------------------------------------------------


def test_the_district_aggregates_only_schools_that_show_the_figure():
    spec = small()
    schools = {
        1: data_of(spec, everyone("teacher", 3, 2), admin=1, invited=10),
        2: data_of(spec, everyone("teacher", 4, 4), admin=2, invited=8),
        3: data_of(spec, everyone("teacher", 2, 5), admin=3, invited=4),  # under k
    }
    district = engine.compute_district(spec, schools)
    rows = {r.administration_id: r for r in district.schools}
    assert rows[3].answered is None
    assert rows[3].domains == {}
    assert rows[1].response_rate == pytest.approx(0.3)
    one = district.domains["one"]
    assert one.schools == 2
    assert one.administrations == (1, 2)
    assert one.estimate.mean == pytest.approx((3 * 2 + 4 * 4) / 7)
    assert one.estimate.n == 7
    assert all(3 not in f.administrations for f in district.figures())
    assert [r.administration_id for r in district.sorted_by("one")] == [2, 1, 3]


def test_moments_give_the_same_interval_as_the_values():
    values = [1.5, 2.0, 4.25, 5.0, 3.0]
    est = engine.Moments.of(values).estimate()
    summary = stats.summarize(values)
    assert est.mean == pytest.approx(summary.mean)
    assert est.low == pytest.approx(summary.low)


# --- 360: self versus others ----------------------------------------------------------------------


def test_self_is_shown_beside_the_others_and_exempt_from_k():
    spec = three_sixty()
    people = [("self", {"one-a": 5, "one-b": 5, "two-a": 4}), *everyone("peer", 3, 3)]
    report = engine.compute(spec, data_of(spec, people))
    assert report.state == "final"
    assert report.answered == 4
    one = next(s for s in report.self_vs_others if s.key == "one")
    assert one.self_value == 5
    assert one.others.mean == 3
    assert one.gap == 2
    assert engine.Figure((1,), frozenset({"self"}), None, "domain:one", 1) in report.figures()
    assert_no_small_figure(report)


def test_the_self_is_not_shown_when_the_others_are_under_k():
    spec = three_sixty()
    people = [("self", {"one-a": 5}), *everyone("peer", 2, 3)]
    report = engine.compute(spec, data_of(spec, people))
    assert report.state == "not-enough"
    assert report.self_vs_others == ()


# --- strengths and targets ------------------------------------------------------------------------


def test_strengths_and_targets_do_not_overlap_and_items_below_target_are_marked():
    spec = small()
    people = [("teacher", {"one-a": 5, "one-b": 4, "two-a": 1, "two-b": 2})] * 2 + [
        ("teacher", {"one-a": 5, "one-b": 5, "two-a": 2, "two-b": 3})
    ]
    report = engine.compute(spec, data_of(spec, people))
    assert [h.key for h in report.strengths] == ["one", "one-a"]
    assert [h.key for h in report.targets] == ["two", "two-a"]
    below = {h.key: h for h in report.below_target}
    assert set(below) == {"two-a", "two-b"}
    assert below["two-a"].clearly_below  # 1, 1, 2: the whole interval is under 3
    assert not below["two-b"].clearly_below


# --- growth ---------------------------------------------------------------------------------------


def test_growth_uses_welch_and_cohens_d_where_both_show_the_figure():
    spec = small()
    before = engine.compute(
        spec, data_of(spec, everyone("teacher", 3, 2) + everyone("teacher", 1, 3))
    )
    after_people = everyone("teacher", 2, 4) + everyone("teacher", 2, 5, one_a=None)
    after = engine.compute(spec, data_of(spec, after_people, admin=2))
    result = engine.growth(before, after)
    assert {r.key for r in result.domains} == {"one", "two"}
    assert {r.key for r in result.items} == {"one-b", "two-a", "two-b"}  # one-a hidden after
    row = next(r for r in result.domains if r.key == "two")
    expected = stats.change(stats.summarize([2, 2, 2, 3]), stats.summarize([4, 4, 5, 5]))
    assert row.change.diff == pytest.approx(expected.diff)
    assert row.change.low == pytest.approx(expected.low)
    assert row.change.d == pytest.approx(expected.d)


# --- no message or figure states a suppressed n ---------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_no_message_of_a_suppressed_report_contains_its_n(n):
    spec = small(k=5, comment_k=10)
    for is_open in (False, True):
        report = engine.compute(spec, data_of(spec, everyone("teacher", n)), is_open=is_open)
        numbers = {int(x) for x in re.findall(r"\d+", report.message)}
        assert n not in numbers
        assert report.figures() == []


# --- the database wrapper -------------------------------------------------------------------------


def store(administration, people: Sequence[Person]) -> None:
    """Responses as the submission stores them (scoring.score + ORM), waves included."""
    from coachloop.surveys.models import Answer, Response

    spec = administration.spec
    others = Response.objects.filter(administration=administration).exclude(role="self").count()
    for role, values in people:
        scored = scoring.score(spec, role, values)
        wave = None
        if role != "self":
            wave = others // spec.k
            others += 1
        response = Response.objects.create(
            administration=administration, role=role, wave=wave, domains=scored.domains
        )
        Answer.objects.bulk_create(
            Answer(
                response=response,
                administration=administration,
                role=role,
                item=item,
                value=value,
                complete=complete,
            )
            for item, value, complete in scored.answers
        )
    administration.response_count = Response.objects.filter(administration=administration).count()
    administration.save(update_fields=["response_count"])


def lfl_people(n: int, seed: int = 1) -> list[Person]:
    import random

    from coachloop.surveys.library import builtin

    spec = builtin("leadership-for-learning").current.spec  # type: ignore[union-attr]
    rnd = random.Random(seed)
    roles = ["teacher", "teacher", "teacher", "staff", "leader"]
    people: list[Person] = []
    for i in range(n):
        role = roles[i % len(roles)]
        people.append(
            (role, {it.key: rnd.choice([1, 2, 3, 4, 5, 5, 4, None]) for it in spec.items_for(role)})
        )
    return people


def administration_at(school, *, closed: bool = True, previous=None, creator, live=False):
    from coachloop.access.models import Visibility
    from coachloop.surveys.library import builtin
    from coachloop.surveys.models import Administration

    instrument = builtin("leadership-for-learning")
    assert instrument.current is not None
    return Administration.objects.create(
        organisation=school,
        version=instrument.current,
        title=f"Survey at {school}",
        roles=["teacher", "staff", "leader"],
        opens_on=datetime.date(2026, 9, 1),
        closes_on=datetime.date(2026, 9, 30),
        closed_at=timezone.now() if closed else None,
        previous=previous,
        visibility=Visibility.SPONSORS,
        live_results=live,
        invited_count=120,
        created_by=creator,
    )


@pytest.mark.django_db
def test_the_school_report_runs_the_same_queries_for_10_and_100_respondents(lfl, world):
    small_admin = administration_at(world.oak, creator=world.cora)
    store(small_admin, lfl_people(10))
    big_admin = administration_at(world.oak, creator=world.cora)
    store(big_admin, lfl_people(100, seed=2))
    elm = administration_at(world.elm, creator=world.cora)
    store(elm, lfl_people(12, seed=3))
    counts = []
    for admin in (small_admin, big_admin):
        engine.forget()  # cold: nothing kept from an earlier report
        with CaptureQueriesContext(connection) as queries:
            report = engine.school_report(admin)
        counts.append(len(queries))
        assert report.state == "final"
        assert report.district is not None
        assert report.district.schools == 1
    assert counts[0] == counts[1]
    assert counts[0] <= 8
    # warm: the closed report and the other schools' figures are kept; only the responses and
    # the list of the district's latest administrations are read again
    with CaptureQueriesContext(connection) as queries:
        again = engine.school_report(big_admin)
    assert len(queries) < counts[1]
    assert engine.as_dict(again) == engine.as_dict(report)


@pytest.mark.django_db
def test_the_sql_moments_match_the_pure_engine(lfl, world):
    oak = administration_at(world.oak, creator=world.cora)
    store(oak, lfl_people(23))
    elm = administration_at(world.elm, creator=world.cora)
    store(elm, lfl_people(4, seed=5))  # under k: not shown
    spec = oak.spec
    report = engine.district_report(world.district, lfl.instrument)
    pure = engine.compute_district(
        spec,
        {
            oak.pk: engine.ReportData(oak.pk, 120, (), _responses(oak)),
            elm.pk: engine.ReportData(elm.pk, 120, (), _responses(elm)),
        },
    )
    by_sql = {r.administration_id: r for r in report.schools}
    by_pure = {r.administration_id: r for r in pure.schools}
    assert by_sql[elm.pk].answered is None
    assert by_pure[elm.pk].answered is None
    assert by_sql[elm.pk].name == "Elm"
    for key, est in by_pure[oak.pk].domains.items():
        assert est is not None
        sql = by_sql[oak.pk].domains[key]
        assert sql is not None
        assert sql.mean == pytest.approx(est.mean)
        assert sql.low == pytest.approx(est.low)
        assert sql.n == est.n
    assert report.domains["focus"].schools == 1
    own = engine.school_report(oak)
    assert own.domain("focus").overall.mean == pytest.approx(report.domains["focus"].estimate.mean)


def _responses(admin):
    from coachloop.surveys.models import Response

    return list(
        Response.objects.filter(administration=admin).values_list("role", "wave", "domains")
    )


@pytest.mark.django_db
def test_an_open_administration_reports_live_waves_only(lfl, world):
    admin = administration_at(world.oak, closed=False, creator=world.cora, live=True)
    store(admin, lfl_people(9))
    report = engine.school_report(admin)
    assert report.state == "waiting"
    store(admin, lfl_people(7, seed=9))  # 16 answers: W = 3, waves 0 and 1 shown
    report = engine.school_report(admin)
    assert report.state == "live"
    assert report.n == 10
    focus = report.domain("focus")
    assert focus.overall is not None
    assert focus.overall.n <= 10
    assert report.cells == ()
    assert focus.items == ()  # items are final-only


@pytest.mark.django_db
def test_growth_series_follows_the_chain_of_previous_administrations(lfl, world):
    first = administration_at(world.oak, creator=world.cora)
    store(first, lfl_people(12))
    second = administration_at(world.oak, previous=first, creator=world.cora)
    store(second, lfl_people(3, seed=4))  # under k: a point without scores
    third = administration_at(world.oak, previous=second, creator=world.cora)
    store(third, lfl_people(15, seed=6))
    series = engine.growth_series(third)
    assert [p.administration_id for p in series] == [first.pk, second.pk, third.pk]
    assert series[1].domains["focus"] is None
    assert series[0].domains["focus"] is not None
    result = engine.growth_for(third)
    assert result is not None
    assert result.domains == ()
    result = engine.growth_for(second.__class__.objects.get(pk=second.pk))
    assert result is not None
    assert result.domains == ()


@pytest.mark.django_db
def test_without_live_results_an_open_survey_waits_and_its_final_report_is_not_limited(lfl, world):
    """Live results are a choice: off, nothing shows while open, and no live view that could
    have been shown limits the final report's breakdown by role."""
    people = lfl_people(9) + lfl_people(7, seed=9)
    quiet = administration_at(world.oak, closed=False, creator=world.cora)
    store(quiet, people)
    report = engine.school_report(quiet)
    assert report.state == "waiting"
    assert "or live" not in report.message
    loud = administration_at(world.oak, closed=False, creator=world.cora, live=True)
    store(loud, people)
    assert engine.school_report(loud).state == "live"
    for admin in (quiet, loud):
        admin.closed_at = timezone.now()
        admin.save(update_fields=["closed_at"])
    quiet_final = engine.school_report(quiet)
    loud_final = engine.school_report(loud)
    assert quiet_final.state == loud_final.state == "final"
    assert quiet_final.cells
    assert all(c.n is not None for c in quiet_final.cells)
    shown = sum(bool(d.by_cell) for d in quiet_final.domains)
    assert shown >= sum(bool(d.by_cell) for d in loud_final.domains)


@pytest.mark.django_db
def test_a_kept_report_still_compares_with_schools_that_close_later(lfl, world, signed_in):
    """A closed report is kept per process, with its rendering; the district comparison beside
    it is not: when another school's survey closes, the page shows it."""
    oak = administration_at(world.oak, creator=world.cora)
    store(oak, lfl_people(12))
    first = engine.school_report(oak)
    assert first.district is None
    client = signed_in(world.lena)
    page = client.get(f"/surveys/{oak.pk}/report/").context["body"]
    assert page == client.get(f"/surveys/{oak.pk}/report/").context["body"]
    elm = administration_at(world.elm, creator=world.cora)
    store(elm, lfl_people(12, seed=4))
    later = engine.school_report(oak)
    assert later.district is not None
    assert later.district.schools == 1
    assert client.get(f"/surveys/{oak.pk}/report/").context["body"] != page


@pytest.mark.django_db
def test_the_district_report_withholds_a_domain_the_schools_own_report_withholds(lfl, world):
    """A survey that showed live results withholds a domain when one wave holds 1..k-1 of its
    respondents; the district report and the comparison beside other schools must too."""
    focus = ["focus-goals", "focus-talk"]
    other = {"environment-safe": 4, "environment-respect": 5}
    people: list[Person] = [("teacher", dict.fromkeys(focus, 4) | other) for _ in range(5)]
    people += [("teacher", {"focus-goals": 2} | other)]  # the one in wave 1 who scored focus
    people += [("teacher", dict(other)) for _ in range(4)]
    oak = administration_at(world.oak, creator=world.cora, live=True)
    store(oak, people)
    own = engine.school_report(oak, compare=False)
    assert own.domain("focus").overall is None
    assert own.domain("environment").overall is not None
    district = engine.district_report(world.district, lfl.instrument)
    (row,) = district.schools
    assert row.domains["focus"] is None
    assert row.domains["environment"] is not None
    assert "focus" not in district.domains
    # the same answers without live results: nothing limits the domain
    quiet = administration_at(world.elm, creator=world.cora)
    store(quiet, people)
    assert engine.school_report(quiet, compare=False).domain("focus").overall is not None
