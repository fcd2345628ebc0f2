"""Observations: the history you may read (finished ones at their visibility, your own drafts),
starting one, saving the draft as you type (naming the revision you started from: a newer one
answers 409 with it), finishing, discarding, and per action step how often each success
criterion was seen. The same services, selectors and policy as the pages."""

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError
from coachloop.observations import selectors, services
from coachloop.observations.models import Observation

router = Router(tags=["observations"])


# --- Schemas ------------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class MomentOut(Schema):
    at: str = Field(description="Offset from the start, HH:MM:SS.")
    text: str
    criterion: int | None = Field(description="Index into the action step's success criteria.")
    evidence: str | None = Field(description='"for" (seen), "against" (not yet) or null.')


class StepRef(Schema):
    id: int
    title: str
    success_criteria: list[str]


class ObservationOut(Schema):
    id: int
    engagement_id: int
    coachee: PersonRef
    author: PersonRef
    action_step: StepRef | None = Field(
        description="The action step observed; null when none, or when you may not read it."
    )
    status: str
    visibility: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    duration_minutes: int | None
    notes: str
    moments: list[MomentOut]
    rubric_key: str
    scores: dict[str, int]
    evidence_seen: int
    evidence_not_yet: int
    revision: int = Field(description="How many times it was saved; send it as base.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_coachee(obj: Observation) -> dict[str, Any] | None:
        return person(obj.coachee)

    @staticmethod
    def resolve_author(obj: Observation) -> dict[str, Any] | None:
        return person(obj.author)

    @staticmethod
    def resolve_action_step(obj: Observation) -> dict[str, Any] | None:
        step = obj.action_step
        if step is None or not getattr(obj, "step_readable", False):
            return None
        return {
            "id": step.pk,
            "title": step.title,
            "success_criteria": services.criteria_of(step),
        }

    @staticmethod
    def resolve_moments(obj: Observation) -> list[dict[str, Any]]:
        return [m for m in obj.moments or [] if isinstance(m, dict)]

    @staticmethod
    def resolve_evidence_seen(obj: Observation) -> int:
        return selectors.evidence_counts(obj)[0]

    @staticmethod
    def resolve_evidence_not_yet(obj: Observation) -> int:
        return selectors.evidence_counts(obj)[1]


class FiltersIn(Schema):
    action_step: int | None = Field(None, description="Only observations of this action step.")
    date_from: datetime.date | None = Field(None, description="Started on or after this day.")
    date_to: datetime.date | None = Field(None, description="Started on or before this day.")
    evidence: Literal["", "for", "against"] = Field(
        "", description="Only those with a moment of this evidence."
    )
    status: Literal["", "draft", "final"] = Field("", description="draft: your own drafts.")


class StartIn(Schema):
    coachee_id: int | None = Field(
        None, description="The teacher observed, for engagements with several."
    )


class DraftIn(Schema):
    notes: str = ""
    moments: list[Any] = Field(
        default_factory=list,
        description='Up to 500 of {"at": "HH:MM:SS" or "MM:SS", "text", "criterion", "evidence"}.',
    )
    duration_minutes: int | None = Field(None, description="1 to 600, or null.")
    scores: dict[str, Any] | None = Field(
        None, description="{rubric criterion key: level}; null keeps the saved scores."
    )
    base: int | None = Field(None, description="The revision you started from.")


class FinishIn(DraftIn):
    visibility: str | None = Field(None, description="Who reads it once finished.")


class DraftSavedOut(Schema):
    revision: int
    saved_at: datetime.datetime


class ConflictOut(Schema):
    detail: str
    errors: list[Any] = []
    revision: int = Field(description="The revision saved since you started.")


class CriterionTotalOut(Schema):
    index: int
    text: str
    seen: int
    not_yet: int
    observations_seen: int


class CellOut(Schema):
    seen: int
    not_yet: int


class EvidenceRowOut(Schema):
    id: int
    date: datetime.date
    cells: list[CellOut]


class CriteriaStatsOut(Schema):
    action_step_id: int
    criteria: list[CriterionTotalOut]
    observations: list[EvidenceRowOut]


# --- Reading ------------------------------------------------------------------------------------


def _observation(user: User, engagement: Engagement, observation_id: int) -> Observation:
    return selectors.observation_or_404(user, engagement, observation_id)


@router.get(
    "/engagements/{pk}/observations",
    response=list[ObservationOut],
    summary="Observations you may read, newest first (finished ones, and your own drafts)",
)
@paginate(PageNumberPagination)
def observation_list(request: HttpRequest, pk: int, filters: Query[FiltersIn]) -> Any:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    wanted = selectors.HistoryFilters(**filters.dict())
    return selectors.with_step_access(
        user, selectors.observation_history(user=user, engagement=engagement, filters=wanted)
    )


@router.get(
    "/engagements/{pk}/observations/{observation_id}",
    response=ObservationOut,
    summary="An observation",
)
def observation_detail(request: HttpRequest, pk: int, observation_id: int) -> Observation:
    return _observation(user_of(request), engagement_or_404(request, pk), observation_id)


@router.get(
    "/engagements/{pk}/action-steps/{step_id}/evidence",
    response=CriteriaStatsOut,
    summary="How often each success criterion was seen and not yet, per finished observation",
)
def action_step_evidence(request: HttpRequest, pk: int, step_id: int) -> dict[str, Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    step = policy.get_visible_or_404(user, ActionStep, step_id, engagement=engagement)
    return selectors.criteria_stats(user=user, action_step=step).as_dict()


# --- Writing ------------------------------------------------------------------------------------


@router.post(
    "/engagements/{pk}/observations",
    response={200: ObservationOut, 201: ObservationOut},
    summary="Start an observation of the current action step (coaches); 200 reopens your "
    "draft from the last 12 hours",
)
def observation_start(request: HttpRequest, pk: int, payload: StartIn) -> Status[Observation]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    coachee = None
    if payload.coachee_id is not None:
        coachee = policy.people_visible_to(user).filter(pk=payload.coachee_id).first()
        if coachee is None:
            raise DomainError(
                _("Nobody in your organisations has the id %s.") % payload.coachee_id,
                field="coachee_id",
            )
    before = timezone.now()
    observation = services.observation_start(actor=user, engagement=engagement, coachee=coachee)
    status = 201 if observation.created_at >= before else 200
    return Status(status, _observation(user, engagement, observation.pk))


def _visible_draft(user: User, pk: int, observation_id: int) -> Observation:
    found = (
        policy.observations_visible_to(user)
        .filter(engagement_id=pk, pk=observation_id)
        .select_related("engagement__playbook_version", "action_step")
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.put(
    "/engagements/{pk}/observations/{observation_id}/draft",
    response={200: DraftSavedOut, 409: ConflictOut},
    summary="Save the draft as typed so far, naming the revision you started from",
)
def observation_save(
    request: HttpRequest, pk: int, observation_id: int, payload: DraftIn
) -> Status[dict[str, Any]]:
    user = user_of(request)
    observation = _visible_draft(user, pk, observation_id)
    try:
        services.observation_save(
            actor=user,
            observation=observation,
            notes=payload.notes,
            moments=payload.moments,
            duration_minutes=payload.duration_minutes,
            scores=payload.scores,
            base=payload.base,
        )
    except services.StaleDraft as err:
        return Status(409, {"detail": err.message, "errors": [], "revision": err.revision})
    return Status(200, {"revision": observation.revision, "saved_at": observation.updated_at})


@router.post(
    "/engagements/{pk}/observations/{observation_id}/finish",
    response={200: ObservationOut, 409: ConflictOut},
    summary="Save and finish: from now on it is read at its visibility",
)
def observation_finish(
    request: HttpRequest, pk: int, observation_id: int, payload: FinishIn
) -> Status[Any]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    observation = _observation(user, engagement, observation_id)
    try:
        services.observation_finish(
            actor=user,
            observation=observation,
            notes=payload.notes,
            moments=payload.moments,
            duration_minutes=payload.duration_minutes,
            scores=payload.scores,
            base=payload.base,
            visibility=payload.visibility,
        )
    except services.StaleDraft as err:
        return Status(409, {"detail": err.message, "errors": [], "revision": err.revision})
    return Status(200, _observation(user, engagement, observation_id))


@router.delete(
    "/engagements/{pk}/observations/{observation_id}",
    response={204: None},
    summary="Discard your draft (a finished observation stays)",
)
def observation_discard(request: HttpRequest, pk: int, observation_id: int) -> Status[None]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    services.observation_discard(
        actor=user, observation=_observation(user, engagement, observation_id)
    )
    return Status(204, None)
