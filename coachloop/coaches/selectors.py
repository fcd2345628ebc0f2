"""What the coach overview and a coach's development page read, in batches: a fixed number of
queries whatever the number of coaches (bench/: the overview of 150 coaches)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F

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
    viewer may read the assessments (policy: scores at their visibility). Per function and
    perspective, the newest assessment that rated it wins: the latest day observed, then the
    latest written. Two queries, whatever the number of coaches."""
    visible = policy.visible(viewer, RubricScore).filter(
        about_id__in=coach_ids, perspective__in=Perspective.values
    )
    rows = (
        CriterionRating.objects.filter(score__in=visible)
        .order_by(
            "score__about_id",
            "criterion_key",
            "score__perspective",
            F("score__observed_on").desc(nulls_last=True),
            "-score__created_at",
            "-score_id",
        )
        .values_list(
            "score__about_id",
            "criterion_key",
            "score__perspective",
            "level",
            "score__observed_on",
            "score__created_at",
            "score_id",
        )
    )
    chosen: dict[tuple[int, str, str], tuple[int, dt.date, int]] = {}
    for about, key, perspective, level, observed, created, score_id in rows:
        if (about, key, perspective) not in chosen:
            chosen[(about, key, perspective)] = (level, observed or created.date(), score_id)
    # the level labels of the chosen assessments' rubric copies (the levels only, not the copy)
    levels = RubricScore.objects.filter(pk__in={c[2] for c in chosen.values()}).values_list(
        "id", "rubric__levels"
    )
    labels = {pk: {lv["score"]: lv["label"] for lv in found or []} for pk, found in levels}
    out: Latest = defaultdict(lambda: defaultdict(dict))
    for (about, key, perspective), (level, on, score_id) in chosen.items():
        label = labels.get(score_id, {}).get(level, str(level))
        out[about][key][perspective] = Rating(level, label, on, score_id)
    return {coach: dict(by_key) for coach, by_key in out.items()}
