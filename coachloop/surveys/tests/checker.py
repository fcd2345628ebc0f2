"""An independent anonymity checker (issue 6, DESIGN.md invariant 2), written apart from
surveys.engine: given who responded and every figure a viewer can see together, it solves for
what the figures reveal, instead of re-applying the engine's rules.

The model. Every published figure is a linear aggregate over a set of respondents: a count, a sum
and a distribution (counts per answer value) of one quantity ("item:<key>", "domain:<key>",
"alpha:<key>", "count", "comments"). Figures of one quantity can be added and subtracted; figures
of different quantities aggregate different values and cannot. So, per quantity, a group T of
respondents is revealed when some linear combination of the figures' indicator vectors is
non-zero and zero outside T: then that combination is an aggregate of T alone. Such a vector lies
in the row space of the matrix M (figures x respondents) and vanishes outside T exactly when
rank(M) > rank(M without T's columns). Respondents that every figure treats alike (same
membership in every set, an "atom") are indistinguishable, so T runs over unions of atoms; only
unions of 1..k-1 respondents matter. Ranks are computed exactly, with fractions.

Which respondents a figure aggregates ("contributes"):

- count, comments: every respondent of the cell;
- item:<key>: those of the cell who answered the item ("not applicable" included: the item's
  distribution counts it, so the figure aggregates them too);
- domain:<key>: those with at least one scored answer in the domain;
- alpha:<key>: those who answered every item of the domain that their role was asked.

The cell: the figure's administrations; its roles (None: every non-self respondent); its waves
(live views: only responses with wave < waves). The subject's own answers in a 360 (role "self")
are known by design: figures over "self" are exempt from k and self respondents are never
unknowns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

SELF = "self"


class FigureLike(Protocol):
    """What the checker reads of a published figure (surveys.engine.Figure, or the tests' own)."""

    @property
    def administrations(self) -> tuple[int, ...]: ...
    @property
    def roles(self) -> frozenset[str] | None: ...
    @property
    def waves(self) -> int | None: ...
    @property
    def quantity(self) -> str: ...
    @property
    def n(self) -> int: ...


@dataclass(frozen=True)
class Fig:
    """A figure written by hand, for the checker's own tests."""

    administrations: tuple[int, ...]
    roles: frozenset[str] | None
    waves: int | None
    quantity: str
    n: int


@dataclass(frozen=True)
class Respondent:
    id: int
    administration: int
    role: str
    wave: int | None = None
    school: int | None = None
    #: {item key: value, or None for "not applicable"}; items not answered are left out.
    #: None: every item answered (hand-written tests)
    answers: Mapping[str, int | None] | None = None
    #: {domain key: (sum, scored answers, items asked)}; a missing domain: none asked
    domains: Mapping[str, Sequence[int]] = field(default_factory=dict)

    @property
    def is_self(self) -> bool:
        return self.role == SELF

    def contributes(self, quantity: str) -> bool:
        kind, _sep, key = quantity.partition(":")
        if kind in ("count", "comments"):
            return True
        if kind == "item":
            return self.answers is None or key in self.answers
        if kind in ("domain", "alpha"):
            if self.answers is None and not self.domains:
                return True
            totals = self.domains.get(key)
            if not totals:
                return False
            if kind == "domain":
                return totals[1] >= 1
            return totals[1] >= 1 and totals[1] == totals[2]
        raise ValueError(f"the checker does not know the quantity {quantity!r}")


@dataclass(frozen=True)
class Leak:
    """One way the figures break anonymity."""

    kind: str  # "isolated", "below-k", "comments-below-comment-k", "mislabelled"
    quantity: str
    respondents: frozenset[int]
    message: str

    def __str__(self) -> str:
        return self.message


def members(universe: Iterable[Respondent], figure: FigureLike) -> frozenset[int]:
    """The respondents a figure aggregates (by the rules in the module docstring)."""
    administrations = set(figure.administrations)
    selected = set()
    for r in universe:
        if r.administration not in administrations:
            continue
        if figure.roles is None:
            if r.is_self:
                continue
        elif r.role not in figure.roles:
            continue
        if figure.waves is not None and (r.wave is None or r.wave >= figure.waves):
            continue
        if r.contributes(figure.quantity):
            selected.add(r.id)
    return frozenset(selected)


def is_self_figure(figure: FigureLike) -> bool:
    return figure.roles is not None and figure.roles == frozenset({SELF})


def rank(rows: Sequence[Sequence[int]]) -> int:
    """The rank of an integer matrix, by exact Gaussian elimination over the rationals."""
    matrix = [[Fraction(v) for v in row] for row in rows if any(row)]
    if not matrix:
        return 0
    width = len(matrix[0])
    r = 0
    for col in range(width):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col] / lead
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        r += 1
        if r == len(matrix):
            break
    return r


def certificate(sets: Sequence[frozenset[int]], group: frozenset[int]) -> list[Fraction] | None:
    """Coefficients, one per set, whose combination of the sets' indicator vectors is non-zero
    and zero outside `group` (the proof that the figures isolate it), or None."""
    everyone = sorted(set().union(*sets)) if sets else []
    outside = [r for r in everyone if r not in group]
    inside = [r for r in everyone if r in group]
    width = len(sets)
    rows = [
        [Fraction(int(r in s)) for r in outside]
        + [Fraction(int(r in s)) for r in inside]
        + [Fraction(int(i == j)) for j in range(width)]
        for i, s in enumerate(sets)
    ]
    pivot_row = 0
    for col in range(len(outside)):
        pivot = next((i for i in range(pivot_row, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        for i in range(len(rows)):
            if i != pivot_row and rows[i][col] != 0:
                factor = rows[i][col] / rows[pivot_row][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[pivot_row], strict=True)]
        pivot_row += 1
    for row in rows[pivot_row:]:
        if any(row[len(outside) : len(everyone)]):
            return row[len(everyone) :]
    return None


def isolated_groups(sets: Sequence[frozenset[int]], k: int) -> list[frozenset[int]]:
    """The minimal groups of 1..k-1 respondents that some combination of the sets' indicator
    vectors isolates (non-zero, and zero outside the group)."""
    everyone = sorted(set().union(*sets)) if sets else []
    signature: dict[int, tuple[bool, ...]] = {r: tuple(r in s for s in sets) for r in everyone}
    atoms_by_signature: dict[tuple[bool, ...], list[int]] = defaultdict(list)
    for r, sig in signature.items():
        atoms_by_signature[sig].append(r)
    atoms = [frozenset(group) for group in atoms_by_signature.values()]
    sigs = list(atoms_by_signature)
    matrix = [[int(sig[row]) for sig in sigs] for row in range(len(sets))]
    full = rank(matrix)
    small = sorted(
        (i for i, atom in enumerate(atoms) if len(atom) < k), key=lambda i: len(atoms[i])
    )

    found: list[frozenset[int]] = []
    found_atoms: list[frozenset[int]] = []

    def revealed(chosen: frozenset[int]) -> bool:
        outside = [[row[j] for j in range(len(sigs)) if j not in chosen] for row in matrix]
        return rank(outside) < full

    def grow(start: int, chosen: frozenset[int], size: int) -> None:
        for pos in range(start, len(small)):
            atom = small[pos]
            total = size + len(atoms[atom])
            if total >= k:
                continue
            candidate = chosen | {atom}
            if any(done <= candidate for done in found_atoms):
                continue
            if revealed(candidate):
                found_atoms.append(candidate)
                found.append(frozenset().union(*(atoms[i] for i in candidate)))
                continue
            grow(pos + 1, candidate, total)

    grow(0, frozenset(), 0)
    return found


def check(
    universe: Sequence[Respondent],
    figures: Iterable[FigureLike],
    *,
    k: int,
    comment_k: int | None = None,
) -> list[Leak]:
    """Every way the figures, seen together, break anonymity; empty when they are safe."""
    leaks: list[Leak] = []
    known = frozenset(r.id for r in universe if r.is_self)
    by_quantity: dict[str, list[frozenset[int]]] = defaultdict(list)
    labels: dict[str, list[str]] = defaultdict(list)
    for figure in figures:
        selected = members(universe, figure)
        where = (
            f"{figure.quantity} over administrations {figure.administrations}, "
            f"roles {sorted(figure.roles) if figure.roles is not None else 'all'}, "
            f"waves {figure.waves}"
        )
        if figure.n != len(selected):
            leaks.append(
                Leak(
                    "mislabelled",
                    figure.quantity,
                    selected,
                    f"{where}: claims n={figure.n} but aggregates {len(selected)} respondents",
                )
            )
        if is_self_figure(figure):
            continue
        # the subject's own answers are known to the subject by design: never unknowns
        unknown = selected - known
        # a figure over nobody reveals nothing about anyone (an item nobody in a cell scored)
        if 0 < len(unknown) < k:
            leaks.append(
                Leak("below-k", figure.quantity, unknown, f"{where}: n={figure.n} below k={k}")
            )
        if figure.quantity == "comments" and comment_k is not None and 0 < len(unknown) < comment_k:
            leaks.append(
                Leak(
                    "comments-below-comment-k",
                    figure.quantity,
                    unknown,
                    f"{where}: comments from {len(selected)} respondents, "
                    f"below comment_k={comment_k}",
                )
            )
        by_quantity[figure.quantity].append(unknown)
        cell = "all" if figure.roles is None else "+".join(sorted(figure.roles))
        live = "" if figure.waves is None else f", waves<{figure.waves}"
        labels[figure.quantity].append(
            f"[adm {','.join(map(str, figure.administrations))} {cell}{live} n={figure.n}]"
        )

    for quantity, sets in sorted(by_quantity.items()):
        for group in isolated_groups(sets, k):
            coefficients = certificate(sets, group) or []
            how = " ".join(
                f"{'+' if c > 0 else '-'} {abs(c)} x {labels[quantity][i]}"
                for i, c in enumerate(coefficients)
                if c
            )
            leaks.append(
                Leak(
                    "isolated",
                    quantity,
                    group,
                    f"{quantity}: the figures together isolate {len(group)} respondent(s) "
                    f"{sorted(group)} (k={k}): {how}",
                )
            )
    return leaks


def assert_safe(
    universe: Sequence[Respondent],
    figures: Iterable[FigureLike],
    *,
    k: int,
    comment_k: int | None = None,
) -> None:
    figures = list(figures)
    leaks = check(universe, figures, k=k, comment_k=comment_k)
    if leaks:
        shown = "\n".join(f"  - {leak}" for leak in leaks[:20])
        listed = "\n".join(f"  {f}" for f in figures[:80])
        raise AssertionError(f"{len(leaks)} anonymity leak(s):\n{shown}\nfigures:\n{listed}")
