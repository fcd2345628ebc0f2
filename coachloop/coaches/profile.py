"""Practice-profile assessments (seed 003): the coach's self-assessment and the lead coach's
assessment from an observed coaching conversation, side by side over time; the growth plan.

An assessment is a `RubricScore` on the coach's coach-development engagement, on the rubric its
playbook names in `coach_development.profile`, with `about` (the coach rated), `perspective`
("self" or "lead") and `observed_on`. Ratings reuse the rubric service's checks; the growth plan
is the engagement's Plan and its ActionSteps (nothing new is stored for it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps import selectors as step_selectors
from coachloop.coaches.selectors import Rating, profile_latest
from coachloop.engagements.models import (
    Engagement,
    EngagementStatus,
    ParticipantRole,
)
from coachloop.engagements.services import (
    default_visibility,
    people_in,
    record_event,
    require_active,
)
from coachloop.lib.errors import DomainError
from coachloop.plans.models import Plan
from coachloop.playbooks.schema import RubricSpec
from coachloop.rubrics.models import CriterionRating, Perspective, RubricScore
from coachloop.rubrics.services import clean_ratings
from coachloop.surveys.charts import WIDTH, Tick

SELF_SUBJECT = "Self-assessment"

# --- Rules ----------------------------------------------------------------------------------------


def profile_rubric(engagement: Engagement) -> RubricSpec:
    """The practice profile of a coach-development engagement; 404 for any other engagement."""
    spec = engagement.spec
    key = spec.coach_development.profile if spec and spec.coach_development else None
    if spec is None or not key:
        raise DomainError(_("This engagement has no practice profile."), status=404)
    return spec.rubric(key)


def coach_of(engagement: Engagement) -> User:
    """The coach whose practice the engagement develops: its coachee."""
    coachees = people_in(engagement, (ParticipantRole.COACHEE,))
    if not coachees:
        raise DomainError(_("This engagement has no coach to rate yet."), status=409)
    return coachees[0]


def perspective_of(actor: User, engagement: Engagement) -> str | None:
    """Which assessment the actor writes here: the coachee rates themself, the engagement's
    coach (the lead coach) rates from observation; anyone else none."""
    roles = policy.participant_roles(actor, engagement)
    if ParticipantRole.COACH in roles:
        return Perspective.LEAD
    if ParticipantRole.COACHEE in roles:
        return Perspective.SELF
    return None


def not_a_rater(coach: User) -> str:
    """Why someone who is neither the coach nor their lead coach cannot rate here."""
    return _("Only %(coach)s and %(coach)s's lead coach rate on the practice profile.") % {
        "coach": coach
    }


def _require_rater(actor: User, engagement: Engagement, perspective: str, coach: User) -> None:
    roles = policy.participant_roles(actor, engagement)
    if perspective == Perspective.LEAD and ParticipantRole.COACH not in roles:
        raise DomainError(
            _("Only %(coach)s's lead coach rates %(coach)s from observation.") % {"coach": coach},
            status=403,
        )
    if perspective == Perspective.SELF and (
        ParticipantRole.COACHEE not in roles or actor.pk != coach.pk
    ):
        raise DomainError(
            _("Only %(coach)s writes %(coach)s's self-assessment.") % {"coach": coach},
            status=403,
        )


@transaction.atomic
def assess(
    *,
    actor: User,
    engagement: Engagement,
    perspective: str,
    ratings: dict[str, dict[str, Any]],
    observed_on: dt.date | None = None,
    subject: str = "",
    summary: str = "",
) -> RubricScore:
    """Rate the engagement's coach on the practice profile: `self` by the coach, `lead` by the
    engagement's coach from an observed coaching conversation (date, what was observed, evidence
    for every function and a summary required). 404 when the actor cannot see the engagement,
    403 for anyone not entitled to this perspective, 422 with one message per wrong input."""
    if not policy.allowed(actor, Action.VIEW, engagement):
        raise DomainError(_("Not found."), status=404)
    rubric = profile_rubric(engagement)
    if perspective not in Perspective.values:
        raise DomainError(
            _("Choose a self-assessment or a lead coach's assessment."),
            field="perspective",
            status=422,
        )
    coach = coach_of(engagement)
    _require_rater(actor, engagement, perspective, coach)
    require_active(engagement)
    lead = perspective == Perspective.LEAD
    errors: dict[str, str] = {}
    rows: list[CriterionRating] = []
    try:
        rows = clean_ratings(rubric, ratings)
    except DomainError as err:
        errors.update(err.errors)
    if lead:
        for criterion in rubric.criteria:
            given = ratings.get(criterion.key) or {}
            if not str(given.get("evidence") or "").strip():
                missing = _("“%s”: write the evidence you observed for this function.") % (
                    criterion.title
                )
                before = errors.get(criterion.key)
                errors[criterion.key] = f"{before} {missing}" if before else missing
    today = timezone.localdate()
    if observed_on is None and lead:
        errors["observed_on"] = _("Give the day of the coaching conversation you observed.")
    elif observed_on is not None and observed_on > today:
        errors["observed_on"] = _("The day observed cannot be in the future.")
    subject = subject.strip()
    if lead and not subject:
        errors["subject"] = _(
            "Say what you observed, for example: coaching conversation with a Grade 4 teacher."
        )
    elif len(subject) > 200:
        errors["subject"] = _("Keep what was observed under 200 characters.")
    summary = summary.strip()
    if lead and not summary:
        errors["summary"] = _("Write a summary of the observation for the coach.")
    if errors:
        on_functions = any(c.key in errors for c in rubric.criteria)
        message = _("Some ratings need attention.") if on_functions else next(iter(errors.values()))
        raise DomainError(message, errors=errors, status=422)
    score = RubricScore.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        rubric_key=rubric.key,
        rubric=rubric.model_dump(mode="json"),
        subject=subject or SELF_SUBJECT,
        author=actor,
        visibility=default_visibility(engagement, "profile"),
        feedback=summary,
        about=coach,
        perspective=perspective,
        observed_on=observed_on or today,
    )
    for row in rows:
        row.score = score
    CriterionRating.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="profile.assess",
        target=score,
        data={"perspective": perspective, "coach": coach.pk, "visibility": score.visibility},
    )
    kind = "profile_lead" if lead else "profile_self"
    record_event(engagement, kind, actor=actor, ref=rubric.key, first_only=True)
    return score


# --- Reads ----------------------------------------------------------------------------------------


def development_engagements(viewer: User, coach: User) -> QuerySet[Engagement]:
    """The coach-development engagements developing `coach` that the viewer may know of,
    the active ones first."""
    active_first = Case(
        When(status=EngagementStatus.ACTIVE, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        policy.visible(viewer, Engagement)
        .filter(policy.DEVELOPMENT)
        .filter(participants__user=coach, participants__role=ParticipantRole.COACHEE)
        .distinct()
        .select_related("playbook_version", "programme")
        .annotate(active_first=active_first)
        .order_by("active_first", "-starts_on", "-id")
    )


def assessments_of(viewer: User, coach: User) -> QuerySet[RubricScore]:
    """The coach's practice-profile assessments the viewer may read, oldest first."""
    return (
        policy.visible(viewer, RubricScore)
        .filter(about=coach, perspective__in=Perspective.values)
        .select_related("author", "engagement", "about")
        .prefetch_related("ratings")
        .order_by("observed_on", "created_at", "id")
    )


@dataclass(frozen=True)
class Column:
    """One assessment in the history: a column of the tables, a point of the charts."""

    score: RubricScore
    on: dt.date
    perspective: str
    levels: dict[str, int]

    @property
    def is_self(self) -> bool:
        return self.perspective == Perspective.SELF

    @property
    def url(self) -> str:
        return reverse("profile_assessment", args=[self.score.pk])


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    level: int

    @property
    def corner(self) -> tuple[float, float]:
        """The top-left corner of a square marker (lead coach) centred on the dot."""
        return round(self.x - 5, 1), round(self.y - 5, 1)


@dataclass(frozen=True)
class ChartLine:
    label: str
    css: str
    lead: bool
    points: str  # SVG polyline points
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class Chart:
    """Levels over time for one function (style of surveys.charts, classes in reports.css)."""

    width: int
    height: int
    lines: tuple[ChartLine, ...]
    x_labels: tuple[Tick, ...]
    y_ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class Cell:
    level: int | None
    label: str


@dataclass
class FunctionHistory:
    key: str
    title: str
    latest_self: Rating | None
    latest_lead: Rating | None
    #: per column: the self row's cell and the lead row's cell
    self_cells: list[Cell] = field(default_factory=list)
    lead_cells: list[Cell] = field(default_factory=list)
    chart: Chart | None = None

    @property
    def gap(self) -> int | None:
        """Lead minus self, on the latest of each."""
        if self.latest_self is None or self.latest_lead is None:
            return None
        return self.latest_lead.level - self.latest_self.level

    @property
    def gap_text(self) -> str:
        return gap_text(self.gap)


def gap_text(gap: int | None) -> str:
    """The gap, lead minus self, as text: "+1", "0", "-2" ("" when either is missing)."""
    if gap is None:
        return ""
    return f"+{gap}" if gap > 0 else str(gap)


@dataclass
class ProfileHistory:
    coach: User
    columns: list[Column]
    functions: list[FunctionHistory]
    levels: list[dict[str, Any]]
    title: str

    @property
    def empty(self) -> bool:
        return not self.columns


def _criteria_and_levels(
    scores: Sequence[RubricScore], fallback: RubricSpec | None
) -> tuple[str, list[tuple[str, str]], list[dict[str, Any]]]:
    """The functions to show, in the order of the newest rubric copy (then any only older
    assessments rated), and its levels."""
    rubrics = [s.rubric for s in reversed(scores)]
    if fallback is not None:
        rubrics.append(fallback.model_dump(mode="json"))
    criteria: list[tuple[str, str]] = []
    for rubric in rubrics:
        for c in rubric.get("criteria", []):
            if c["key"] not in {k for k, _t in criteria}:
                criteria.append((c["key"], c["title"]))
    newest = rubrics[0] if rubrics else {}
    return newest.get("title", ""), criteria, list(newest.get("levels", []))


def _chart(columns: Sequence[Column], key: str, low: int, high: int) -> Chart:
    """Levels over time for one function: a line for the self-assessments, one for the lead
    coach's; x is the assessment's position in time, so both share the axis."""
    height = 200
    top, bottom, left, right = 16, 36, 60, 50  # room for the first and last date
    step = (WIDTH - left - right) / max(len(columns) - 1, 1)

    def y(v: float) -> float:
        return round(top + (high - v) / (high - low or 1) * (height - top - bottom), 1)

    lines = []
    for perspective, label, css in (
        (Perspective.SELF, _("Self-assessment"), "series-0"),
        (Perspective.LEAD, _("Lead coach, from observation"), "series-1"),
    ):
        dots = tuple(
            Dot(round(left + j * step, 1), y(c.levels[key]), c.levels[key])
            for j, c in enumerate(columns)
            if c.perspective == perspective and key in c.levels
        )
        points = " ".join(f"{d.x},{d.y}" for d in dots)
        lines.append(ChartLine(label, css, perspective == Perspective.LEAD, points, dots))
    labels = tuple(
        Tick(round(left + j * step, 1), c.on.strftime("%d %b %Y").lstrip("0"))
        for j, c in enumerate(columns)
    )
    y_ticks = tuple((y(v), str(v)) for v in range(low, high + 1))
    return Chart(WIDTH, height, tuple(lines), labels, y_ticks)


def history(viewer: User, coach: User) -> ProfileHistory:
    """Every assessment of the coach the viewer may read, by date, with per function the
    latest self and lead level (and the gap), a row per perspective and a chart. The caller
    checks that the viewer follows the coach (policy Action.FOLLOW_COACH)."""
    scores = list(assessments_of(viewer, coach))
    columns = [
        Column(
            s,
            s.observed_on or s.created_at.date(),
            s.perspective,
            {r.criterion_key: r.level for r in s.ratings.all()},
        )
        for s in scores
    ]
    fallback = None
    if not scores:
        engagement = development_engagements(viewer, coach).first()
        if engagement is not None:
            try:
                fallback = profile_rubric(engagement)
            except DomainError:
                fallback = None
    title, criteria, levels = _criteria_and_levels(scores, fallback)
    labels = {lv["score"]: lv["label"] for lv in levels}
    low = min(labels, default=1)
    high = max(labels, default=4)
    latest = _latest_of(columns)
    functions = []
    for key, criterion_title in criteria:
        row = FunctionHistory(
            key, criterion_title, latest.get((key, "self")), latest.get((key, "lead"))
        )
        for c in columns:
            level = c.levels.get(key)
            cell = Cell(level, labels.get(level, str(level)) if level is not None else "")
            empty = Cell(None, "")
            row.self_cells.append(cell if c.is_self else empty)
            row.lead_cells.append(empty if c.is_self else cell)
        if columns:
            row.chart = _chart(columns, key, low, high)
        functions.append(row)
    return ProfileHistory(coach, columns, functions, levels, title)


def _latest_of(columns: Sequence[Column]) -> dict[tuple[str, str], Rating]:
    """Per (function, perspective), the rating of the newest assessment (by the day observed,
    then by when it was written): the same choice as selectors.profile_latest."""
    out: dict[tuple[str, str], Rating] = {}
    for c in columns:  # oldest first: later ones overwrite
        labels = {lv["score"]: lv["label"] for lv in c.score.rubric.get("levels", [])}
        for key, level in c.levels.items():
            out[(key, c.perspective)] = Rating(
                level, labels.get(level, str(level)), c.on, c.score.pk
            )
    return out


# --- Sections of the coach's development page -----------------------------------------------------


def profile_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's practice-profile section: latest self and lead rating per
    function, with their dates, and the link to the full profile."""
    latest = profile_latest(viewer, [coach.pk]).get(coach.pk, {})
    engagement = development_engagements(viewer, coach).first()
    rubric = None
    if engagement is not None:
        try:
            rubric = profile_rubric(engagement)
        except DomainError:
            rubric = None
    criteria = [(c.key, c.title) for c in rubric.criteria] if rubric else []
    for key in latest:
        if key not in {k for k, _t in criteria}:
            criteria.append((key, key))
    rows = []
    for key, title in criteria:
        mine = latest.get(key, {})
        own, lead = mine.get(Perspective.SELF), mine.get(Perspective.LEAD)
        gap = lead.level - own.level if own and lead else None
        rows.append(
            {
                "key": key,
                "title": title,
                "self": own,
                "lead": lead,
                "gap": gap,
                "gap_text": gap_text(gap),
            }
        )
    return {
        "coach": coach,
        "rows": rows,
        "has_ratings": bool(latest),
        "url": reverse("coach_profile", args=[coach.pk]),
        "engagement": engagement,
        "perspective": perspective_of(viewer, engagement) if engagement else None,
    }


def growth_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's growth-plan section: per development engagement (the
    active one first), the lead coach, the growth plan's current goals as far as the viewer
    may read the plan, and the coach's action steps the viewer may read."""
    items = []
    for engagement in development_engagements(viewer, coach):
        spec = engagement.spec
        plan = policy.visible(viewer, Plan).filter(engagement=engagement).first()
        version = plan.versions.filter(number=plan.number).first() if plan else None
        steps = list(
            step_selectors.action_steps(user=viewer, engagement=engagement).filter(coachee=coach)
        )
        items.append(
            {
                "engagement": engagement,
                "leads": people_in(engagement, (ParticipantRole.COACH,)),
                "plan_name": spec.plan.name if spec and spec.plan else _("Growth plan"),
                "plan": plan,
                "can_open_plan": plan is not None
                or bool(policy.participant_roles(viewer, engagement)),
                "goals": version.goals if version else [],
                "action_steps": steps,
                "is_active": engagement.status == EngagementStatus.ACTIVE,
            }
        )
    return {"coach": coach, "engagements": items}
