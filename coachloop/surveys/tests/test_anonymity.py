"""Anonymity as properties (issue 6, DESIGN.md invariant 2): for generated instruments,
respondents and answers, everything a viewer can see together (the final report with its district
comparison, every live view shown while the responses came in, the previous administration's
report and the growth between them, the district report) is handed to the independent checker
(tests/checker.py), which must find no group of 1..k-1 respondents that the figures isolate.

The data is built here from the generated answers, with this file's own GROUP BY, the way the
database stores it (surveys.scoring), and run through the engine's pure core."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachloop.surveys import engine, schema
from coachloop.surveys.scoring import score
from coachloop.surveys.tests.checker import Respondent, assert_safe

WORDS = ["clear", "goals", "more", "time", "feedback", "thanks", "visits", "planning", "data"]


@dataclass(frozen=True)
class Person:
    """One generated respondent: the role they answer as, their answers and comments."""

    role: str
    values: Mapping[str, int | None]
    comments: Mapping[str, str]


@dataclass
class Generated:
    administration: int
    people: list[Person]  # in the order they submitted


# --- generating instruments and respondents ------------------------------------------------------

LETTERS = "abcdefgh"  # keys and titles without digits, so a number in a message is a count


@st.composite
def instruments(draw: st.DrawFn) -> schema.Instrument:
    kind = draw(st.sampled_from(["school", "360"]))
    if kind == "school":
        roles = draw(
            st.lists(st.sampled_from(["teacher", "staff", "leader"]), min_size=1, unique=True)
        )
    else:
        roles = [
            "self",
            *draw(
                st.lists(st.sampled_from(["peer", "supervisor", "staff"]), min_size=1, unique=True)
            ),
        ]
    k = draw(st.integers(min_value=3, max_value=6))
    domains = []
    for d in range(draw(st.integers(min_value=2, max_value=3))):
        items = []
        for i in range(draw(st.integers(min_value=2, max_value=3))):
            item_roles = draw(
                st.one_of(st.just([]), st.lists(st.sampled_from(roles), min_size=1, unique=True))
            )
            items.append(
                {
                    "key": f"item-{LETTERS[d]}{LETTERS[i]}",
                    "text": f"Item {LETTERS[d]}{LETTERS[i]} about leadership",
                    "scale": "agree",
                    "roles": item_roles,
                }
            )
        domains.append(
            {"key": f"dom-{LETTERS[d]}", "title": f"Domain {LETTERS[d]}", "items": items}
        )
    data: dict[str, Any] = {
        "format": 1,
        "key": "generated",
        "name": "Generated survey",
        "kind": kind,
        "roles": roles,
        "k": k,
        "comment_k": draw(st.integers(min_value=k, max_value=k + 4)),
        "scales": [
            {
                "key": "agree",
                "label": "Agreement",
                "points": [
                    {"value": 1, "label": "Strongly disagree"},
                    {"value": 2, "label": "Disagree"},
                    {"value": 3, "label": "Neither"},
                    {"value": 4, "label": "Agree"},
                    {"value": 5, "label": "Strongly agree"},
                ],
                "not_applicable": "Don't know",
            }
        ],
        "domains": domains,
        "questions": [{"key": "comment", "prompt": "Anything else"}],
    }
    return schema.parse(data, "generated.yaml")


def groups(
    spec: schema.Instrument, administration: int, max_size: int
) -> st.SearchStrategy[Generated]:
    """Respondents in the order they submit. Each answers the items their role is asked with an
    answer code: 0 skipped (not stored), 1..5 a scale point, 6 "not applicable"."""
    others = [r for r in spec.roles if r != "self"]
    keys = [item.key for _domain, item in spec.items()]
    codes = st.lists(st.integers(min_value=0, max_value=6), min_size=len(keys), max_size=len(keys))

    def values(role: str, answers: Sequence[int]) -> dict[str, int | None]:
        asked = {item.key for item in spec.items_for(role)}
        return {
            key: (None if code == 6 else code)
            for key, code in zip(keys, answers, strict=True)
            if code and key in asked
        }

    def build(
        drawn: tuple[list[tuple[Any, list[int], str | None]], int | None, list[int]],
    ) -> Generated:
        rows, self_at, self_codes = drawn
        people = [
            Person(role, values(role, answers), {"comment": text} if text else {})
            for role, answers, text in rows
        ]
        if self_at is not None and "self" in spec.roles:
            people.insert(min(self_at, len(people)), Person("self", values("self", self_codes), {}))
        return Generated(administration, people)

    comment = st.one_of(
        st.none(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
    )
    return st.tuples(
        st.lists(st.tuples(st.sampled_from(others), codes, comment), max_size=max_size),
        st.one_of(st.none(), st.integers(min_value=0, max_value=max_size)),
        codes,
    ).map(build)


# --- what the database would hold: this file's own GROUP BY --------------------------------------


@dataclass
class Stored:
    """Per response, as surveys.services stores it: role, wave, domains, answers."""

    role: str
    wave: int | None
    domains: dict[str, list[int]]
    answers: list[tuple[str, int | None, bool]]
    values: Mapping[str, int | None]
    comments: Mapping[str, str]


def store(spec: schema.Instrument, group: Generated) -> list[Stored]:
    stored: list[Stored] = []
    others = 0
    for person in group.people:
        scored = score(spec, person.role, person.values)
        wave = None
        if person.role != "self":
            wave = others // spec.k
            others += 1
        stored.append(
            Stored(
                person.role, wave, scored.domains, scored.answers, person.values, person.comments
            )
        )
    return stored


def report_data(
    group: Generated, stored: Sequence[Stored], *, waves: int | None = None, comments: bool = True
) -> engine.ReportData:
    """The ReportData of the responses a view includes: all of them (final), or the non-self
    responses of waves < `waves` (live)."""
    included = [s for s in stored if waves is None or (s.wave is not None and s.wave < waves)]
    counts: Counter[tuple[str, str, int | None, bool]] = Counter()
    for s in included:
        for item, value, complete in s.answers:
            counts[(s.role, item, value, complete)] += 1
    return engine.ReportData(
        administration_id=group.administration,
        invited=len(group.people) + 3,
        counts=[(*key, n) for key, n in sorted(counts.items(), key=repr)],
        responses=[(s.role, s.wave, s.domains) for s in included],
        comments=[(key, text) for s in included for key, text in s.comments.items()]
        if comments and waves is None
        else (),
    )


def universe_of(groups: Iterable[tuple[Generated, list[Stored]]]) -> list[Respondent]:
    out: list[Respondent] = []
    for group, stored in groups:
        for s in stored:
            out.append(
                Respondent(
                    id=len(out),
                    administration=group.administration,
                    role=s.role,
                    wave=s.wave,
                    answers=dict(s.values),
                    domains={d: tuple(v) for d, v in s.domains.items()},
                )
            )
    return out


# --- the serialized report: strings that must not state a suppressed n ---------------------------


def strings_in(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from strings_in(item)


def serialized(report: engine.Report) -> list[str]:
    fields = {
        f.name: getattr(report, f.name) for f in dataclasses.fields(report) if f.name != "spec"
    }
    data = {
        name: dataclasses.asdict(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type)
        else value
        for name, value in fields.items()
    }
    data["cells"] = [dataclasses.asdict(c) for c in report.cells]
    data["domains"] = [dataclasses.asdict(d) for d in report.domains]
    message = report.message() if callable(report.message) else report.message
    return [*strings_in(data), message]


def suppressed_counts(spec: schema.Instrument, stored: Sequence[Stored]) -> set[int]:
    """The sizes of the groups below k that the report must not state."""
    k = spec.k
    others = [s for s in stored if s.role != "self"]
    sizes = {len(others)} | set(Counter(s.role for s in others).values())
    for _domain, item in spec.items():
        sizes.add(sum(1 for s in others if item.key in s.values))
        sizes.add(sum(1 for s in others if s.values.get(item.key) is not None))
    for domain in spec.domains:
        sizes.add(sum(1 for s in others if s.domains.get(domain.key, [0, 0])[1] >= 1))
    return {n for n in sizes if 0 < n < k}


NUMBER = re.compile(r"(?<![\d.])\d+(?![\d.])")


# --- the properties ------------------------------------------------------------------------------


def final_report(
    spec: schema.Instrument, group: Generated, stored: list[Stored], **kwargs: Any
) -> engine.Report:
    return engine.compute(spec, report_data(group, stored), **kwargs)


def live_reports(
    spec: schema.Instrument, group: Generated, stored: list[Stored]
) -> list[engine.Report]:
    """Every live view that could have been shown while the responses came in."""
    reports = []
    seen: set[int | None] = set()
    others = sum(1 for s in stored if s.role != "self")
    for count in range(others + 1):
        waves = engine.live_waves(count, spec.k)
        if waves in seen:
            continue
        seen.add(waves)
        if waves is None:
            # open, too few for live results: the engine gets the responses so far anyway
            first = [s for s in stored if s.role != "self"][:count]
            reports.append(
                engine.compute(
                    spec, report_data(group, first, waves=10**6, comments=False), is_open=True
                )
            )
        else:
            reports.append(
                engine.compute(
                    spec,
                    report_data(group, stored, waves=waves),
                    live_waves=waves,
                    is_open=True,
                )
            )
    return reports


def check_published_values(
    spec: schema.Instrument, report: engine.Report, stored: Sequence[Stored]
) -> None:
    """Each published item and domain figure is over whom it says, computed right, at least k."""
    k = spec.k
    others = [s for s in stored if s.role != "self"]
    if report.live_waves is not None:
        others = [s for s in others if s.wave is not None and s.wave < report.live_waves]
    cells = {c.key: c for c in report.cells}
    if cells:
        sizes = [c.n for c in report.cells]
        assert all(n is None for n in sizes) or sum(n or 0 for n in sizes) == len(others)
        assert all(n is None or n >= k for n in sizes)
        roles = [r for c in report.cells for r in (c.roles or ())]
        assert len(roles) == len(set(roles))  # a partition

    def in_cell(key: str | None) -> list[Stored]:
        if key is None or key == "all":
            return others
        roles = cells[key].roles
        return [s for s in others if roles is None or s.role in roles]

    for domain in report.domains:
        for cell_key, estimate in [(None, domain.overall), *domain.by_cell.items()]:
            if estimate is None:
                continue
            means = [
                s.domains[domain.key][0] / s.domains[domain.key][1]
                for s in in_cell(cell_key)
                if s.domains.get(domain.key, [0, 0])[1] >= 1
            ]
            assert estimate.n == len(means) >= k
            assert abs(estimate.mean - sum(means) / len(means)) < 1e-9
        for item in domain.items:
            for cell_key, figure in [(None, item.overall), *item.by_cell.items()]:
                if figure is None:
                    continue
                group = in_cell(cell_key)
                scored = [s.values[item.key] for s in group if s.values.get(item.key) is not None]
                answered = [s for s in group if item.key in s.values]
                assert figure.answered == len(answered)
                assert figure.estimate.n == len(scored) >= k
                assert abs(figure.estimate.mean - sum(v for v in scored if v) / len(scored)) < 1e-9
                shown = {p.value: p.count for p in figure.distribution if p.count}
                expected = Counter(s.values[item.key] for s in answered)
                assert shown == dict(expected)


def check_messages(
    spec: schema.Instrument, report: engine.Report, stored: Sequence[Stored]
) -> None:
    hidden = suppressed_counts(spec, stored)
    for text in serialized(report):
        numbers = {int(n) for n in NUMBER.findall(text)}
        leaked = numbers & hidden
        assert not leaked, f"{text!r} states {leaked}, the size of a group below k={spec.k}"


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_nothing_a_viewer_sees_together_isolates_fewer_than_k(data):
    spec = data.draw(instruments(), label="instrument")
    now = data.draw(groups(spec, 1, 24), label="this administration")
    before = data.draw(groups(spec, 2, 14), label="the previous administration")
    schools = [data.draw(groups(spec, a, 10), label=f"school {a}") for a in (3, 4)]
    stored = {g.administration: store(spec, g) for g in [now, before, *schools]}

    district = engine.compute_district(
        spec,
        {g.administration: report_data(g, stored[g.administration]) for g in [now, *schools]},
    )
    # beside the school's report: the other schools of the district
    comparison = engine.compute_district(
        spec, {g.administration: report_data(g, stored[g.administration]) for g in schools}
    ).comparison()
    final = final_report(spec, now, stored[1], district=comparison)
    previous = final_report(spec, before, stored[2])
    live = live_reports(spec, now, stored[1])

    figures = [*final.figures(), *previous.figures(), *district.figures()]
    for view in live:
        figures.extend(view.figures())
    universe = universe_of((g, stored[g.administration]) for g in [now, before, *schools])
    assert_safe(universe, figures, k=spec.k, comment_k=spec.comment_k)

    for report, group in [
        (final, stored[1]),
        (previous, stored[2]),
        *((v, stored[1]) for v in live),
    ]:
        check_published_values(spec, report, group)
        check_messages(spec, report, group)

    # growth publishes nothing that both final reports do not already show
    growth = engine.growth_between(previous, final)
    for row in [*growth.domains, *growth.items]:
        assert row.before.n >= spec.k
        assert row.after.n >= spec.k
        for report, estimate in ((previous, row.before), (final, row.after)):
            if row.kind == "domain":
                published = report.domain(row.key).overall
            else:
                domain = report.domain(spec.domain_of()[row.key])
                published = next(i.overall.estimate for i in domain.items if i.key == row.key)
            assert published is not None
            assert (published.n, published.mean) == (estimate.n, estimate.mean)
    shown_before = {(f.quantity, f.n) for f in previous.figures() if f.roles is None}
    shown_after = {(f.quantity, f.n) for f in final.figures() if f.roles is None}
    for row in [*growth.domains, *growth.items]:
        quantity = f"{row.kind}:{row.key}"
        assert any(q == quantity for q, _n in shown_before), quantity
        assert any(q == quantity for q, _n in shown_after), quantity


# --- known cases, found by the property above ----------------------------------------------------

TWO_ITEMS = {
    "format": 1,
    "key": "small",
    "name": "Small survey",
    "kind": "school",
    "roles": ["teacher"],
    "k": 3,
    "comment_k": 3,
    "scales": [
        {
            "key": "agree",
            "label": "Agreement",
            "points": [{"value": v, "label": f"point {v}"} for v in range(1, 6)],
            "not_applicable": "Don't know",
        }
    ],
    "domains": [
        {
            "key": "dom-a",
            "title": "Domain a",
            "items": [
                {"key": "item-aa", "text": "Item aa", "scale": "agree"},
                {"key": "item-ab", "text": "Item ab", "scale": "agree"},
            ],
        }
    ],
}


def test_a_live_view_and_the_final_report_do_not_isolate_one_domain_answer():
    """k = 3, six teachers. The live view after six responses shows wave 0 (three respondents,
    all with a scored answer in the domain); in wave 1 only one respondent scored the domain (the
    others said "not applicable" or skipped). Final domain mean x 4 minus live mean x 3 would be
    that one person's domain mean."""
    spec = schema.parse(TWO_ITEMS, "small.yaml")
    people = [
        Person("teacher", {"item-aa": 4, "item-ab": 5}, {}),
        Person("teacher", {"item-aa": 2}, {}),
        Person("teacher", {"item-aa": 3, "item-ab": None}, {}),
        Person("teacher", {"item-aa": None, "item-ab": None}, {}),
        Person("teacher", {"item-aa": 1, "item-ab": 1}, {}),  # the one
        Person("teacher", {}, {}),
    ]
    group = Generated(1, people)
    stored = store(spec, group)
    figures = [*final_report(spec, group, stored).figures()]
    for view in live_reports(spec, group, stored):
        figures.extend(view.figures())
    assert_safe(universe_of([(group, stored)]), figures, k=spec.k, comment_k=spec.comment_k)


def test_a_role_cell_minus_a_live_view_does_not_isolate_a_late_respondent():
    """k = 3: six teachers answer first (the live view after them shows waves 0 and 1: six
    respondents), then two leaders, one more teacher and a leader. The final report's teacher
    cell (seven) minus that live view (the first six, all teachers) is the one late teacher."""
    spec = schema.parse({**TWO_ITEMS, "roles": ["teacher", "leader"]}, "small.yaml")
    answers = {"item-aa": 4, "item-ab": 4}
    roles = ["teacher"] * 6 + ["leader", "leader", "teacher", "leader"]
    group = Generated(1, [Person(role, answers, {}) for role in roles])
    stored = store(spec, group)
    figures = [*final_report(spec, group, stored).figures()]
    for view in live_reports(spec, group, stored):
        figures.extend(view.figures())
    assert_safe(universe_of([(group, stored)]), figures, k=spec.k, comment_k=spec.comment_k)


def test_the_district_withholds_what_a_schools_own_report_withholds():
    """Found by the property on a CI run: k = 3, six teachers, four with a scored answer in the
    domain (three in wave 0, one in wave 1). The school's own report withholds the domain (a live
    view of wave 0 could have shown three), but the district report showed the school's domain
    over all four: four minus the live view's three is the late teacher."""
    spec = schema.parse(TWO_ITEMS, "small.yaml")
    people = [Person("teacher", {"item-ab": 1}, {}) for _ in range(4)]
    people += [Person("teacher", {}, {}), Person("teacher", {}, {})]
    group = Generated(1, people)
    stored = store(spec, group)
    own = final_report(spec, group, stored)
    assert own.domain("dom-a").overall is None
    district = engine.compute_district(spec, {1: report_data(group, stored)})
    assert all(s.domains.get("dom-a") is None for s in district.schools)
    figures = [*own.figures(), *district.figures()]
    for view in live_reports(spec, group, stored):
        figures.extend(view.figures())
    assert_safe(universe_of([(group, stored)]), figures, k=spec.k, comment_k=spec.comment_k)


def test_stored_answers_cannot_be_joined_to_a_person_or_a_time():
    """No field of a response, answer or comment points at an invitation or an account, or holds
    a time (DESIGN.md invariant 2: the schema cannot hold the link)."""
    from django.db import models as m

    from coachloop.accounts.models import User
    from coachloop.surveys.models import Answer, Comment, Draft, Invitation, Response

    for model in (Response, Answer, Comment):
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            assert related not in (Invitation, User, Draft), f"{model.__name__}.{field.name}"
            assert not isinstance(field, (m.DateTimeField, m.DateField, m.TimeField)), (
                f"{model.__name__}.{field.name}"
            )
            assert not isinstance(field, (m.AutoField, m.BigAutoField)), (
                f"{model.__name__}.{field.name}: a sequential id would order responses"
            )
