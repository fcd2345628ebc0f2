"""Reads for action steps and the library, always through the policy's querysets."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from coachloop.access import policy
from coachloop.access.policy import AnyUser
from coachloop.actionsteps.models import (
    ActionStep,
    ActionStepResource,
    ActionStepStatus,
    Cycle,
    CycleStatus,
    LibraryCategory,
    LibraryStep,
)
from coachloop.engagements.models import Engagement, Resource
from coachloop.organisations.models import Organisation


def action_steps(*, user: AnyUser, engagement: Engagement) -> QuerySet[ActionStep]:
    """The engagement's action steps the user may read: current first, then the latest."""
    current_first = Case(
        When(status=ActionStepStatus.CURRENT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        policy.action_steps_visible_to(user)
        .filter(engagement=engagement)
        .select_related("coachee", "author", "library_step")
        .annotate(current_first=current_first)
        .order_by("current_first", "-started_on", "-id")
    )


def step_resources(*, user: AnyUser, step: ActionStep) -> QuerySet[Resource]:
    """The resources linked to a step that the user may read."""
    linked = ActionStepResource.objects.filter(action_step=step).values("resource_id")
    return (
        policy.resources_visible_to(user)
        .filter(engagement_id=step.engagement_id, pk__in=linked)
        .order_by("created_at", "id")
    )


def open_cycle(*, user: AnyUser, engagement: Engagement) -> Cycle | None:
    return (
        policy.cycles_visible_to(user)
        .filter(engagement=engagement, status=CycleStatus.OPEN)
        .first()
    )


def _search(steps: QuerySet[LibraryStep], query: str) -> QuerySet[LibraryStep]:
    words = query.split()[:8]
    for word in words:
        steps = steps.filter(
            Q(title__icontains=word)
            | Q(category__title__icontains=word)
            | Q(model__icontains=word)
            | Q(non_examples__icontains=word)
        )
    return steps


def library_for(
    user: AnyUser, query: str = "", organisation: Organisation | None = None
) -> QuerySet[LibraryStep]:
    """Library steps the user may read (their organisations' libraries and those above),
    optionally of one organisation, matching every word of `query`; in scope-and-sequence
    order."""
    steps = policy.library_steps_visible_to(user)
    if organisation is not None:
        steps = steps.filter(organisation=organisation)
    return (
        _search(steps, query.strip()[:200])
        .select_related("category", "category__organisation")
        .order_by(
            "category__organisation__path", "category__position", "category_id", "position", "id"
        )
    )


def library_for_engagement(
    user: AnyUser, engagement: Engagement, query: str = ""
) -> QuerySet[LibraryStep]:
    """The steps a coach may pick for an engagement: the libraries of its organisation and
    of the organisations above it, that the user may read."""
    ids = [int(part) for part in engagement.organisation.path.split("/") if part]
    return library_for(user, query).filter(organisation_id__in=ids)


def categories_for(
    user: AnyUser, organisation: Organisation | None = None
) -> QuerySet[LibraryCategory]:
    categories = policy.library_visible_to(user)
    if organisation is not None:
        categories = categories.filter(organisation=organisation)
    return categories.select_related("organisation").order_by(
        "organisation__path", "position", "id"
    )


def library_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations whose library the user can open: those with a library they may read,
    and those whose library they keep (their own programme-administrator organisations)."""
    with_library = policy.library_visible_to(user).values("organisation_id")
    administered = Q(pk__in=[])
    if user.is_authenticated:
        from coachloop.organisations.models import Membership, Role

        administered = Q(
            pk__in=Membership.objects.filter(
                user=user, role=Role.PROGRAMME_ADMIN, is_active=True
            ).values("organisation_id")
        )
    return (
        policy.organisations_visible_to(user)
        .filter(Q(pk__in=with_library) | administered)
        .order_by("path")
    )


def empty_managed_organisations(user: AnyUser) -> list[Organisation]:
    """The user's own programme-administrator organisations that have no library yet."""
    if not user.is_authenticated:
        return []
    from coachloop.organisations.models import Membership, Role

    own = Membership.objects.filter(
        user=user, role=Role.PROGRAMME_ADMIN, is_active=True, organisation__is_active=True
    ).values("organisation_id")
    have = LibraryCategory.objects.filter(organisation_id__in=own).values("organisation_id")
    return list(
        policy.organisations_administered_by(user)
        .filter(pk__in=own)
        .exclude(pk__in=have)
        .order_by("path")
    )
