"""Practice-profile assessments (seed 003). The same services, selectors and policy as the pages:
an assessment is a rubric score about a coach, at the playbook's `profile` visibility; what the
caller may not read answers 404; rating as someone who is not the coach (self) or the coach's
lead coach (lead) answers 403; a wrong rating 422 with one error per function
(`ratings.<function>`)."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.coaches import profile
from coachloop.lib.errors import DomainError
from coachloop.rubrics.models import Perspective, RubricScore

router = Router(tags=["profiles"])


# --- Shapes ---------------------------------------------------------------------------------------


class ProfileRatingIn(Schema):
    level: int | None = None
    evidence: str = Field("", max_length=20_000)


class AssessmentIn(Schema):
    perspective: str | None = Field(
        None,
        description='"self" (the coach) or "lead" (the lead coach); by default the one your '
        "role in the engagement gives.",
    )
    ratings: dict[str, ProfileRatingIn] = Field(description="By function (criterion) key.")
    observed_on: datetime.date | None = Field(
        None, description="The day of the observed coaching conversation (lead: required)."
    )
    subject: str = Field("", max_length=200, description="What was observed (lead: required).")
    summary: str = Field("", max_length=20_000, description="Summary (lead: required).")


class ProfileRatingOut(Schema):
    function: str
    title: str
    level: int
    label: str
    evidence: str


class AssessmentOut(Schema):
    id: int
    engagement_id: int
    coach: dict[str, Any]
    perspective: str
    observed_on: datetime.date | None
    subject: str
    summary: str
    author: dict[str, Any] | None
    visibility: str
    created_at: datetime.datetime
    ratings: list[ProfileRatingOut]


class SideOut(Schema):
    level: int
    label: str
    on: datetime.date
    assessment_id: int


class FunctionOut(Schema):
    function: str
    title: str
    latest_self: SideOut | None
    latest_lead: SideOut | None
    gap: int | None = Field(description="Latest lead level minus latest self level.")
    history: list[dict[str, Any]] = Field(
        description='Every rating of this function, oldest first: {"assessment_id", "on", '
        '"perspective", "level"}.'
    )


class ProfileOut(Schema):
    coach: dict[str, Any]
    rubric: str
    levels: list[dict[str, Any]]
    functions: list[FunctionOut]
    assessments: list[AssessmentOut]


def _out(score: RubricScore) -> dict[str, Any]:
    return {
        "id": score.pk,
        "engagement_id": score.engagement_id,
        "coach": person(score.about),
        "perspective": score.perspective,
        "observed_on": score.observed_on,
        "subject": score.subject,
        "summary": score.feedback,
        "author": person(score.author),
        "visibility": score.visibility,
        "created_at": score.created_at,
        "ratings": [
            {
                "function": r.criterion_key,
                "title": r.criterion,
                "level": r.level,
                "label": score.level_label(r.level),
                "evidence": r.evidence,
            }
            for r in score.ratings.all()
        ],
    }


def _assessments(user: User) -> QuerySet[RubricScore]:
    return (
        policy.visible(user, RubricScore)
        .filter(about__isnull=False, perspective__in=Perspective.values)
        .select_related("about", "author")
        .prefetch_related("ratings")
        .order_by("observed_on", "created_at", "id")
    )


# --- Endpoints ------------------------------------------------------------------------------------


@router.post(
    "/engagements/{pk}/profile-assessments",
    response={201: AssessmentOut},
    summary="Rate the coach on the practice profile (the coach: self; the lead coach: lead)",
)
def assessment_create(request: HttpRequest, pk: int, payload: AssessmentIn) -> Status[Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    perspective = payload.perspective or profile.perspective_of(user, engagement)
    if perspective is None:
        raise DomainError(profile.not_a_rater(profile.coach_of(engagement)), status=403)
    ratings = {k: v.model_dump() for k, v in payload.ratings.items()}
    try:
        score = profile.assess(
            actor=user,
            engagement=engagement,
            perspective=perspective,
            ratings=ratings,
            observed_on=payload.observed_on,
            subject=payload.subject,
            summary=payload.summary,
        )
    except DomainError as err:
        if not err.errors:
            raise
        criteria = {c.key for c in profile.profile_rubric(engagement).criteria} | set(ratings)
        errors = {
            (f"ratings.{key}" if key in criteria else key): message
            for key, message in err.errors.items()
        }
        raise DomainError(err.message, status=err.status, errors=errors) from err
    return Status(201, _out(_assessments(user).get(pk=score.pk)))


@router.get(
    "/engagements/{pk}/profile-assessments",
    response=list[AssessmentOut],
    summary="The practice-profile assessments of an engagement that you may read, oldest first",
)
def assessment_list(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    engagement = engagement_or_404(request, pk)
    return [_out(s) for s in _assessments(user_of(request)).filter(engagement=engagement)]


@router.get(
    "/profile-assessments/{pk}", response=AssessmentOut, summary="One practice-profile assessment"
)
def assessment_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    found = _assessments(user_of(request)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return _out(found)


@router.get(
    "/coaches/{pk}/profile",
    response=ProfileOut,
    summary="A coach's practice profile: latest self and lead rating per function side by side, "
    "and every assessment over time",
)
def coach_profile(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = user_of(request)
    coach = policy.visible(user, User, Action.FOLLOW_COACH).filter(pk=pk).first()
    if coach is None:
        raise Http404
    found = profile.history(user, coach)

    def side(rating: Any) -> dict[str, Any] | None:
        if rating is None:
            return None
        return {
            "level": rating.level,
            "label": rating.label,
            "on": rating.on,
            "assessment_id": rating.score_id,
        }

    functions = [
        {
            "function": row.key,
            "title": row.title,
            "latest_self": side(row.latest_self),
            "latest_lead": side(row.latest_lead),
            "gap": row.gap,
            "history": [
                {
                    "assessment_id": c.score.pk,
                    "on": c.on,
                    "perspective": c.perspective,
                    "level": c.levels[row.key],
                }
                for c in found.columns
                if row.key in c.levels
            ],
        }
        for row in found.functions
    ]
    return {
        "coach": person(coach),
        "rubric": found.title,
        "levels": found.levels,
        "functions": functions,
        "assessments": [_out(c.score) for c in found.columns],
    }
