"""How one respondent's answers become stored rows. Shared by the respondent's submission
(surveys.services) and the demo generator, so both store exactly the same shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coachloop.surveys.schema import Instrument


@dataclass(frozen=True)
class Scored:
    #: {domain key: [sum, count of scored answers, items of the domain asked of this role]}
    domains: dict[str, list[int]]
    #: (item key, value or None for "not applicable", domain answered completely)
    answers: list[tuple[str, int | None, bool]]


def score(spec: Instrument, role: str, values: Mapping[str, int | None]) -> Scored:
    """`values` holds the role's answered items (None: not applicable); items left out are not
    stored at all. Values must already be checked against the items' scales."""
    domains: dict[str, list[int]] = {}
    rows: list[tuple[str, int | None, bool]] = []
    asked = {item.key for item in spec.items_for(role)}
    for domain in spec.domains:
        keys = [item.key for item in domain.items if item.key in asked]
        if not keys:
            continue
        scored = [values[k] for k in keys if values.get(k) is not None]
        complete = len(scored) == len(keys)
        domains[domain.key] = [sum(v for v in scored if v is not None), len(scored), len(keys)]
        rows.extend((k, values[k], complete) for k in keys if k in values)
    return Scored(domains=domains, answers=rows)
