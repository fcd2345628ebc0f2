"""The one aggregation engine: everything any page, API call or export shows of survey results
comes from here (DESIGN.md invariant 2; the rules are in docs/reports.md).

Two layers:

- the **pure core** (`ReportData`, `compute`, `compute_district`, `live_waves`, `growth_between`):
  no database, so the anonymity checker's property tests run fast against it. Every figure a
  report publishes is listed by `Report.figures()` with the respondents it aggregates;
- the **database wrappers** (`school_report`, `district_report`, `growth`, `growth_series`): a
  constant number of queries whatever the number of responses, one GROUP BY over `Answer`.

The publication rules (numbers as in docs/reports.md):

1. Nothing below k: results only when the non-self respondents number at least k; a suppressed
   group's n is never stated.
2. Role cells partition the respondents: roles with at least k respondents are cells, the rest
   merge into "Other roles"; a merged cell with 1..k-1 respondents absorbs the smallest remaining
   role until it has none or at least k. A single cell means no breakdown by role.
3. Items: shown for "All" only when at least k scored answers; broken down by role cell only when
   every cell has 0 or at least k answers to it (scored, and scored plus "not applicable").
4. Domains: the mean of the respondents' own domain means, over respondents with a scored answer;
   shown when at least k; broken down by cell only when every cell has 0 or at least k (so that
   "All" minus a cell never isolates fewer than k).
5. Live (open) results: only from 2k non-self responses, then only waves < W - 1 (W = count // k),
   the count and the domains for "All" only: no items, cells, comments, self or alpha. A domain
   is shown live only when every wave holds 0 or at least k of its respondents. The final report
   recomputes which live views were shown and publishes a figure (a domain, a cell's size) only
   when no cell x wave-segment "atom" holds 1..k-1 of its respondents (`_atoms_ok`): the contract's
   count rule alone let "final minus live" or "cell minus live" isolate a few people.
6. Comments: final reports only, whole group, at least comment_k non-self respondents, unattributed,
   ordered by a hash of their text.
7. District: only schools whose own figure is shown; never by role.
8. Growth: only where both administrations show the figure.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from coachloop.surveys import stats
from coachloop.surveys.schema import ROLE_LABELS, DomainSpec, Instrument, ItemSpec

if TYPE_CHECKING:
    from coachloop.organisations.models import Organisation
    from coachloop.surveys import models
    from coachloop.surveys.models import Administration

SELF = "self"

State = Literal["final", "live", "waiting", "not-enough"]


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """What the database holds for one administration, already grouped. In a live report the
    wrapper passes only the responses (and answer counts) of the published waves."""

    administration_id: int
    invited: int
    #: GROUP BY (role, item, value, complete) -> count, over the included responses
    counts: Sequence[tuple[str, str, int | None, bool, int]]
    #: one row per included response: (role, wave, domains)
    responses: Sequence[tuple[str, int | None, Mapping[str, Sequence[int]]]]
    #: (question key, text), final reports only
    comments: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Figure:
    """One published aggregate, for the anonymity checker: over which respondents.

    - ``count``: how many respondents in `roles`;
    - ``item:<key>``: the item's mean and distribution (scale points and "not applicable") over
      the respondents in `roles` who answered it; `n` counts them, "not applicable" included;
    - ``domain:<key>``: the mean of respondent domain means over the respondents in `roles` with
      at least one scored answer in the domain;
    - ``alpha:<key>``: Cronbach's alpha over the respondents in `roles` who answered every item
      of the domain (all of its items asked of them);
    - ``comments``: the free-text answers of the whole group (`n` non-self respondents).
    """

    administrations: tuple[int, ...]
    #: None: every non-self respondent; frozenset({"self"}): the subject
    roles: frozenset[str] | None
    #: live: responses with wave < waves only; None: all
    waves: int | None
    quantity: str
    n: int


# --- outputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A published mean with its 95% interval over n respondents (n is at least k)."""

    mean: float
    low: float | None
    high: float | None
    sd: float | None
    n: int

    @classmethod
    def of(cls, summary: stats.Summary) -> Estimate:
        return cls(summary.mean, summary.low, summary.high, summary.sd, summary.n)

    def summary(self) -> stats.Summary:
        return stats.Summary(n=self.n, mean=self.mean, sd=self.sd, low=self.low, high=self.high)


@dataclass(frozen=True)
class Cell:
    """A group of respondents by role. `key` is "all", a role, or "other" (merged roles)."""

    key: str
    label: str
    roles: frozenset[str] | None
    #: None: not published (with the live views' waves it would isolate fewer than k)
    n: int | None


@dataclass(frozen=True)
class Point:
    """One bar of an item's distribution: a scale point, or "not applicable" (value None)."""

    value: int | None
    label: str
    count: int


@dataclass(frozen=True)
class ItemFigure:
    estimate: Estimate
    answered: int
    distribution: tuple[Point, ...]


@dataclass(frozen=True)
class ItemResult:
    key: str
    text: str
    domain: str
    #: "All"
    overall: ItemFigure
    #: per cell key (cells shown only when rule 3 allows; a cell without answers is None)
    by_cell: Mapping[str, ItemFigure | None] = field(default_factory=dict)
    #: 360: the subject's own answer (None: not answered or "not applicable")
    self_value: int | None = None


@dataclass(frozen=True)
class HiddenItem:
    """An item with too few answers to show: "not enough answers", never how many."""

    key: str
    text: str


@dataclass(frozen=True)
class DistrictFigure:
    """The district's (other schools') mean of a domain or item, over schools showing it."""

    estimate: Estimate
    schools: int
    administrations: tuple[int, ...]


@dataclass(frozen=True)
class DomainResult:
    key: str
    title: str
    description: str
    low: int
    high: int
    #: "All"; None: not shown (fewer than k)
    overall: Estimate | None
    by_cell: Mapping[str, Estimate | None]
    alpha: float | None
    alpha_n: int
    alpha_roles: frozenset[str] | None
    items: tuple[ItemResult, ...]
    hidden: tuple[HiddenItem, ...]
    self_value: float | None = None
    district: DistrictFigure | None = None


@dataclass(frozen=True)
class Highlight:
    """A strength or target area: a domain or an item with its mean."""

    kind: Literal["domain", "item"]
    key: str
    title: str
    mean: float
    low: float | None
    high: float | None
    #: target areas by threshold: the whole interval lies below `target_below`
    clearly_below: bool = False


@dataclass(frozen=True)
class SelfVsOthers:
    kind: Literal["domain", "item"]
    key: str
    title: str
    self_value: float
    others: Estimate

    @property
    def gap(self) -> float:
        return self.self_value - self.others.mean


@dataclass(frozen=True)
class CommentGroup:
    key: str
    prompt: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class DistrictComparison:
    """The other schools' results for the same instrument (rule 7), for a school report."""

    domains: Mapping[str, DistrictFigure]
    items: Mapping[str, DistrictFigure]
    schools: int


@dataclass(frozen=True)
class Report:
    administration_id: int
    spec: Instrument
    state: State
    invited: int
    #: responses (others and self) shown in the response rate; None when not shown
    answered: int | None
    #: non-self respondents behind the results (final: all; live: the published waves' total)
    n: int | None
    live_waves: int | None
    cells: tuple[Cell, ...]
    domains: tuple[DomainResult, ...]
    strengths: tuple[Highlight, ...] = ()
    targets: tuple[Highlight, ...] = ()
    below_target: tuple[Highlight, ...] = ()
    self_vs_others: tuple[SelfVsOthers, ...] = ()
    comments: tuple[CommentGroup, ...] = ()
    comments_withheld: bool = False
    district: DistrictComparison | None = None
    self_count: int = 0
    #: whether the administration shows live results (and so limits its final report)
    live_possible: bool = True
    #: a closed administration's report: the key it is kept under (pages keep their rendering
    #: under it too); None for reports that may still change
    memo_key: tuple[Any, ...] | None = None

    @property
    def k(self) -> int:
        return self.spec.k

    @property
    def shown(self) -> bool:
        return self.state in ("final", "live")

    @property
    def response_rate(self) -> float | None:
        if self.answered is None or not self.invited:
            return None
        return self.answered / self.invited

    @property
    def message(self) -> str:
        """What the page says about the state, without any suppressed n."""
        k = self.spec.k
        if self.state == "live":
            return (
                f"Live: based on the first {self.n} answers. The full report appears when the "
                "survey closes."
            )
        if self.state == "waiting":
            if not self.live_possible:
                return f"Results appear when the survey closes with at least {k} answers."
            return (
                f"Results appear when the survey closes with at least {k} answers, or live "
                f"while it is open once at least {2 * k} have answered."
            )
        if self.state == "not-enough":
            return suppressed_message(k)
        return ""

    def domain(self, key: str) -> DomainResult:
        return next(d for d in self.domains if d.key == key)

    def figures(self) -> list[Figure]:
        """Everything the report publishes, nothing more."""
        if not self.shown:
            return []
        admins = (self.administration_id,)
        waves = self.live_waves
        assert self.n is not None
        out = [Figure(admins, None, waves, "count", self.n)]
        if self.self_count and self.state == "final":
            out.append(Figure(admins, frozenset({SELF}), None, "count", self.self_count))
        for cell in self.cells:
            if cell.n is not None:
                out.append(Figure(admins, cell.roles, waves, "count", cell.n))
        cell_roles = {c.key: c.roles for c in self.cells}
        for d in self.domains:
            if d.overall is not None:
                out.append(Figure(admins, None, waves, f"domain:{d.key}", d.overall.n))
            for key, est in d.by_cell.items():
                if est is not None:
                    out.append(Figure(admins, cell_roles[key], waves, f"domain:{d.key}", est.n))
            if d.alpha is not None:
                out.append(Figure(admins, d.alpha_roles, waves, f"alpha:{d.key}", d.alpha_n))
            if d.self_value is not None:
                out.append(Figure(admins, frozenset({SELF}), None, f"domain:{d.key}", 1))
            if d.district is not None:
                out.append(
                    Figure(
                        d.district.administrations,
                        None,
                        None,
                        f"domain:{d.key}",
                        d.district.estimate.n,
                    )
                )
            for item in d.items:
                quantity = f"item:{item.key}"
                out.append(Figure(admins, None, waves, quantity, item.overall.answered))
                for key, fig in item.by_cell.items():
                    if fig is not None:
                        out.append(Figure(admins, cell_roles[key], waves, quantity, fig.answered))
                if item.self_value is not None:
                    out.append(Figure(admins, frozenset({SELF}), None, quantity, 1))
        if self.district is not None:
            for key, dfig in self.district.items.items():
                out.append(Figure(dfig.administrations, None, None, f"item:{key}", dfig.estimate.n))
        if self.comments:
            out.append(Figure(admins, None, None, "comments", self.n))
        return out


def suppressed_message(k: int) -> str:
    return f"Not shown: fewer than {k} answers in this group protects anonymity."


# --- the rules ------------------------------------------------------------------------------------


def live_waves(count: int, k: int) -> int | None:
    """How many waves of k non-self responses a live report may show, given `count` of them:
    None below 2k, else W - 1 with W = count // k (rule 5)."""
    if k < 1 or count < 2 * k:
        return None
    return count // k - 1


def _role_order(role: str) -> tuple[int, str]:
    order = list(ROLE_LABELS)
    return (order.index(role) if role in order else len(order), role)


def role_cells(spec: Instrument, role_counts: Mapping[str, int]) -> tuple[Cell, ...]:
    """Rule 2: the non-self respondents' cells by role; empty when there is no breakdown."""
    k = spec.k
    counts = {r: c for r, c in role_counts.items() if r != SELF and c > 0}
    big = sorted((r for r, c in counts.items() if c >= k), key=_role_order)
    merged = [r for r in counts if r not in big]
    merged_n = sum(counts[r] for r in merged)
    while 0 < merged_n < k and big:
        smallest = min(big, key=lambda r: (counts[r], _role_order(r)))
        big.remove(smallest)
        merged.append(smallest)
        merged_n += counts[smallest]
    cells = [Cell(r, spec.role_label(r), frozenset({r}), counts[r]) for r in big]
    if merged_n:
        # named after every role not shown apart (present or not), so the label reveals nothing
        others = {r for r in spec.roles if r != SELF and r not in big} | set(merged)
        names = ", ".join(spec.role_label(r) for r in sorted(others, key=_role_order))
        cells.append(Cell("other", f"Other roles ({names})", frozenset(others), merged_n))
    if len(cells) < 2:
        return ()
    return tuple(cells)


def _ok(n: int, k: int) -> bool:
    return n == 0 or n >= k


_LAST = 1 << 60


def _atoms_ok(
    members: Iterable[tuple[str, int | None]],
    breaks: Sequence[int],
    cells: Sequence[frozenset[str]] | None,
    k: int,
) -> bool:
    """Whether figures over every cell and over every prefix "waves < b" (b in `breaks`) of
    one quantity, seen together, isolate nobody: each atom (cell x segment between breaks) of
    the respondents contributing to it holds 0 or at least k of them. Any sum or difference of
    such figures is a union of atoms."""
    atoms: dict[tuple[int, int], int] = defaultdict(int)
    ordered = sorted(breaks)
    for role, wave in members:
        segment = bisect.bisect_right(ordered, _LAST if wave is None else wave)
        cell = 0
        if cells:
            cell = next((i for i, c in enumerate(cells) if role in c), -1)
        atoms[(cell, segment)] += 1
    return all(count >= k for count in atoms.values())


def _live_ok(members: Sequence[tuple[str, int | None]], waves: int, k: int) -> bool:
    """Whether a live view of waves < `waves` may show a quantity these respondents contribute
    to: at least k of them, and each wave (k responses) holds 0 or at least k of them, so that
    live views of different waves never differ by fewer than k."""
    per_wave: dict[int, int] = defaultdict(int)
    for _role, wave in members:
        if wave is not None and wave < waves:
            per_wave[wave] += 1
    return sum(per_wave.values()) >= k and all(c >= k for c in per_wave.values())


def _item_figure(
    spec: Instrument, item: ItemSpec, dist: Mapping[int | None, int]
) -> ItemFigure | None:
    scored = {v: c for v, c in dist.items() if v is not None and c}
    if not scored:
        return None
    scale = spec.scale(item.scale)
    points = [Point(p.value, p.label, dist.get(p.value, 0)) for p in scale.points]
    # values off the scale (an instrument version changed its points) still count
    on_scale = {p.value for p in scale.points}
    points += [Point(v, str(v), c) for v, c in sorted(scored.items()) if v not in on_scale]
    if scale.not_applicable is not None or dist.get(None):
        points.append(Point(None, scale.not_applicable or "Not applicable", dist.get(None, 0)))
    summary = stats.summarize_counts({float(v): c for v, c in scored.items()})
    return ItemFigure(Estimate.of(summary), sum(dist.values()), tuple(points))


def domain_range(spec: Instrument, domain: DomainSpec) -> tuple[int, int]:
    scale = spec.scale(domain.items[0].scale)
    return scale.low, scale.high


def _means(rows: Iterable[tuple[str, Mapping[str, Sequence[int]]]], domain: str) -> list[float]:
    out = []
    for _role, domains in rows:
        triple = domains.get(domain)
        if triple and triple[1] > 0:
            out.append(triple[0] / triple[1])
    return out


@dataclass
class _Grouped:
    """ReportData regrouped: item -> role -> value -> count (and complete-only)."""

    items: dict[str, dict[str, dict[int | None, int]]]
    complete: dict[str, dict[str, dict[int, int]]]

    @classmethod
    def of(cls, counts: Iterable[tuple[str, str, int | None, bool, int]]) -> _Grouped:
        items: dict[str, dict[str, dict[int | None, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int))
        )
        complete: dict[str, dict[str, dict[int, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int))
        )
        for role, item, value, is_complete, count in counts:
            items[item][role][value] += count
            if is_complete and value is not None:
                complete[item][role][value] += count
        return cls(items, complete)

    def dist(self, item: str, roles: Iterable[str]) -> dict[int | None, int]:
        out: dict[int | None, int] = defaultdict(int)
        by_role = self.items.get(item, {})
        for role in roles:
            for value, count in by_role.get(role, {}).items():
                out[value] += count
        return out


def _alpha(
    spec: Instrument,
    domain: DomainSpec,
    grouped: _Grouped,
    others: Sequence[tuple[str, Mapping[str, Sequence[int]]]],
    role_counts: Mapping[str, int],
) -> tuple[float | None, int, frozenset[str] | None]:
    """Cronbach's alpha of a domain over the complete cases of the roles asked all its items.
    The items' variances come from the complete answers' counts, the totals' variance from the
    respondents' domain sums. Published only over at least k complete cases, and when the roles
    asked all items leave out nobody or at least k respondents."""
    k = spec.k
    keys = [i.key for i in domain.items]
    if len(keys) < 2:
        return None, 0, None
    present = [r for r, c in role_counts.items() if c > 0]
    full = [r for r in present if {i.key for i in spec.items_for(r)} >= set(keys)]
    left_out = sum(role_counts[r] for r in present if r not in full)
    if not full or not _ok(left_out, k):
        return None, 0, None
    totals = [
        float(t[0])
        for role, domains in others
        if role in full
        for t in [domains.get(domain.key)]
        if t and t[1] == len(keys) and t[2] == len(keys)
    ]
    if len(totals) < k or len(totals) < 2:
        return None, 0, None
    item_vars = []
    for key in keys:
        dist: dict[float, int] = defaultdict(int)
        for role in full:
            for value, count in grouped.complete.get(key, {}).get(role, {}).items():
                dist[float(value)] += count
        if sum(dist.values()) != len(totals):
            return None, 0, None  # inconsistent data: better no alpha than a wrong one
        item_vars.append(stats.variance_counts(dist))
    alpha = stats.alpha_from_variances(item_vars, stats.variance(totals))
    if alpha is None:
        return None, 0, None
    roles = None if left_out == 0 else frozenset(full)
    return alpha, len(totals), roles


def compute(
    spec: Instrument,
    data: ReportData,
    *,
    live_waves: int | None = None,
    district: DistrictComparison | None = None,
    is_open: bool = False,
    live_possible: bool = True,
) -> Report:
    """The report of one administration (pure). `live_waves` given: a live report of the
    responses with wave < live_waves (the data should hold only those; others are ignored).
    `is_open` without `live_waves`: the administration is open and too small for live results
    (or does not show them). `live_possible` False: the administration never showed live
    results (`Administration.live_results` off), so no live view limits the final report."""
    k = spec.k
    live = live_waves is not None
    shown_waves = live_waves if live_waves is not None else 0
    waved: list[tuple[str, int | None, Mapping[str, Sequence[int]]]]
    if live:
        waved = [
            (role, wave, domains)
            for role, wave, domains in data.responses
            if role != SELF and wave is not None and wave < shown_waves
        ]
        selfs: list[tuple[str, Mapping[str, Sequence[int]]]] = []
    else:
        waved = [(role, wave, domains) for role, wave, domains in data.responses if role != SELF]
        selfs = [(role, domains) for role, _w, domains in data.responses if role == SELF]
    rows = [(role, domains) for role, _w, domains in waved]
    n = len(rows)
    if (is_open and not live) or n < k:
        return Report(
            administration_id=data.administration_id,
            spec=spec,
            invited=data.invited,
            state="waiting" if is_open else "not-enough",
            answered=None,
            n=None,
            live_waves=None,
            cells=(),
            domains=(),
            live_possible=live_possible,
        )

    counts = [c for c in data.counts if c[0] != SELF] if live else list(data.counts)
    grouped = _Grouped.of(counts)
    role_counts: dict[str, int] = defaultdict(int)
    for role, _d in rows:
        role_counts[role] += 1
    cells = () if live else role_cells(spec, role_counts)
    # the live views this administration could have shown (rule 5): their wave boundaries
    every_break = [] if live or not live_possible else list(range(1, n // k))
    cell_sets = [c.roles or frozenset() for c in cells]
    if cells and not _atoms_ok([(r, w) for r, w, _d in waved], every_break, cell_sets, k):
        # a cell minus a live view would isolate fewer than k: cell sizes are not published
        cells = tuple(Cell(c.key, c.label, c.roles, None) for c in cells)
    cell_roles = {c.key: sorted(c.roles or ()) for c in cells}
    all_roles = sorted(role_counts)
    self_answers: dict[str, int | None] = {}
    if selfs:
        for _role, item_key, value, _complete, _count in grouped_self(counts):
            self_answers[item_key] = value

    domains: list[DomainResult] = []
    for domain in spec.domains:
        low, high = domain_range(spec, domain)
        overall_values = _means(rows, domain.key)
        members = [
            (role, wave)
            for role, wave, ds in waved
            if (t := ds.get(domain.key)) is not None and t[1] > 0
        ]
        if live:
            breaks: list[int] = [shown_waves] if _live_ok(members, shown_waves, k) else []
            publishable = bool(breaks)
        else:
            breaks = [w for w in every_break if _live_ok(members, w, k)]
            publishable = _atoms_ok(members, breaks, None, k)
        overall = (
            Estimate.of(stats.summarize(overall_values))
            if len(overall_values) >= k and publishable
            else None
        )
        by_cell: dict[str, Estimate | None] = {}
        if overall is not None and cells and _atoms_ok(members, breaks, cell_sets, k):
            per_cell = {
                c.key: _means([r for r in rows if r[0] in (c.roles or ())], domain.key)
                for c in cells
            }
            if all(_ok(len(v), k) for v in per_cell.values()):
                by_cell = {
                    key: Estimate.of(stats.summarize(v)) if v else None
                    for key, v in per_cell.items()
                }
        items: list[ItemResult] = []
        hidden: list[HiddenItem] = []
        for item in [] if live else domain.items:
            dist = grouped.dist(item.key, all_roles)
            scored = sum(c for v, c in dist.items() if v is not None)
            fig = _item_figure(spec, item, dist) if scored >= k else None
            if fig is None:
                hidden.append(HiddenItem(item.key, item.text))
                continue
            item_cells: dict[str, ItemFigure | None] = {}
            if cells:
                dists = {key: grouped.dist(item.key, roles) for key, roles in cell_roles.items()}
                if all(
                    _ok(sum(c for v, c in d.items() if v is not None), k)
                    and _ok(sum(d.values()), k)
                    for d in dists.values()
                ):
                    item_cells = {key: _item_figure(spec, item, d) for key, d in dists.items()}
            self_value = self_answers.get(item.key) if selfs else None
            items.append(ItemResult(item.key, item.text, domain.key, fig, item_cells, self_value))
        if live or overall is None:
            alpha, alpha_n, alpha_roles = None, 0, None
        else:
            alpha, alpha_n, alpha_roles = _alpha(spec, domain, grouped, rows, role_counts)
        self_mean = None
        if selfs:
            means = _means(selfs[:1], domain.key)
            self_mean = means[0] if means else None
        domains.append(
            DomainResult(
                key=domain.key,
                title=domain.title,
                description=domain.description,
                low=low,
                high=high,
                overall=overall,
                by_cell=by_cell,
                alpha=alpha,
                alpha_n=alpha_n,
                alpha_roles=alpha_roles,
                items=tuple(items),
                hidden=tuple(hidden),
                self_value=self_mean,
                district=_district_domain(district, domain.key, overall),
            )
        )

    strengths, targets, below = _highlights(spec, domains)
    comments: tuple[CommentGroup, ...] = ()
    withheld = False
    if not live and spec.questions:
        if n >= spec.comment_k:
            comments = _comment_groups(spec, data.comments)
        else:
            withheld = True
    return Report(
        administration_id=data.administration_id,
        spec=spec,
        invited=data.invited,
        state="live" if live else "final",
        answered=None if live else n + len(selfs),
        n=n,
        live_waves=live_waves,
        cells=cells,
        domains=tuple(domains),
        strengths=strengths,
        targets=targets,
        below_target=below,
        self_vs_others=_self_vs_others(domains) if selfs else (),
        comments=comments,
        comments_withheld=withheld,
        district=district,
        self_count=len(selfs),
        live_possible=live_possible,
    )


def grouped_self(
    counts: Iterable[tuple[str, str, int | None, bool, int]],
) -> Iterable[tuple[str, str, int | None, bool, int]]:
    return (c for c in counts if c[0] == SELF)


def _district_domain(
    district: DistrictComparison | None, key: str, overall: Estimate | None
) -> DistrictFigure | None:
    if district is None or overall is None:
        return None
    return district.domains.get(key)


def _highlights(
    spec: Instrument, domains: Sequence[DomainResult]
) -> tuple[tuple[Highlight, ...], tuple[Highlight, ...], tuple[Highlight, ...]]:
    """Strengths: the `highlight` highest domains and items by mean among those shown; target
    areas: the `highlight` lowest of the rest (so none is both); below target: every item whose
    mean is below `target_below` (clearly below: its whole interval is)."""
    h = spec.highlight
    shown_domains = [
        Highlight("domain", d.key, d.title, d.overall.mean, d.overall.low, d.overall.high)
        for d in domains
        if d.overall is not None
    ]
    shown_items = [
        Highlight(
            "item",
            i.key,
            i.text,
            i.overall.estimate.mean,
            i.overall.estimate.low,
            i.overall.estimate.high,
        )
        for d in domains
        for i in d.items
    ]

    def split(group: list[Highlight]) -> tuple[list[Highlight], list[Highlight]]:
        ordered = sorted(group, key=lambda x: (-x.mean, x.key))
        top = ordered[: min(h, len(ordered) // 2)]
        rest = [x for x in ordered if x not in top]
        bottom = sorted(rest, key=lambda x: (x.mean, x.key))[: min(h, len(ordered) // 2)]
        return top, bottom

    top_d, bottom_d = split(shown_domains)
    top_i, bottom_i = split(shown_items)
    below: list[Highlight] = []
    if spec.target_below is not None:
        t = spec.target_below
        below = [
            Highlight(
                x.kind, x.key, x.title, x.mean, x.low, x.high, x.high is not None and x.high < t
            )
            for x in sorted(shown_items, key=lambda x: (x.mean, x.key))
            if x.mean < t
        ]
    return tuple(top_d + top_i), tuple(bottom_d + bottom_i), tuple(below)


def _self_vs_others(domains: Sequence[DomainResult]) -> tuple[SelfVsOthers, ...]:
    out: list[SelfVsOthers] = []
    for d in domains:
        if d.overall is not None and d.self_value is not None:
            out.append(SelfVsOthers("domain", d.key, d.title, d.self_value, d.overall))
    for d in domains:
        for i in d.items:
            if i.self_value is not None:
                out.append(
                    SelfVsOthers("item", i.key, i.text, float(i.self_value), i.overall.estimate)
                )
    return tuple(out)


def comment_order(text: str) -> str:
    """Comments are shown in the order of a hash of their text: unrelated to submission."""
    return hashlib.sha256(text.encode()).hexdigest()


def _comment_groups(
    spec: Instrument, comments: Sequence[tuple[str, str]]
) -> tuple[CommentGroup, ...]:
    by_question: dict[str, list[str]] = defaultdict(list)
    for key, text in comments:
        if text.strip():
            by_question[key].append(text)
    return tuple(
        CommentGroup(q.key, q.prompt, tuple(sorted(by_question[q.key], key=comment_order)))
        for q in spec.questions
        if by_question.get(q.key)
    )


# --- district ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moments:
    """A group of respondent domain means, summed: count, sum and sum of squares. The district
    figures pool schools' moments (the database wrapper computes them in SQL)."""

    n: int
    total: float
    squares: float

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.squares + other.squares)

    @classmethod
    def of(cls, values: Sequence[float]) -> Moments:
        return cls(len(values), math.fsum(values), math.fsum(v * v for v in values))

    def estimate(self) -> Estimate:
        mean = self.total / self.n
        if self.n < 2:
            return Estimate(mean, None, None, None, self.n)
        var = max(0.0, (self.squares - self.n * mean * mean) / (self.n - 1))
        sd = math.sqrt(var)
        half = stats.t975(self.n - 1) * sd / math.sqrt(self.n)
        return Estimate(mean, mean - half, mean + half, sd, self.n)


@dataclass(frozen=True)
class SchoolMoments:
    """One school's (administration's) non-self respondents: how many, and per domain the
    moments of their domain means (over respondents with a scored answer)."""

    invited: int
    respondents: int
    domains: Mapping[str, Moments]


def moments_of(data: ReportData) -> SchoolMoments:
    rows = [(role, domains) for role, _w, domains in data.responses if role != SELF]
    keys = {key for _r, domains in rows for key in domains}
    return SchoolMoments(
        invited=data.invited,
        respondents=len(rows),
        domains={key: Moments.of(_means(rows, key)) for key in sorted(keys)},
    )


@dataclass(frozen=True)
class SchoolRow:
    """One school's line in a district report: its own figures, or "not shown"."""

    administration_id: int
    invited: int
    #: non-self respondents; None: not shown (fewer than k), never the number
    answered: int | None
    domains: Mapping[str, Estimate | None]
    name: str = ""

    @property
    def shown(self) -> bool:
        return self.answered is not None

    @property
    def response_rate(self) -> float | None:
        if self.answered is None or not self.invited:
            return None
        return self.answered / self.invited


@dataclass(frozen=True)
class DistrictReport:
    spec: Instrument
    schools: tuple[SchoolRow, ...]
    #: the district's mean per domain over the schools showing it
    domains: Mapping[str, DistrictFigure]

    @property
    def shown_count(self) -> int:
        return sum(1 for s in self.schools if s.shown)

    def sorted_by(self, domain: str | None, descending: bool = True) -> list[SchoolRow]:
        """Schools by a domain's score (not shown last), or by name."""
        if domain is None:
            return sorted(self.schools, key=lambda s: (s.name, s.administration_id))

        def key(s: SchoolRow) -> tuple[int, float, str]:
            est = s.domains.get(domain)
            if est is None:
                return (1, 0.0, s.name)
            return (0, -est.mean if descending else est.mean, s.name)

        return sorted(self.schools, key=key)

    def comparison(self) -> DistrictComparison:
        """These schools' figures as the comparison beside one school's report."""
        return DistrictComparison(domains=self.domains, items={}, schools=self.shown_count)

    def figures(self) -> list[Figure]:
        out: list[Figure] = []
        for s in self.schools:
            if s.answered is None:
                continue
            admins = (s.administration_id,)
            out.append(Figure(admins, None, None, "count", s.answered))
            for key, est in s.domains.items():
                if est is not None:
                    out.append(Figure(admins, None, None, f"domain:{key}", est.n))
        for key, fig in self.domains.items():
            out.append(Figure(fig.administrations, None, None, f"domain:{key}", fig.estimate.n))
        return out


def district_from_moments(
    spec: Instrument,
    schools: Mapping[int, SchoolMoments],
    *,
    names: Mapping[int, str] | None = None,
    k_of: Mapping[int, int] | None = None,
    withheld: Mapping[int, Iterable[str]] | None = None,
) -> DistrictReport:
    """Rule 7: each school's domain scores where its own report shows them (at least k
    respondents, and at least k in the domain), and the district's mean over those only.
    `withheld`: domains a school's own report does not show for another reason (its live views,
    rule 5), which the district must not show either."""
    rows: list[SchoolRow] = []
    pooled: dict[str, list[tuple[int, Moments]]] = defaultdict(list)
    for admin_id, school in schools.items():
        k = max(spec.k, (k_of or {}).get(admin_id, spec.k))
        name = (names or {}).get(admin_id, "")
        if school.respondents < k:
            rows.append(SchoolRow(admin_id, school.invited, None, {}, name))
            continue
        shown: dict[str, Estimate | None] = {}
        kept_back = set((withheld or {}).get(admin_id, ()))
        for domain in spec.domains:
            m = school.domains.get(domain.key)
            if m is not None and m.n >= k and domain.key not in kept_back:
                shown[domain.key] = m.estimate()
                pooled[domain.key].append((admin_id, m))
            else:
                shown[domain.key] = None
        rows.append(SchoolRow(admin_id, school.invited, school.respondents, shown, name))
    figures: dict[str, DistrictFigure] = {}
    for domain in spec.domains:
        parts = pooled.get(domain.key)
        if parts:
            total = parts[0][1]
            for _a, m in parts[1:]:
                total = total + m
            figures[domain.key] = DistrictFigure(
                total.estimate(), len(parts), tuple(sorted(a for a, _m in parts))
            )
    return DistrictReport(spec=spec, schools=tuple(rows), domains=figures)


def compute_district(spec: Instrument, schools: Mapping[int, ReportData]) -> DistrictReport:
    """Each school's (closed administration's) domain scores, or "not shown" below k, and the
    district's mean over the schools showing each figure (rule 7). Never by role. A domain a
    school's own report withholds is withheld here too."""
    withheld = {
        a: [d.key for d in compute(spec, data).domains if d.overall is None]
        for a, data in schools.items()
    }
    return district_from_moments(
        spec, {a: moments_of(d) for a, d in schools.items()}, withheld=withheld
    )


# --- growth ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrowthRow:
    kind: Literal["domain", "item"]
    key: str
    title: str
    before: Estimate
    after: Estimate
    change: stats.Change


@dataclass(frozen=True)
class Growth:
    before_id: int
    after_id: int
    domains: tuple[GrowthRow, ...]
    items: tuple[GrowthRow, ...]


def growth_between(before: Report, after: Report) -> Growth:
    """Rule 8: the change per domain and item where both final reports show the figure."""
    rows_d: list[GrowthRow] = []
    rows_i: list[GrowthRow] = []
    if before.state == "final" and after.state == "final":
        old = {d.key: d for d in before.domains}
        for d in after.domains:
            prev = old.get(d.key)
            if prev is not None and prev.overall is not None and d.overall is not None:
                rows_d.append(_growth_row("domain", d.key, d.title, prev.overall, d.overall))
        old_items = {i.key: i for d in before.domains for i in d.items}
        for d in after.domains:
            for i in d.items:
                prev_item = old_items.get(i.key)
                if prev_item is not None:
                    rows_i.append(
                        _growth_row(
                            "item",
                            i.key,
                            i.text,
                            prev_item.overall.estimate,
                            i.overall.estimate,
                        )
                    )
    return Growth(before.administration_id, after.administration_id, tuple(rows_d), tuple(rows_i))


def _growth_row(
    kind: Literal["domain", "item"], key: str, title: str, before: Estimate, after: Estimate
) -> GrowthRow:
    return GrowthRow(
        kind, key, title, before, after, stats.change(before.summary(), after.summary())
    )


def growth(before: Report, after: Report) -> Growth:
    """The contract's name for `growth_between`."""
    return growth_between(before, after)


# --- database wrappers ----------------------------------------------------------------------------
#
# A constant number of queries whatever the data size: one over Response rows, one GROUP BY over
# Answer, comments only when publishable, and two for the district comparison (the other schools'
# latest closed administrations, then one grouped aggregate of their respondents' domain means).

#: how many administrations back a growth chart goes
SERIES_LIMIT = 12


# --- Closed administrations never change: their reports and moments are kept per process -------

_MEMO: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
MEMO_LIMIT = 4096


def kept[T](key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """`make()`, kept under `key` in the per-process memo of closed administrations."""
    return _memo(key, make)


def kept_already(key: tuple[Any, ...]) -> Any | None:
    """What `kept` holds under `key`, or None (to read many missing entries in one query)."""
    return _MEMO.get(key)


def _memo[T](key: tuple[Any, ...], make: Callable[[], T]) -> T:
    """A small per-process LRU for results of closed administrations. Keys carry what would
    change the result (responses, closing, the version), so a stale entry is never found."""
    try:
        value: T = _MEMO[key]
    except KeyError:
        value = make()
        _MEMO[key] = value
        if len(_MEMO) > MEMO_LIMIT:
            _MEMO.popitem(last=False)
        return value
    _MEMO.move_to_end(key)
    return value


def forget() -> None:
    """Drop every kept report (tests; after restoring a backup)."""
    _MEMO.clear()


def _domain_moments_sql(
    admin_ids: Sequence[int], domain_keys: Sequence[str]
) -> dict[int, SchoolMoments]:
    """Per administration: non-self respondents, and per domain the count, sum and sum of
    squares of respondent means (sum / count of scored answers), in one grouped query."""
    from django.db.models import Case, Count, F, FloatField, Q, Sum, When
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast

    from coachloop.surveys.models import Response

    if not admin_ids:
        return {}
    aggregates: dict[str, Any] = {"respondents": Count("id")}
    for i in range(len(domain_keys)):
        mean = Case(When(Q(**{f"m{i}c__gt": 0}), then=F(f"m{i}s") / F(f"m{i}c")), default=None)
        aggregates[f"d{i}n"] = Count("id", filter=Q(**{f"m{i}c__gt": 0}))
        aggregates[f"d{i}s"] = Sum(mean)
        aggregates[f"d{i}q"] = Sum(mean * mean)
    annotations: dict[str, Any] = {}
    for i, key in enumerate(domain_keys):
        annotations[f"m{i}s"] = Cast(KT(f"domains__{key}__0"), FloatField())
        annotations[f"m{i}c"] = Cast(KT(f"domains__{key}__1"), FloatField())
    rows = (
        Response.objects.filter(administration_id__in=admin_ids)
        .exclude(role=SELF)
        .annotate(**annotations)
        .values("administration_id")
        .annotate(**aggregates)
        .order_by()
    )
    out: dict[int, SchoolMoments] = {}
    for typed in rows:
        row: dict[str, Any] = dict(typed)
        domains = {}
        for i, key in enumerate(domain_keys):
            n = row[f"d{i}n"] or 0
            if n:
                domains[key] = Moments(n, float(row[f"d{i}s"]), float(row[f"d{i}q"]))
        out[row["administration_id"]] = SchoolMoments(0, row["respondents"], domains)
    return out


def _latest_closed(
    instrument_id: int, path: str, exclude_org: int | None = None
) -> list[dict[str, Any]]:
    """The latest closed school-wide administration of the instrument per school under `path`."""
    from coachloop.organisations.models import OrganisationKind
    from coachloop.surveys.models import Administration

    query = Administration.objects.filter(
        version__instrument_id=instrument_id,
        subject__isnull=True,
        closed_at__isnull=False,
        organisation__path__startswith=path,
        organisation__kind=OrganisationKind.SCHOOL,
    )
    if exclude_org is not None:
        query = query.exclude(organisation_id=exclude_org)
    rows = query.order_by("organisation_id", "-closed_at", "-id").values_list(
        "id", "organisation_id", "organisation__name", "invited_count", "version_id", "live_results"
    )
    latest: dict[int, dict[str, Any]] = {}
    for pk, org, name, invited, version, live in rows:
        if org not in latest:
            latest[org] = {
                "id": pk,
                "organisation_id": org,
                "organisation__name": name,
                "invited_count": invited,
                "k": _version_k(version),
                "live_results": live,
            }
    return list(latest.values())


def _version_k(version_id: int) -> int:
    """A version's k (versions never change: read once per process)."""
    from coachloop.surveys.models import InstrumentVersion

    return _memo(("k", version_id), lambda: InstrumentVersion.objects.get(pk=version_id).spec.k)


def _k_of(row: Mapping[str, Any]) -> int:
    return int(row.get("k") or 5)


def _closed_moments(
    admin_ids: Sequence[int], domain_keys: Sequence[str]
) -> dict[int, SchoolMoments]:
    """`_domain_moments_sql` for closed administrations, kept per process: only those not seen
    before are read."""
    keys = tuple(domain_keys)
    out: dict[int, SchoolMoments] = {}
    missing = []
    for pk in admin_ids:
        hit = _MEMO.get(("moments", pk, keys))
        if hit is None:
            missing.append(pk)
        else:
            out[pk] = hit
    if missing:
        fresh = _domain_moments_sql(missing, keys)
        for pk in missing:
            value = fresh.get(pk, SchoolMoments(0, 0, {}))
            _MEMO[("moments", pk, keys)] = value
            out[pk] = value
        while len(_MEMO) > MEMO_LIMIT:
            _MEMO.popitem(last=False)
    return out


def district_of(spec: Instrument, admins: Sequence[Mapping[str, Any]]) -> DistrictReport:
    """The district figures of closed administrations of one version (rows with id,
    organisation_id, organisation__name, invited_count, k, live_results), from their
    respondents' domain moments: what each one's own report shows, and nothing under k."""
    read = _closed_moments([a["id"] for a in admins], [d.key for d in spec.domains])
    moments = {pk: m for pk, m in read.items() if m.respondents}
    schools = {
        a["id"]: SchoolMoments(
            a["invited_count"],
            moments[a["id"]].respondents if a["id"] in moments else 0,
            moments[a["id"]].domains if a["id"] in moments else {},
        )
        for a in admins
    }
    # A school that showed live results withholds some domains in its own report (rule 5); the
    # district withholds them too. Without live results a domain shows from k respondents.
    withheld = {a["id"]: _withheld_domains(a["id"]) for a in admins if a.get("live_results")}
    return district_from_moments(
        spec,
        schools,
        names={a["id"]: a["organisation__name"] for a in admins},
        k_of={a["id"]: _k_of(a) for a in admins},
        withheld=withheld,
    )


def _withheld_domains(administration_id: int) -> list[str]:
    """The domains a closed administration's own report does not show (kept per process)."""
    from coachloop.surveys.models import Administration as Admin

    def make() -> list[str]:
        adm = Admin.objects.select_related("version", "organisation").get(pk=administration_id)
        return [d.key for d in school_report(adm, compare=False).domains if d.overall is None]

    return _memo(("withheld", administration_id), make)


def report_data(administration: Administration, *, waves: int | None = None) -> ReportData:
    """The grouped rows of one administration (live: only waves < `waves`, and no self)."""
    from django.db.models import Count

    from coachloop.surveys.models import Answer

    answers = Answer.objects.filter(administration_id=administration.pk)
    if waves is not None:
        answers = answers.filter(response__wave__lt=waves).exclude(role=SELF)
    counts = [
        (r["role"], r["item"], r["value"], r["complete"], r["n"])
        for r in answers.values("role", "item", "value", "complete")
        .annotate(n=Count("*"))
        .order_by()
    ]
    return ReportData(administration.pk, administration.invited_count, counts, ())


def school_report(administration: Administration, *, compare: bool = True) -> Report:
    """The report of one administration, as every page, export and API call shows it."""
    from coachloop.surveys.models import Comment, Response

    spec = administration.spec
    k = spec.k
    responses = list(
        Response.objects.filter(administration_id=administration.pk).values_list(
            "role", "wave", "domains"
        )
    )
    others = sum(1 for role, _w, _d in responses if role != SELF)
    empty = ReportData(administration.pk, administration.invited_count, (), responses)
    if not administration.is_closed:
        waves = live_waves(others, k) if administration.live_results else None
        if waves is None:
            return compute(spec, empty, is_open=True, live_possible=administration.live_results)
        grouped = report_data(administration, waves=waves)
        data = ReportData(
            administration.pk,
            administration.invited_count,
            grouped.counts,
            [r for r in responses if r[0] != SELF and r[1] is not None and r[1] < waves],
        )
        district, _key = _comparison(administration, spec)
        return compute(spec, data, live_waves=waves, district=district)
    if others < k:
        return compute(spec, empty, live_possible=administration.live_results)

    def make() -> Report:
        grouped = report_data(administration)
        comments: list[tuple[str, str]] = []
        if spec.questions and others >= spec.comment_k:
            comments = list(
                Comment.objects.filter(administration_id=administration.pk).values_list(
                    "question", "text"
                )
            )
        data = ReportData(
            administration.pk, administration.invited_count, grouped.counts, responses, comments
        )
        return compute(spec, data, live_possible=administration.live_results)

    # A closed administration's answers never change: its report is computed once per process
    # (the key holds everything that could change it), and the district comparison, which
    # changes as other schools close, is attached afresh.
    key = (
        "report",
        administration.pk,
        administration.closed_at,
        administration.version_id,
        administration.live_results,
        administration.invited_count,
        len(responses),
    )
    report = _memo(key, make)
    if not compare:
        return replace(report, memo_key=key)
    district, district_key = _comparison(administration, spec)
    if district is None:
        return replace(report, memo_key=key)

    def compared() -> Report:
        return replace(
            report,
            district=district,
            domains=tuple(
                replace(d, district=_district_domain(district, d.key, d.overall))
                for d in report.domains
            ),
            memo_key=(*key, district_key),
        )

    return _memo((*key, district_key), compared)


def _comparison(
    administration: Administration, spec: Instrument
) -> tuple[DistrictComparison | None, tuple[Any, ...] | None]:
    """The other schools under the same district (the school's parent), for a school-wide
    survey; None for a 360 or a school without a parent. With the key it is kept under."""
    if administration.subject_id is not None:
        return None, None
    org = administration.organisation
    parent_path = org.path.rsplit("/", 2)[0] + "/" if org.parent_id else ""
    if not parent_path or parent_path == "/":
        return None, None
    admins = _latest_closed(administration.version.instrument_id, parent_path, org.pk)
    if not admins:
        return None, None

    def make() -> DistrictComparison | None:
        district = district_of(spec, admins)
        return district.comparison() if district.domains else None

    # the same schools' same closed administrations always compare the same
    key = (
        "comparison",
        administration.version_id,
        tuple((a["id"], a["invited_count"]) for a in admins),
    )
    return _memo(key, make), key


def district_report(organisation: Organisation, instrument: models.Instrument) -> DistrictReport:
    """Each school under the organisation with its latest closed administration of the
    instrument: response rate and domain scores, or "not shown"; the district's mean."""
    if instrument.current is None:
        raise ValueError("the instrument has no version")
    spec = instrument.current.spec
    admins = _latest_closed(instrument.pk, organisation.path)
    return district_of(spec, admins)


@dataclass(frozen=True)
class SeriesPoint:
    administration_id: int
    title: str
    closed_at: Any
    #: per domain: the score, or None when not shown
    domains: Mapping[str, Estimate | None]


def growth_series(administration: Administration) -> list[SeriesPoint]:
    """The chain of `previous` administrations (oldest first, closed ones only, up to
    SERIES_LIMIT) with each one's domain scores where its own report shows them: two queries."""
    from coachloop.surveys.models import Administration as Admin

    spec = administration.spec
    chain_rows: dict[int, dict[str, Any]] = {
        r["id"]: dict(r)
        for r in Admin.objects.filter(
            organisation_id=administration.organisation_id,
            version__instrument_id=administration.version.instrument_id,
            subject_id=administration.subject_id,
        ).values("id", "previous_id", "title", "closed_at", "invited_count", "version__definition")
    }
    chain: list[dict[str, Any]] = []
    current: int | None = administration.pk
    while current is not None and current in chain_rows and len(chain) < SERIES_LIMIT:
        row = chain_rows[current]
        if row in chain:
            break
        chain.append(row)
        current = row["previous_id"]
    chain = [r for r in reversed(chain) if r["closed_at"] is not None]
    moments = _domain_moments_sql([r["id"] for r in chain], [d.key for d in spec.domains])
    points: list[SeriesPoint] = []
    for row in chain:
        k = max(spec.k, _k_of(row))
        m = moments.get(row["id"])
        shown = m is not None and m.respondents >= k
        domains: dict[str, Estimate | None] = {}
        for d in spec.domains:
            dm = m.domains.get(d.key) if m is not None else None
            domains[d.key] = dm.estimate() if shown and dm is not None and dm.n >= k else None
        points.append(SeriesPoint(row["id"], row["title"], row["closed_at"], domains))
    return points


def growth_for(administration: Administration) -> Growth | None:
    """The change since the previous administration (rule 8); None without a previous one."""
    previous = administration.previous
    if previous is None:
        return None
    return growth_between(
        school_report(previous, compare=False), school_report(administration, compare=False)
    )


# --- serialization: what pages, exports and the API show, from the Report only --------------------

TABLE_HEADER = (
    "Section",
    "Domain",
    "Item",
    "Group",
    "Mean",
    "95% low",
    "95% high",
    "Respondents",
    "Alpha",
    "Note",
)


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def _est(e: Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"mean": _r(e.mean), "low": _r(e.low), "high": _r(e.high), "n": e.n}


def table(report: Report) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The report as one table (CSV and XLSX exports): exactly what the page shows; suppressed
    figures as empty cells with a note, never their n."""
    rows: list[list[Any]] = []
    hidden = suppressed_message(report.k)
    rows.append(["State", "", "", "", None, None, None, report.n, None, report.message])
    if report.response_rate is not None:
        rows.append(
            [
                "Response rate",
                "",
                "",
                "All",
                _r(report.response_rate),
                None,
                None,
                report.answered,
                None,
                f"{report.answered} of {report.invited} invited",
            ]
        )
    labels = {c.key: c.label for c in report.cells}

    def line(section: str, domain: str, item: str, group: str, e: Estimate | None) -> list[Any]:
        if e is None:
            return [section, domain, item, group, None, None, None, None, None, hidden]
        return [section, domain, item, group, _r(e.mean), _r(e.low), _r(e.high), e.n, None, ""]

    for d in report.domains:
        row = line("Domain", d.title, "", "All", d.overall)
        row[8] = _r(d.alpha)
        rows.append(row)
        for key, est in d.by_cell.items():
            rows.append(line("Domain", d.title, "", labels[key], est))
        if d.self_value is not None:
            rows.append(["Domain", d.title, "", "Self", _r(d.self_value)] + [None] * 4 + [""])
        if d.district is not None:
            rows.append(line("Domain", d.title, "", "District", d.district.estimate))
        for i in d.items:
            dist = "; ".join(f"{p.label}: {p.count}" for p in i.overall.distribution)
            row = line("Item", d.title, i.text, "All", i.overall.estimate)
            row[9] = dist
            rows.append(row)
            for key, fig in i.by_cell.items():
                rows.append(
                    line("Item", d.title, i.text, labels[key], fig.estimate if fig else None)
                )
            if i.self_value is not None:
                rows.append(["Item", d.title, i.text, "Self", i.self_value] + [None] * 4 + [""])
        for h in d.hidden:
            rows.append(["Item", d.title, h.text, "All"] + [None] * 5 + ["Not enough answers"])
    for name, group in (
        ("Strength", report.strengths),
        ("Target area", report.targets),
        ("Below target", report.below_target),
    ):
        for x in group:
            note = "Whole interval below the target" if x.clearly_below else ""
            rows.append(
                [name, "", x.title, "All", _r(x.mean), _r(x.low), _r(x.high), None, None, note]
            )
    for c in report.comments:
        for text in c.texts:
            rows.append(["Comment", "", c.prompt, "All"] + [None] * 5 + [text])
    if report.comments_withheld:
        rows.append(
            ["Comment", "", "", "All"]
            + [None] * 5
            + [f"Comments are shown for groups of at least {report.spec.comment_k}."]
        )
    return TABLE_HEADER, rows


def as_dict(report: Report) -> dict[str, Any]:
    """The report for the API: the same figures as the page; suppressed ones are null."""
    labels = {c.key: c.label for c in report.cells}
    return {
        "administration_id": report.administration_id,
        "instrument": report.spec.key,
        "state": report.state,
        "message": report.message,
        "k": report.k,
        "invited": report.invited,
        "answered": report.answered,
        "response_rate": _r(report.response_rate),
        "respondents": report.n,
        "cells": [{"key": c.key, "label": c.label, "n": c.n} for c in report.cells],
        "domains": [
            {
                "key": d.key,
                "title": d.title,
                "scale": [d.low, d.high],
                "all": _est(d.overall),
                "by_cell": {labels[k]: _est(e) for k, e in d.by_cell.items()},
                "alpha": _r(d.alpha),
                "self": _r(d.self_value),
                "district": _est(d.district.estimate) if d.district else None,
                "items": [
                    {
                        "key": i.key,
                        "text": i.text,
                        "all": _est(i.overall.estimate),
                        "answered": i.overall.answered,
                        "distribution": [
                            {"value": p.value, "label": p.label, "count": p.count}
                            for p in i.overall.distribution
                        ],
                        "by_cell": {
                            labels[k]: _est(f.estimate if f else None) for k, f in i.by_cell.items()
                        },
                        "self": i.self_value,
                    }
                    for i in d.items
                ],
                "not_enough_answers": [h.key for h in d.hidden],
            }
            for d in report.domains
        ],
        "strengths": [_highlight(h) for h in report.strengths],
        "targets": [_highlight(h) for h in report.targets],
        "below_target": [_highlight(h) for h in report.below_target],
        "self_vs_others": [
            {
                "kind": s.kind,
                "key": s.key,
                "self": _r(s.self_value),
                "others": _est(s.others),
                "gap": _r(s.gap),
            }
            for s in report.self_vs_others
        ],
        "comments": [
            {"question": c.key, "prompt": c.prompt, "texts": list(c.texts)} for c in report.comments
        ],
        "district_schools": report.district.schools if report.district else None,
    }


def _highlight(h: Highlight) -> dict[str, Any]:
    return {
        "kind": h.kind,
        "key": h.key,
        "title": h.title,
        "mean": _r(h.mean),
        "low": _r(h.low),
        "high": _r(h.high),
        "clearly_below": h.clearly_below,
    }


def growth_dict(result: Growth | None, series: Sequence[SeriesPoint]) -> dict[str, Any]:
    def row(r: GrowthRow) -> dict[str, Any]:
        return {
            "key": r.key,
            "title": r.title,
            "before": _est(r.before),
            "after": _est(r.after),
            "change": _r(r.change.diff),
            "low": _r(r.change.low),
            "high": _r(r.change.high),
            "effect_size": _r(r.change.d),
        }

    return {
        "before_id": result.before_id if result else None,
        "after_id": result.after_id if result else None,
        "domains": [row(r) for r in result.domains] if result else [],
        "items": [row(r) for r in result.items] if result else [],
        "series": [
            {
                "administration_id": p.administration_id,
                "title": p.title,
                "closed_at": p.closed_at.isoformat() if p.closed_at else None,
                "domains": {k: _est(e) for k, e in p.domains.items()},
            }
            for p in series
        ],
    }


def district_dict(report: DistrictReport) -> dict[str, Any]:
    return {
        "instrument": report.spec.key,
        "schools": [
            {
                "administration_id": s.administration_id,
                "school": s.name,
                "shown": s.shown,
                "invited": s.invited,
                "answered": s.answered,
                "response_rate": _r(s.response_rate),
                "domains": {k: _est(e) for k, e in s.domains.items()},
            }
            for s in report.schools
        ],
        "district": {
            k: {**(_est(f.estimate) or {}), "schools": f.schools} for k, f in report.domains.items()
        },
    }
