"""An engagement's confidential content: form answers, rubric scores and portfolio entries.
Every read goes through the policy's querysets; every write through the services."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.api import engagement_schemas as s
from coachloop.api.common import engagement_or_404, user_of
from coachloop.engagements import selectors, services
from coachloop.engagements.models import Engagement, FormResponse, Resource
from coachloop.lib.errors import DomainError
from coachloop.portfolios import selectors as portfolio_selectors
from coachloop.portfolios import services as portfolios
from coachloop.portfolios.models import PortfolioEntry, PortfolioReview, PortfolioRevision
from coachloop.rubrics import selectors as score_selectors
from coachloop.rubrics import services as rubrics
from coachloop.rubrics.models import RubricScore

router = Router(tags=["content"])


# --- Forms --------------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/forms",
    response=list[s.FormOut],
    summary="The forms of the engagement's playbook that participants fill in",
)
def form_list(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    engagement = engagement_or_404(request, pk)
    spec = engagement.spec
    if spec is None:
        return []
    return [
        {
            "key": form.key,
            "title": form.title,
            "description": form.description,
            "filled_by": list(form.filled_by),
            "repeatable": form.repeatable,
            "visibility": services.default_visibility(engagement, "form", form),
            "fields": [f.model_dump(mode="json") for f in form.fields],
        }
        for form in spec.forms
        if not form.anonymous
    ]


def _responses(user: User, engagement: Engagement, form_key: str) -> QuerySet[FormResponse]:
    services.form_for(engagement, form_key)  # 404 for a form the playbook does not have
    return selectors.form_responses(user=user, engagement=engagement).filter(form_key=form_key)


@router.get(
    "/engagements/{pk}/forms/{form_key}/responses",
    response=list[s.FormResponseOut],
    summary="The answers to one form that you may read",
)
@paginate(PageNumberPagination)
def form_response_list(request: HttpRequest, pk: int, form_key: str) -> Any:
    return _responses(user_of(request), engagement_or_404(request, pk), form_key)


@router.get(
    "/engagements/{pk}/forms/{form_key}/responses/{response_id}",
    response=s.FormResponseOut,
    summary="One answer",
)
def form_response_detail(
    request: HttpRequest, pk: int, form_key: str, response_id: int
) -> FormResponse:
    engagement = engagement_or_404(request, pk)
    found = _responses(user_of(request), engagement, form_key).filter(pk=response_id).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "/engagements/{pk}/forms/{form_key}/responses",
    response={201: s.FormResponseOut},
    summary="Fill in a form; completes the steps that ask for it",
)
def form_submit(
    request: HttpRequest, pk: int, form_key: str, payload: s.FormResponseIn
) -> Status[FormResponse]:
    engagement = engagement_or_404(request, pk)
    response = services.form_submit(
        actor=user_of(request),
        engagement=engagement,
        form_key=form_key,
        data=payload.data,
        visibility=payload.visibility,
    )
    return Status(201, response)


@router.put(
    "/engagements/{pk}/forms/{form_key}/responses/{response_id}",
    response=s.FormResponseOut,
    summary="Change your own answer",
)
def form_update(
    request: HttpRequest, pk: int, form_key: str, response_id: int, payload: s.FormResponseIn
) -> FormResponse:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    found = _responses(user, engagement, form_key).filter(pk=response_id).first()
    if found is None:
        raise Http404
    return services.form_submit(
        actor=user,
        engagement=engagement,
        form_key=form_key,
        data=payload.data,
        visibility=payload.visibility,
        response=found,
    )


# --- Resources ----------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/resources",
    response=list[s.ResourceOut],
    summary="Links and files attached to the engagement that you may see",
)
@paginate(PageNumberPagination)
def resource_list(request: HttpRequest, pk: int) -> Any:
    return selectors.resources(user=user_of(request), engagement=engagement_or_404(request, pk))


@router.post(
    "/engagements/{pk}/resources",
    response={201: s.ResourceOut},
    summary="Attach a link (coaches and coachees; files are attached on the pages)",
)
def resource_add(request: HttpRequest, pk: int, payload: s.ResourceIn) -> Status[Resource]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    resource = services.resource_add(
        actor=user,
        engagement=engagement,
        title=payload.title,
        url=payload.url,
        visibility=payload.visibility,
    )
    return Status(201, resource)


# --- Scores -------------------------------------------------------------------------------------


@contextmanager
def _named_ratings(
    engagement: Engagement, rubric_key: str, ratings: dict[str, s.RatingIn]
) -> Iterator[None]:
    """The rubric names a wrong rating by its criterion; the API names the field as the client
    sent it: `ratings.<criterion>`."""
    spec = engagement.spec
    rubric = next((r for r in spec.rubrics if r.key == rubric_key), None) if spec else None
    criteria = {c.key for c in rubric.criteria} if rubric else set()
    try:
        yield
    except DomainError as err:
        if not err.errors or not set(err.errors) <= criteria | set(ratings):
            raise
        errors = {f"ratings.{key}": message for key, message in err.errors.items()}
        raise DomainError(err.message, status=err.status, errors=errors) from err


def _scores(user: User, engagement: Engagement) -> QuerySet[RubricScore]:
    return score_selectors.score_list(user=user, engagement=engagement).prefetch_related("ratings")


@router.get(
    "/engagements/{pk}/scores",
    response=list[s.ScoreOut],
    summary="Rubric scores with their written feedback, that you may read",
)
@paginate(PageNumberPagination)
def score_list(request: HttpRequest, pk: int) -> Any:
    return _scores(user_of(request), engagement_or_404(request, pk))


@router.get("/engagements/{pk}/scores/{score_id}", response=s.ScoreOut, summary="One score")
def score_detail(request: HttpRequest, pk: int, score_id: int) -> RubricScore:
    found = _scores(user_of(request), engagement_or_404(request, pk)).filter(pk=score_id).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "/engagements/{pk}/scores",
    response={201: s.ScoreOut},
    summary="Score a performance on one of the playbook's rubrics (coaches)",
)
def score_create(request: HttpRequest, pk: int, payload: s.ScoreIn) -> Status[RubricScore]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    with _named_ratings(engagement, payload.rubric_key, payload.ratings):
        score = rubrics.score_create(
            actor=user,
            engagement=engagement,
            rubric_key=payload.rubric_key,
            subject=payload.subject,
            ratings={k: v.model_dump() for k, v in payload.ratings.items()},
            feedback=payload.feedback,
            visibility=payload.visibility,
        )
    return Status(201, _scores(user, engagement).get(pk=score.pk))


# --- Portfolio ----------------------------------------------------------------------------------


def _entries(user: User, engagement: Engagement) -> QuerySet[PortfolioEntry]:
    """The entries the user may see, as the portfolio page lists them, with their revisions and
    reviews; a review names its score only when the user may read that score."""
    readable = policy.scores_visible_to(user).filter(pk=OuterRef("score_id"))
    reviews = PortfolioReview.objects.select_related("reviewer", "revision").annotate(
        score_visible=Exists(readable)
    )
    return portfolio_selectors.entry_list(user=user, engagement=engagement).prefetch_related(
        Prefetch("revisions", queryset=PortfolioRevision.objects.order_by("-number")),
        Prefetch("reviews", queryset=reviews.order_by("-created_at", "-id")),
    )


@router.get(
    "/engagements/{pk}/portfolio",
    response=list[s.PortfolioEntryOut],
    summary="Portfolio entries you may see, their revisions (files on the pages) and reviews",
)
@paginate(PageNumberPagination)
def portfolio_list(request: HttpRequest, pk: int) -> Any:
    return _entries(user_of(request), engagement_or_404(request, pk))


@router.get(
    "/engagements/{pk}/portfolio/{entry_id}",
    response=s.PortfolioEntryOut,
    summary="One portfolio entry",
)
def portfolio_entry(request: HttpRequest, pk: int, entry_id: int) -> PortfolioEntry:
    entries = _entries(user_of(request), engagement_or_404(request, pk))
    found = entries.filter(pk=entry_id).first()
    if found is None:
        raise Http404
    return found


@router.post(
    "/engagements/{pk}/portfolio/{entry_id}/review",
    response=s.PortfolioEntryOut,
    summary="Accept an entry for archiving, or return it for revision, with feedback (coaches)",
)
def portfolio_review(
    request: HttpRequest, pk: int, entry_id: int, payload: s.PortfolioReviewIn
) -> PortfolioEntry:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    entry = _entries(user, engagement).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    ratings = payload.ratings or {}
    with _named_ratings(engagement, payload.rubric_key or "portfolio", ratings):
        portfolios.entry_review(
            actor=user,
            entry=entry,
            accept=payload.accept,
            feedback=payload.feedback,
            ratings={k: v.model_dump() for k, v in ratings.items()} or None,
            rubric_key=payload.rubric_key,
        )
    return _entries(user, engagement).get(pk=entry.pk)
