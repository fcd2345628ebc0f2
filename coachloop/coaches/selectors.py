"""What the coach overview and a coach's development page read, in batches: a fixed number of
queries whatever the number of coaches (bench/: the overview of 150 coaches)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.rubrics.models import CriterionRating, Perspective, RubricScore


@dataclass(frozen=True)
class Rating:
    level: int
    label: str
    on: dt.date
    score_id: int


#: {coach id: {criterion key: {perspective: Rating}}}
Latest = dict[int, dict[str, dict[str, Rating]]]


def profile_latest(viewer: User, coach_ids: Sequence[int]) -> Latest:
    """Each coach's latest self and lead rating per practice-profile function, as far as the
    viewer may read the assessments (policy: scores at their visibility)."""
    scores = (
        policy.visible(viewer, RubricScore)
        .filter(about_id__in=coach_ids, perspective__in=Perspective.values)
        .order_by("about_id", "perspective", "-created_at", "-id")
        .values_list("id", "about_id", "perspective", "created_at", "observed_on", "rubric")
    )
    chosen: dict[int, tuple[int, str, dt.date, dict[int, str]]] = {}
    seen: set[tuple[int, str]] = set()
    for pk, about, perspective, created, observed, rubric in scores:
        if (about, perspective) in seen:
            continue
        seen.add((about, perspective))
        labels = {lv["score"]: lv["label"] for lv in rubric.get("levels", [])}
        chosen[pk] = (about, perspective, observed or created.date(), labels)
    out: Latest = defaultdict(lambda: defaultdict(dict))
    rows = CriterionRating.objects.filter(score_id__in=list(chosen)).values_list(
        "score_id", "criterion_key", "level"
    )
    for score_id, key, level in rows:
        about, perspective, on, labels = chosen[score_id]
        out[about][key][perspective] = Rating(level, labels.get(level, str(level)), on, score_id)
    return {coach: dict(by_key) for coach, by_key in out.items()}
