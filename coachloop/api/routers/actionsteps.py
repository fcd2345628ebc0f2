"""Action steps of an engagement (content at their visibility) and the action-step library
(read by everyone in or below its organisation, kept by programme administrators): the same
selectors, services and policy as the pages."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps import selectors, services
from coachloop.actionsteps.models import ActionStep, LibraryStep
from coachloop.api.common import engagement_or_404, user_of
from coachloop.api.engagement_schemas import PersonRef
from coachloop.engagements.models import Engagement, ParticipantRole
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Organisation

router = Router(tags=["action steps"])


# --- Shapes ---------------------------------------------------------------------------------------


class ActionStepOut(Schema):
    id: int
    engagement_id: int
    coachee: PersonRef
    author: PersonRef
    title: str
    success_criteria: list[str]
    goal: str
    model: str
    non_examples: str
    status: str = Field(description="current, mastered or paused")
    started_on: datetime.date
    mastered_on: datetime.date | None
    paused_on: datetime.date | None
    visibility: str
    library_step_id: int | None


class ActionStepIn(Schema):
    title: str = Field("", description="Empty: the library step's title.")
    success_criteria: list[str] = Field(
        default_factory=list, description="1 to 10; empty: the library step's."
    )
    goal: str = ""
    model: str = ""
    non_examples: str = ""
    library_step_id: int | None = None
    visibility: str | None = None
    coachee_id: int | None = Field(None, description="Needed when the engagement has several.")
    replace: str | None = Field(
        None,
        description=(
            "mastered or paused: close the coachee's current step(s) that way when the playbook's "
            "limit of current steps is reached; otherwise that answers 409."
        ),
    )


class StatusIn(Schema):
    status: str = Field(description="current, mastered or paused")


class StudiedIn(Schema):
    on: datetime.date | None = None


class CycleOut(Schema):
    id: int
    number: int
    status: str
    opened_on: datetime.date
    studied_on: datetime.date | None
    action_step_id: int | None


class LibraryStepOut(Schema):
    id: int
    organisation_id: int
    category_id: int
    category: str
    category_description: str
    position: int
    title: str
    success_criteria: list[str]
    model: str
    non_examples: str
    resources: list[dict[str, str]]

    @staticmethod
    def resolve_category(obj: LibraryStep) -> str:
        return obj.category.title

    @staticmethod
    def resolve_category_description(obj: LibraryStep) -> str:
        return obj.category.description


class LibraryFilter(Schema):
    q: str = ""
    organisation_id: int | None = None
    engagement_id: int | None = Field(
        None, description="Only the steps a coach may pick for this engagement."
    )


class LibraryImportIn(Schema):
    organisation_id: int
    text: str = Field(description="The file's text, CSV or YAML.")
    format: str = Field("", description="csv or yaml; empty: told from the text.")


class LibraryImportOut(Schema):
    categories_created: int
    categories_updated: int
    steps_created: int
    steps_updated: int
    unchanged: int


# --- Action steps ---------------------------------------------------------------------------------


def _step(user: User, engagement: Engagement, step_id: int) -> ActionStep:
    found = selectors.action_steps(user=user, engagement=engagement).filter(pk=step_id).first()
    if found is None:
        raise Http404
    found.engagement = engagement
    return found


@router.get(
    "/engagements/{pk}/action-steps",
    response=list[ActionStepOut],
    summary="Action steps you may read: current first, then the latest",
)
@paginate(PageNumberPagination)
def action_step_list(request: HttpRequest, pk: int) -> Any:
    return selectors.action_steps(user=user_of(request), engagement=engagement_or_404(request, pk))


@router.get(
    "/engagements/{pk}/action-steps/{step_id}", response=ActionStepOut, summary="An action step"
)
def action_step_detail(request: HttpRequest, pk: int, step_id: int) -> ActionStep:
    return _step(user_of(request), engagement_or_404(request, pk), step_id)


@router.post(
    "/engagements/{pk}/action-steps",
    response={201: ActionStepOut},
    summary="Set a new current action step (the engagement's coaches)",
)
def action_step_create(request: HttpRequest, pk: int, payload: ActionStepIn) -> Status[ActionStep]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    library_step = None
    if payload.library_step_id is not None:
        library_step = (
            selectors.library_for_engagement(user, engagement)
            .filter(pk=payload.library_step_id)
            .first()
        )
        if library_step is None:
            raise DomainError(_("Choose a step from your library."), field="library_step_id")
    coachee = None
    if payload.coachee_id is not None:
        participant = engagement.participants.filter(
            user_id=payload.coachee_id, role=ParticipantRole.COACHEE
        ).first()
        if participant is None:
            raise DomainError(_("Choose a teacher coached in this engagement."), field="coachee_id")
        coachee = participant.user
    try:
        step = services.action_step_create(
            actor=user,
            engagement=engagement,
            title=payload.title,
            success_criteria=payload.success_criteria,
            goal=payload.goal,
            model=payload.model,
            non_examples=payload.non_examples,
            library_step=library_step,
            visibility=payload.visibility,
            coachee=coachee,
            replace=payload.replace,
        )
    except DomainError as error:
        # The API names its own fields.
        renamed = {"coachee": "coachee_id", "library_step": "library_step_id"}
        error.errors = {renamed.get(k, k): v for k, v in error.errors.items()}
        raise
    return Status(201, _step(user, engagement, step.pk))


@router.post(
    "/engagements/{pk}/action-steps/{step_id}/status",
    response=ActionStepOut,
    summary="Mark a step mastered or paused, or make it current again (coaches)",
)
def action_step_status(
    request: HttpRequest, pk: int, step_id: int, payload: StatusIn
) -> ActionStep:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    services.action_step_set_status(
        actor=user, step=_step(user, engagement, step_id), status=payload.status
    )
    return _step(user, engagement, step_id)


@router.post(
    "/engagements/{pk}/action-steps/{step_id}/studied",
    response=CycleOut,
    summary="Coach and teacher studied the current step: the cycle's Study stage is done",
)
def action_step_studied(request: HttpRequest, pk: int, step_id: int, payload: StudiedIn) -> Any:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    cycle = services.action_step_studied(
        actor=user, step=_step(user, engagement, step_id), on=payload.on
    )
    if cycle is None:
        raise DomainError(_("This engagement has no coaching cycles."), status=409)
    return cycle


# --- The library ----------------------------------------------------------------------------------


def _organisation(user: User, pk: int | None) -> Organisation | None:
    return None if pk is None else policy.get_visible_or_404(user, Organisation, pk)


@router.get(
    "/library",
    response=list[LibraryStepOut],
    summary="Library steps you may read, in scope-and-sequence order; q searches",
)
@paginate(PageNumberPagination)
def library_list(request: HttpRequest, filters: Query[LibraryFilter]) -> Any:
    user = user_of(request)
    if filters.engagement_id is not None:
        engagement = engagement_or_404(request, filters.engagement_id)
        return selectors.library_for_engagement(user, engagement, filters.q)
    return selectors.library_for(user, filters.q, _organisation(user, filters.organisation_id))


@router.get(
    "/library/export",
    summary="An organisation's library as a file (format=csv or yaml) that imports back as is",
)
def library_export(request: HttpRequest, organisation_id: int, format: str = "csv") -> Any:
    user = user_of(request)
    organisation = _organisation(user, organisation_id)
    assert organisation is not None
    readable = policy.library_visible_to(user).filter(organisation=organisation).exists()
    if not readable and not policy.allowed(user, Action.MANAGE, organisation):
        raise Http404
    body = services.library_export(organisation, format)
    kind = "text/csv; charset=utf-8" if format == "csv" else "application/yaml; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="library-{organisation.pk}.{format}"'
    return response


@router.post(
    "/library/import",
    response={200: LibraryImportOut},
    summary=(
        "Import a library file (programme administrators). Everything is checked first: any "
        "problem answers 400 with one error per problem, by line, and nothing is written."
    ),
)
def library_import(request: HttpRequest, payload: LibraryImportIn) -> Any:
    user = user_of(request)
    organisation = _organisation(user, payload.organisation_id)
    assert organisation is not None
    if payload.format and payload.format not in ("csv", "yaml"):
        raise DomainError(_("Say csv or yaml, or leave it empty."), field="format")
    filename = f"import.{payload.format}" if payload.format else ""
    result = services.library_import(
        actor=user, organisation=organisation, text=payload.text, filename=filename
    )
    if not result.ok:
        raise DomainError(
            _("Nothing was imported: %d problems to fix.") % len(result.problems)
            if len(result.problems) != 1
            else _("Nothing was imported: 1 problem to fix."),
            errors={"text": "\n".join(str(p) for p in result.problems)},
        )
    return result
