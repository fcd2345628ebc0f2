"""Scoring on a rubric: every criterion rated on one of the rubric's levels, with evidence, and
written feedback. Used for performance scoring and portfolio review, and by later playbooks."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.engagements.services import (
    check_visibility,
    default_visibility,
    record_event,
    require_active,
)
from coachloop.lib.errors import DomainError
from coachloop.playbooks.schema import RubricSpec
from coachloop.rubrics.models import CriterionRating, RubricScore


def rubric_for(engagement: Engagement, key: str) -> RubricSpec:
    spec = engagement.spec
    rubric = next((r for r in spec.rubrics if r.key == key), None) if spec else None
    if rubric is None:
        raise DomainError(_("This engagement's playbook has no such rubric."), status=404)
    return rubric


def clean_ratings(rubric: RubricSpec, ratings: dict[str, dict[str, Any]]) -> list[CriterionRating]:
    scores = {level.score for level in rubric.levels}
    errors: dict[str, str] = {}
    rows = []
    for key in ratings:
        if key not in {c.key for c in rubric.criteria}:
            errors[key] = _("The rubric has no criterion “%s”.") % key
    for criterion in rubric.criteria:
        given = ratings.get(criterion.key) or {}
        raw = given.get("level")
        try:
            level = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            level = -1
        if level is None:
            errors[criterion.key] = _("Choose a level for “%s”.") % criterion.title
            continue
        if level not in scores:
            errors[criterion.key] = _("“%(criterion)s”: choose one of the levels %(levels)s.") % {
                "criterion": criterion.title,
                "levels": ", ".join(str(s) for s in sorted(scores)),
            }
            continue
        rows.append(
            CriterionRating(
                criterion_key=criterion.key,
                criterion=criterion.title,
                level=level,
                evidence=str(given.get("evidence") or "").strip(),
                comment=str(given.get("comment") or "").strip(),
            )
        )
    if errors:
        raise DomainError(_("Some ratings need attention."), errors=errors, status=422)
    return rows


@transaction.atomic
def score_create(
    *,
    actor: User,
    engagement: Engagement,
    rubric_key: str,
    subject: str,
    ratings: dict[str, dict[str, Any]],
    feedback: str,
    visibility: str | None = None,
    complete_steps: bool = True,
) -> RubricScore:
    policy.require(actor, Action.COACH, engagement)
    require_active(engagement)
    rubric = rubric_for(engagement, rubric_key)
    rows = clean_ratings(rubric, ratings)
    if not feedback.strip():
        raise DomainError(_("Write the feedback that goes with the scores."), field="feedback")
    if not subject.strip():
        raise DomainError(_("Say what was scored."), field="subject")
    score = RubricScore.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        rubric_key=rubric_key,
        rubric=rubric.model_dump(mode="json"),
        subject=subject.strip()[:200],
        author=actor,
        visibility=check_visibility(visibility, default_visibility(engagement, "score")),
        feedback=feedback.strip(),
    )
    for row in rows:
        row.score = score
    CriterionRating.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="score.create",
        target=score,
        data={"rubric": rubric_key, "visibility": score.visibility},
    )
    if complete_steps:
        record_event(engagement, "score", actor=actor, ref=rubric_key)
    return score
