"""Observation pages: start one in a tap, the quick form (autosaved by observation.js, and a
plain form without it), finish or discard, read one, the engagement's history with filters, and
per action step how often each success criterion was seen. Thin: the services decide, the
selectors read through the policy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep
from coachloop.engagements.models import Engagement, EngagementStatus, ParticipantRole
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import forbidden, paginate
from coachloop.observations import selectors, services
from coachloop.observations.forms import (
    DraftInput,
    draft_from_json,
    draft_from_post,
    filters_from_query,
)
from coachloop.observations.models import Evidence, Observation, ObservationStatus

EVIDENCE_LABELS = {Evidence.FOR.value: _("Seen"), Evidence.AGAINST.value: _("Not yet")}


def _engagement_or_404(request: AuthedRequest, pk: int) -> Engagement:
    found = (
        policy.engagements_visible_to(request.user)
        .select_related("playbook_version")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _observation_or_404(request: AuthedRequest, engagement_pk: int, pk: int) -> Observation:
    engagement = _engagement_or_404(request, engagement_pk)
    return selectors.observation_or_404(request.user, engagement, pk)


def can_observe(user: User, engagement: Engagement) -> bool:
    """Whether the user may start an observation here (for buttons; the service decides)."""
    spec = engagement.spec
    return (
        engagement.status == EngagementStatus.ACTIVE
        and spec is not None
        and spec.cycle is not None
        and policy.allowed(user, Action.COACH, engagement)
    )


# --- Starting -----------------------------------------------------------------------------------


@require_POST
@login_required
def observation_start(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, pk)
    coachee = None
    coachee_id = request.POST.get("coachee", "").strip()
    if coachee_id:
        if coachee_id.isdigit():
            coachee = policy.people_visible_to(request.user).filter(pk=coachee_id).first()
        if coachee is None:
            messages.error(request, _("Choose one of this engagement's teachers to observe."))
            return redirect(engagement)
    try:
        observation = services.observation_start(
            actor=request.user, engagement=engagement, coachee=coachee
        )
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        messages.error(request, err.message)
        return redirect(engagement)
    return redirect("observation_edit", engagement.pk, observation.pk)


# --- The quick form -----------------------------------------------------------------------------


def _criteria(observation: Observation) -> list[dict[str, Any]]:
    return [
        {"index": i, "value": str(i), "text": text}
        for i, text in enumerate(services.criteria_of(observation.action_step))
    ]


def _moment_rows(moments: list[dict[str, Any]], criteria: list[dict[str, Any]]) -> list[Any]:
    rows = []
    for index, moment in enumerate(moments):
        criterion = moment.get("criterion")
        criterion_value = "" if criterion in (None, "") else str(criterion)
        evidence = moment.get("evidence") or ""
        text_of = next((c["text"] for c in criteria if c["value"] == criterion_value), "")
        rows.append(
            {
                "index": index,
                "number": index + 1,
                "at": moment.get("at", ""),
                "text": moment.get("text", ""),
                "criterion": criterion_value,
                "criterion_text": text_of,
                "evidence": evidence,
                "evidence_label": EVIDENCE_LABELS.get(evidence, ""),
            }
        )
    return rows


def _rubric_rows(observation: Observation, scores: dict[str, Any]) -> list[dict[str, Any]]:
    rubric = services.observation_rubric(observation)
    if rubric is None:
        return []
    rows = []
    for criterion in rubric.criteria:
        chosen = scores.get(criterion.key)
        rows.append(
            {
                "key": criterion.key,
                "title": criterion.title,
                "selected": "" if chosen in (None, "") else str(chosen),
                "levels": [
                    {
                        "score": str(level.score),
                        "label": level.label,
                        "descriptor": criterion.descriptors.get(level.score, ""),
                    }
                    for level in rubric.levels
                ],
            }
        )
    return rows


def _state_of(observation: Observation) -> DraftInput:
    return DraftInput(
        notes=observation.notes,
        moments=list(observation.moments or []),
        duration_minutes=observation.duration_minutes,
        scores=dict(observation.scores or {}),
        base=observation.revision,
        visibility=observation.visibility,
    )


def _render_form(
    request: AuthedRequest,
    observation: Observation,
    state: DraftInput,
    *,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    criteria = _criteria(observation)
    step_readable = observation.action_step_id is not None and observation.step_readable  # type: ignore[attr-defined]
    context = {
        "engagement": observation.engagement,
        "observation": observation,
        "state": state,
        "criteria": criteria if step_readable else [],
        "step": observation.action_step if step_readable else None,
        "moments": _moment_rows(state.moments, criteria),
        "rubric": _rubric_rows(observation, state.scores or {}),
        "rubric_title": getattr(services.observation_rubric(observation), "title", ""),
        "scored": any(v not in (None, "") for v in (state.scores or {}).values()),
        "visibilities": Visibility.choices,
        "error": error,
        "conflict": error is not None and error.status == 409,
        "evidence_labels": EVIDENCE_LABELS,
        "blank_moment": {
            "index": "__N__",
            "number": "",
            "at": "",
            "text": "",
            "criterion": "",
            "evidence": "",
        },
        "draft_url": reverse("observation_draft", args=[observation.engagement_id, observation.pk]),
    }
    return render(request, "observations/observation_edit.html", context, status=status)


def _new_moment(observation: Observation, add: str, text: str) -> dict[str, Any]:
    """A moment added by a button without JavaScript, timed by the server's clock."""
    seconds = int((timezone.now() - observation.started_at).total_seconds())
    criterion: str | None = None
    evidence: str | None = None
    if add != "note":
        criterion, _sep, evidence = add.partition(":")
    return {
        "at": services.format_at(seconds),
        "text": text,
        "criterion": criterion or None,
        "evidence": evidence or None,
    }


def _own_draft(request: AuthedRequest, observation: Observation) -> bool:
    return (
        observation.status == ObservationStatus.DRAFT and observation.author_id == request.user.pk
    )


@never_cache
@login_required
def observation_edit(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    observation = _observation_or_404(request, engagement_pk, pk)
    if not _own_draft(request, observation):
        return redirect(observation)
    if request.method != "POST":
        return _render_form(request, observation, _state_of(observation))
    state = DraftInput()
    try:
        state = draft_from_post(request.POST)
        add = request.POST.get("add", "")
        if add:
            state.moments.append(_new_moment(observation, add, request.POST.get("moment_text", "")))
        services.observation_save(
            actor=request.user,
            observation=observation,
            notes=state.notes,
            moments=state.moments,
            duration_minutes=state.duration_minutes,
            scores=state.scores,
            base=state.base,
        )
    except DomainError as err:
        return _refused(request, observation, state, err)
    messages.success(
        request,
        _("Saved at %s.") % time_format(timezone.localtime(observation.updated_at), "H:i"),
    )
    url = reverse("observation_edit", args=[observation.engagement_id, observation.pk])
    return redirect(url + ("#moments" if request.POST.get("add") else ""))


def _refused(
    request: AuthedRequest, observation: Observation, state: DraftInput, err: DomainError
) -> HttpResponse:
    if err.status == 403:
        return forbidden(request, err.message)
    if err.status == 409 and isinstance(err, services.StaleDraft):
        # Keep what was typed, on top of the version saved since: saving again, after reading
        # the saved version shown above the form, goes through.
        observation.refresh_from_db()
        state.base = observation.revision
    elif err.status in (404, 409):
        messages.error(request, err.message)
        return redirect(observation if err.status == 409 else observation.engagement)
    return _render_form(request, observation, state, error=err, status=err.status or 422)


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


@require_POST
def observation_draft(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """The autosave: the draft as JSON (or a form), answered with the new revision. Kept to one
    query for the observation, one locked read and one UPDATE."""
    if not request.user.is_authenticated:
        return _json_error(
            _("You are signed out. Sign in again in another tab; your text is kept here."), 401
        )
    observation = (
        policy.observations_visible_to(request.user)
        .filter(engagement_id=engagement_pk, pk=pk)
        .select_related("engagement__playbook_version", "action_step")
        .first()
    )
    if observation is None:
        return _json_error(_("This observation doesn't exist or was discarded."), 404)
    try:
        if request.content_type == "application/json":
            state = draft_from_json(request.body)
        else:
            state = draft_from_post(request.POST)
        services.observation_save(
            actor=request.user,
            observation=observation,
            notes=state.notes,
            moments=state.moments,
            duration_minutes=state.duration_minutes,
            scores=state.scores,
            base=state.base,
        )
    except services.StaleDraft as err:
        return _json_error(err.message, 409, revision=err.revision)
    except DomainError as err:
        return _json_error(
            err.message,
            err.status,
            errors=[{"field": k, "message": v} for k, v in err.errors.items()],
        )
    return JsonResponse(
        {"revision": observation.revision, "saved_at": observation.updated_at.isoformat()}
    )


@login_required
def observation_finish(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    observation = _observation_or_404(request, engagement_pk, pk)
    if not _own_draft(request, observation):
        return redirect(observation)
    if request.method != "POST":
        return redirect("observation_edit", observation.engagement_id, observation.pk)
    state = DraftInput()
    try:
        state = draft_from_post(request.POST)
        services.observation_finish(
            actor=request.user,
            observation=observation,
            notes=state.notes,
            moments=state.moments,
            duration_minutes=state.duration_minutes,
            scores=state.scores,
            base=state.base,
            visibility=state.visibility,
        )
    except DomainError as err:
        return _refused(request, observation, state, err)
    messages.success(
        request,
        _("The observation is finished. It can be read by: %s.")
        % Visibility(observation.visibility).label,
    )
    return redirect(observation)


@login_required
def observation_discard(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST throws the draft away."""
    observation = _observation_or_404(request, engagement_pk, pk)
    engagement = observation.engagement
    if not _own_draft(request, observation):
        messages.info(request, _("Only a draft can be discarded, by the coach writing it."))
        return redirect(observation)
    if request.method == "POST":
        try:
            services.observation_discard(actor=request.user, observation=observation)
        except DomainError as err:
            messages.error(request, err.message)
            return redirect(observation)
        messages.success(request, _("The draft observation was discarded."))
        return redirect("observation_history", engagement.pk)
    return render(
        request,
        "observations/observation_discard.html",
        {"observation": observation, "engagement": engagement},
    )


# --- Reading ------------------------------------------------------------------------------------


@never_cache
@login_required
def observation_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    observation = _observation_or_404(request, engagement_pk, pk)
    step_readable: bool = observation.step_readable  # type: ignore[attr-defined]
    criteria = _criteria(observation) if step_readable else []
    moments = _moment_rows(list(observation.moments or []), criteria)
    if not step_readable:
        for row in moments:
            if row["criterion"]:
                row["criterion_text"] = _("Success criterion %d") % (int(row["criterion"]) + 1)
    rubric = _rubric_rows(observation, observation.scores or {})
    scores = []
    for row in rubric:
        if row["selected"]:
            level = next((lv for lv in row["levels"] if lv["score"] == row["selected"]), None)
            scores.append({"title": row["title"], "score": row["selected"], "level": level})
    seen, not_yet = selectors.evidence_counts(observation)
    context = {
        "engagement": observation.engagement,
        "observation": observation,
        "step": observation.action_step if step_readable else None,
        "criteria": criteria,
        "moments": moments,
        "scores": scores,
        "rubric_title": getattr(services.observation_rubric(observation), "title", ""),
        "seen": seen,
        "not_yet": not_yet,
        "own_draft": _own_draft(request, observation),
    }
    return render(request, "observations/observation_detail.html", context)


def history_filters(
    request: AuthedRequest, engagement: Engagement
) -> tuple[Any, selectors.HistoryFilters]:
    steps = [(s.pk, s.title) for s in selectors.visible_steps_for(request.user, engagement)]
    form = filters_from_query(request.GET, steps)
    return form, form.filters()


@never_cache
@login_required
def observation_history(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, pk)
    form, filters = history_filters(request, engagement)
    page = paginate(
        request,
        selectors.observation_history(user=request.user, engagement=engagement, filters=filters),
    )
    items = list(page.object_list)
    readable = selectors.readable_steps(request.user, items)
    rows = []
    for observation in items:
        seen, not_yet = selectors.evidence_counts(observation)
        rows.append(
            {
                "observation": observation,
                "step": observation.action_step if observation.action_step_id in readable else None,
                "step_hidden": observation.action_step_id is not None
                and observation.action_step_id not in readable,
                "seen": seen,
                "not_yet": not_yet,
                "own_draft": _own_draft(request, observation),
            }
        )
    query = urlencode(filters.as_query())
    observe = can_observe(request.user, engagement)
    coachees = (
        [
            p.user
            for p in engagement.participants.filter(role=ParticipantRole.COACHEE)
            .select_related("user")
            .order_by("user__family_name", "user__given_name")
        ]
        if observe
        else []
    )
    context = {
        "engagement": engagement,
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": bool(filters.as_query()),
        "query": query,
        "can_observe": observe,
        "coachees": coachees if len(coachees) > 1 else [],
        "step_filter": filters.action_step,
    }
    return render(request, "observations/observation_history.html", context)


@never_cache
@login_required
def action_step_evidence(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, engagement_pk)
    step = policy.get_visible_or_404(request.user, ActionStep, pk, engagement=engagement)
    stats = selectors.criteria_stats(user=request.user, action_step=step)
    context = {
        "engagement": engagement,
        "step": step,
        "stats": stats,
        "columns": list(zip(stats.criteria, range(1, len(stats.criteria) + 1), strict=True)),
    }
    return render(request, "observations/action_step_evidence.html", context)
