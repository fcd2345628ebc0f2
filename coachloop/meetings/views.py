"""Meeting pages: the engagement's meetings with a form to schedule one of the playbook's meeting
types, a meeting with its agenda and minutes, and cancelling. That a meeting happened is metadata
for everyone who sees the engagement; its minutes are content, read through the policy."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, forbidden, paginate
from coachloop.meetings import guide, services
from coachloop.meetings.forms import (
    GuideActionForm,
    GuideHeldForm,
    GuideNoteForm,
    GuidePlanForm,
    MinutesForm,
    ScheduleForm,
)
from coachloop.meetings.guide import GuideState
from coachloop.meetings.models import Meeting, MeetingStatus


def _agenda_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """Each agenda stage with its start and end, in minutes from the meeting's start."""
    rows = []
    start = 0
    for stage in meeting.agenda:
        length = int(stage.get("minutes") or 0)
        rows.append({**stage, "start": start, "end": start + length})
        start += length
    return rows


@never_cache
@login_required
def meeting_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    user = request.user
    spec = engagement.spec
    meeting_types = list(spec.meeting_types) if spec else []
    can_schedule = (
        bool(meeting_types)
        and engagement.status == EngagementStatus.ACTIVE
        and policy.allowed(user, Action.ADD_NOTE, engagement)
    )
    form = None
    status = 200
    if can_schedule:
        wanted = request.GET.get("type", "")
        initial: dict[str, Any] = {"mode": "in_person"}
        if any(m.key == wanted for m in meeting_types):
            initial["meeting_type"] = wanted
        form = ScheduleForm(
            request.POST if request.method == "POST" else None,
            meeting_types=meeting_types,
            initial=initial,
        )
    if request.method == "POST":
        if form is None:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_schedule(
                    actor=user,
                    engagement=engagement,
                    meeting_type=data["meeting_type"],
                    starts_at=data["starts_at"],
                    mode=data["mode"],
                    location=data["location"],
                    minutes=data["minutes"],
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                add_domain_error(form, err)
            else:
                messages.success(request, _("“%s” is planned.") % meeting.title)
                return redirect(meeting)
        status = 422
    meetings = policy.meetings_visible_to(user).filter(engagement=engagement).order_by("-starts_at")
    context = {
        "engagement": engagement,
        "page": paginate(request, meetings),
        "form": form,
        "now": timezone.now(),
    }
    return render(request, "meetings/meeting_list.html", context, status=status)


def _meeting_or_404(request: AuthedRequest, engagement_pk: int, pk: int) -> Meeting:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    meeting = policy.get_visible_or_404(request.user, Meeting, pk, engagement=engagement)
    meeting.engagement = engagement
    return meeting


@never_cache
@login_required
def meeting_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, engagement_pk, pk)
    engagement = meeting.engagement
    user = request.user
    minutes_visible = policy.meeting_minutes_visible_to(user).filter(pk=meeting.pk).exists()
    # Writing the minutes replaces them: only someone who may read them may write them.
    can_record = (
        minutes_visible
        and meeting.status != MeetingStatus.CANCELLED
        and policy.allowed(user, Action.ADD_NOTE, engagement)
    )
    form = None
    status = 200
    conflict = False
    if can_record:
        initial: dict[str, Any] = {
            "summary": meeting.summary,
            "visibility": meeting.visibility,
            "base": meeting.revision,
            "held": meeting.status == MeetingStatus.HELD
            or meeting.starts_at <= timezone.now() + datetime.timedelta(hours=12),
        }
        for index, note in enumerate(meeting.stage_notes):
            initial[f"stage_{index}"] = note
        form = MinutesForm(
            request.POST if request.method == "POST" else None,
            agenda=meeting.agenda,
            initial=initial,
        )
    if request.method == "POST":
        if form is None:
            return forbidden(request)
        if form.is_valid():
            try:
                meeting = services.meeting_record(
                    actor=user,
                    meeting=meeting,
                    stage_notes=form.stage_notes(),
                    summary=form.cleaned_data["summary"],
                    visibility=form.cleaned_data["visibility"],
                    held=form.cleaned_data["held"],
                    base=form.cleaned_data["base"],
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                add_domain_error(form, err)
                if err.status == 409:
                    # Keep what was typed; the next save, after reading, goes through.
                    meeting.refresh_from_db()
                    data = request.POST.copy()
                    data["base"] = str(meeting.revision)
                    form.data = data
                    conflict = True
            else:
                messages.success(
                    request,
                    _("Minutes saved; the meeting is marked as held.")
                    if meeting.status == MeetingStatus.HELD
                    else _("Minutes saved."),
                )
                return redirect(meeting)
        status = 409 if conflict else 422
    stages = _agenda_rows(meeting)
    if minutes_visible:
        for stage, note in zip(stages, meeting.stage_notes, strict=False):
            stage["note"] = note
        if (meeting.guide or {}).get("started"):
            # The time actually spent per stage, as the meeting guide recorded it.
            for stage, done in zip(stages, guide.guide_state(meeting).stages, strict=False):
                stage["spent"] = done.used_clock
                stage["extra"] = done.extra
                stage["skipped"] = done.skipped
    context = {
        "engagement": engagement,
        "meeting": meeting,
        "stages": stages,
        "minutes_visible": minutes_visible,
        "has_minutes": minutes_visible and (meeting.summary or any(meeting.stage_notes)),
        "form": form,
        "can_cancel": meeting.status == MeetingStatus.PLANNED
        and policy.allowed(user, Action.ADD_NOTE, engagement),
        # the guide is for those who may write the minutes
        "can_guide": can_record and bool(meeting.agenda),
    }
    return render(request, "meetings/meeting_detail.html", context, status=status)


@login_required
def meeting_cancel(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST cancels."""
    meeting = _meeting_or_404(request, engagement_pk, pk)
    policy.require(request.user, Action.ADD_NOTE, meeting.engagement)
    if request.method == "POST":
        try:
            services.meeting_cancel(actor=request.user, meeting=meeting)
        except DomainError as err:
            if err.status == 403:
                return forbidden(request, err.message)
            messages.error(request, err.message)
        else:
            messages.success(request, _("“%s” is cancelled.") % meeting.title)
        return redirect(meeting)
    if meeting.status != MeetingStatus.PLANNED:
        messages.info(
            request,
            _("This meeting is %s; it can't be cancelled.") % meeting.get_status_display().lower(),
        )
        return redirect(meeting)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting})


# --- The live meeting guide ----------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _json_error(err: DomainError, state: GuideState | None = None) -> JsonResponse:
    body: dict[str, Any] = {
        "detail": err.message,
        "errors": [{"field": f, "message": m} for f, m in err.errors.items()],
    }
    if state is not None:
        body["state"] = state.as_dict()
    return JsonResponse(body, status=err.status)


def _guide_meeting(request: AuthedRequest, engagement_pk: int, pk: int) -> Meeting:
    """The meeting if visible (else 404); DomainError 403 when the user may not run its guide."""
    meeting = _meeting_or_404(request, engagement_pk, pk)
    guide.require_guide(request.user, meeting)
    return meeting


def _guide_url(meeting: Meeting) -> str:
    return reverse("meeting_guide", args=[meeting.engagement_id, meeting.pk])


def _practice_context(
    request: AuthedRequest,
    meeting: Meeting,
    *,
    typed: dict[str, Any] | None = None,
    error: str = "",
    announce: str = "",
) -> dict[str, Any]:
    from coachloop.actionsteps.cycles import current_step
    from coachloop.actionsteps.practice import met_count, practice_attempts, practice_summary

    user = request.user
    engagement = meeting.engagement
    step = current_step(engagement)
    if step is not None and not policy.action_steps_visible_to(user).filter(pk=step.pk).exists():
        step = None
    attempts = list(practice_attempts(meeting, actor=user))
    for attempt in attempts:
        attempt.met_count = met_count(attempt)  # type: ignore[attr-defined]
    typed = typed or {}
    criteria = [
        {"index": i, "text": str(text), "checked": f"met_{i}" in typed}
        for i, text in enumerate(step.success_criteria if step else [])
    ]
    step_attempts = practice_summary(attempts, step) if step else None
    return {
        "engagement": engagement,
        "meeting": meeting,
        "step": step,
        "criteria": criteria,
        "attempts": attempts,
        "summary": practice_summary(attempts),
        "step_attempts": step_attempts,
        "is_coach": policy.allowed(user, Action.COACH, engagement),
        "practice_feedback": typed.get("feedback", ""),
        "practice_error": error,
        "practice_announce": announce,
    }


def _guide_page(
    request: AuthedRequest,
    meeting: Meeting,
    *,
    status: int = 200,
    error: str = "",
    notes: dict[int, str] | None = None,
    note_errors: dict[int, str] | None = None,
    note_theirs: dict[int, str] | None = None,
    practice: dict[str, Any] | None = None,
    plan_form: GuidePlanForm | None = None,
    held_form: GuideHeldForm | None = None,
) -> HttpResponse:
    from coachloop.actionsteps.cycles import current_step, has_cycles

    user = request.user
    engagement = meeting.engagement
    state = guide.guide_state(meeting)
    stored = [str(n) for n in (meeting.stage_notes or [])]
    notes = notes or {}
    note_errors = note_errors or {}
    note_theirs = note_theirs or {}
    stage_rows = []
    for stage in state.stages:
        i = stage.index
        stage_rows.append(
            {
                "stage": stage,
                "note": notes.get(i, stored[i] if i < len(stored) else ""),
                "note_error": note_errors.get(i, ""),
                "note_theirs": note_theirs.get(i),
            }
        )
    step = current_step(engagement)
    if step is not None and not policy.action_steps_visible_to(user).filter(pk=step.pk).exists():
        step = None
    is_coach = policy.allowed(user, Action.COACH, engagement)
    planned = guide.planned_cycle(meeting)
    kind = next(
        (
            m
            for m in (engagement.spec.meeting_types if engagement.spec else [])
            if m.key == guide.next_meeting_type(meeting)
        ),
        None,
    )
    if plan_form is None:
        plan_form = GuidePlanForm(
            prefix="plan",
            modes=list(kind.modes) if kind else None,
            initial={
                "study_on": planned.study_on,
                "observation_on": planned.observation_on,
                "mode": meeting.mode if kind is None or meeting.mode in kind.modes else None,
                "location": meeting.location,
            },
        )
    if planned.next_meeting is not None and planned.next_meeting.status != MeetingStatus.CANCELLED:
        plan_form.fields["starts_at"].help_text = _(
            "Already planned for %s. Leave empty to change only the study and observation dates."
        ) % date_format(timezone.localtime(planned.next_meeting.starts_at), "DATETIME_FORMAT")
    if held_form is None:
        held_form = GuideHeldForm(
            prefix="held", initial={"summary": meeting.summary, "base": meeting.revision}
        )
    guide_url = _guide_url(meeting)
    context = {
        "engagement": engagement,
        "meeting": meeting,
        "state": state,
        "state_json": state.as_dict(),
        "stages": stage_rows,
        "revision": meeting.revision,
        "error": error,
        "guide_url": guide_url,
        "step": step,
        "is_coach": is_coach,
        "has_cycles": has_cycles(engagement),
        "action_step_new_url": reverse("action_step_new", args=[engagement.pk]),
        "action_step_status_url": (
            reverse("action_step_status", args=[engagement.pk, step.pk]) if step else None
        ),
        "planned": planned,
        "plan_kind": kind,
        "plan_form": plan_form,
        "held_form": held_form,
        "is_held": meeting.status == MeetingStatus.HELD,
        "practice": practice or _practice_context(request, meeting),
    }
    return render(request, "meetings/meeting_guide.html", context, status=status)


@never_cache
@login_required
def meeting_guide(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """The guide page; POST is one press of a guide button (JSON back when asked for)."""
    try:
        meeting = _guide_meeting(request, engagement_pk, pk)
    except DomainError as err:
        if _wants_json(request):
            return _json_error(err)
        return forbidden(request, err.message)
    if request.method != "POST":
        if meeting.status == MeetingStatus.CANCELLED:
            messages.info(request, _("This meeting was cancelled; its guide can't run."))
            return redirect(meeting)
        if _wants_json(request):
            return JsonResponse(guide.guide_state(meeting).as_dict())
        return _guide_page(request, meeting)
    form = GuideActionForm(request.POST)
    try:
        if not form.is_valid():
            field, problems = next(iter(form.errors.items()))
            raise DomainError(str(problems[0]), field=field)
        data = form.cleaned_data
        state = guide.guide_act(
            actor=request.user,
            meeting=meeting,
            action=data["action"],
            elapsed=data["elapsed"] or None,
            minutes=data["minutes"],
            stage=data["stage"],
        )
    except DomainError as err:
        meeting.refresh_from_db()
        if _wants_json(request):
            return _json_error(err, guide.guide_state(meeting))
        if err.status == 403:
            return forbidden(request, err.message)
        return _guide_page(request, meeting, status=err.status, error=err.message)
    if _wants_json(request):
        return JsonResponse(state.as_dict())
    if state.message:
        messages.info(request, state.message)
    anchor = "#guide-finished" if state.finished else "#guide-now"
    return redirect(_guide_url(meeting) + anchor)


@never_cache
@login_required
def meeting_guide_note(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """Save one stage's note into the minutes (POST), with the minutes' revision lock."""
    if request.method != "POST":
        return redirect("meeting_guide", engagement_pk, pk)
    try:
        meeting = _guide_meeting(request, engagement_pk, pk)
    except DomainError as err:
        return _json_error(err) if _wants_json(request) else forbidden(request, err.message)
    form = GuideNoteForm(request.POST)
    typed = request.POST.get("note", "")
    stage = form.data.get("stage", "")
    index = int(stage) if str(stage).isdigit() else -1
    try:
        if not form.is_valid():
            field, problems = next(iter(form.errors.items()))
            raise DomainError(str(problems[0]), field=field)
        saved = guide.guide_note(
            actor=request.user,
            meeting=meeting,
            stage=form.cleaned_data["stage"],
            note=form.cleaned_data["note"],
            base=form.cleaned_data["base"],
        )
    except DomainError as err:
        if err.status == 403 and not _wants_json(request):
            return forbidden(request, err.message)
        meeting.refresh_from_db()
        theirs = None
        if err.status == 409 and 0 <= index < len(meeting.stage_notes):
            theirs = str(meeting.stage_notes[index])
            err = DomainError(
                _(
                    "Someone saved the minutes after you opened this page. Your note was not "
                    "saved; it is still in the box. Read their text for this stage below, then "
                    "save again to replace it with yours."
                ),
                status=409,
            )
        if _wants_json(request):
            response = _json_error(err)
            body = json.loads(response.content)
            body.update({"revision": meeting.revision, "theirs": theirs})
            return JsonResponse(body, status=err.status)
        return _guide_page(
            request,
            meeting,
            status=err.status,
            notes={index: typed},
            note_errors={index: err.message},
            note_theirs={index: theirs} if theirs is not None else None,
        )
    message = _("Notes for %s saved.") % guide.guide_state(saved).stages[index].title
    if _wants_json(request):
        return JsonResponse({"revision": saved.revision, "message": message})
    messages.success(request, message)
    return redirect(_guide_url(meeting) + f"#stage-{index}")


@never_cache
@login_required
def meeting_guide_practice(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """Log a practice attempt (POST; the coach). JSON asks for the practice tool's HTML back."""
    from coachloop.actionsteps.practice import practice_attempt_add

    if request.method != "POST":
        return redirect("meeting_guide", engagement_pk, pk)
    try:
        meeting = _guide_meeting(request, engagement_pk, pk)
    except DomainError as err:
        return _json_error(err) if _wants_json(request) else forbidden(request, err.message)
    user = request.user
    post = request.POST
    typed = {k: v for k, v in post.items() if k.startswith("met_") or k == "feedback"}
    step_id = post.get("action_step", "")
    count = post.get("criteria", "")
    try:
        step = (
            policy.action_steps_visible_to(user)
            .filter(engagement=meeting.engagement, pk=int(step_id))
            .first()
            if step_id.isdigit()
            else None
        )
        if step is None:
            raise DomainError(_("Choose the action step that was practised."), field="action_step")
        if not count.isdigit() or int(count) > 50:
            raise DomainError(_("Reload the page: the success criteria are missing."))
        attempt = practice_attempt_add(
            actor=user,
            meeting=meeting,
            action_step=step,
            met=[f"met_{i}" in post for i in range(int(count))],
            feedback=post.get("feedback", ""),
        )
    except DomainError as err:
        if err.status == 403 and not _wants_json(request):
            return forbidden(request, err.message)
        practice = _practice_context(request, meeting, typed=typed, error=err.message)
        if _wants_json(request):
            html = render_to_string(
                "meetings/_guide_practice.html", {"practice": practice}, request=request
            )
            return JsonResponse({"detail": err.message, "html": html}, status=err.status)
        return _guide_page(request, meeting, status=err.status, practice=practice)
    if attempt.number > 1:
        message = _("Attempt %(n)d logged: re-practice %(r)d.") % {
            "n": attempt.number,
            "r": attempt.number - 1,
        }
    else:
        message = _("Attempt 1 logged.")
    if _wants_json(request):
        practice = _practice_context(request, meeting, announce=message)
        html = render_to_string(
            "meetings/_guide_practice.html", {"practice": practice}, request=request
        )
        return JsonResponse({"message": message, "html": html, "number": attempt.number})
    messages.success(request, message)
    return redirect(_guide_url(meeting) + "#practice")


@never_cache
@login_required
def meeting_guide_plan(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """The Plan stage's form (POST): next cycle's dates and its feedback meeting at once."""
    if request.method != "POST":
        return redirect("meeting_guide", engagement_pk, pk)
    try:
        meeting = _guide_meeting(request, engagement_pk, pk)
    except DomainError as err:
        return forbidden(request, err.message)
    spec = meeting.engagement.spec
    kind = next(
        (
            m
            for m in (spec.meeting_types if spec else [])
            if m.key == guide.next_meeting_type(meeting)
        ),
        None,
    )
    form = GuidePlanForm(request.POST, prefix="plan", modes=list(kind.modes) if kind else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            planned = guide.guide_plan(
                actor=request.user,
                meeting=meeting,
                study_on=data["study_on"],
                observation_on=data["observation_on"],
                starts_at=data["starts_at"],
                mode=data["mode"],
                location=data["location"],
            )
        except DomainError as err:
            if err.status == 403:
                return forbidden(request, err.message)
            add_domain_error(form, err)
        else:
            if planned.next_meeting is not None:
                messages.success(
                    request,
                    _("The next cycle is planned; the next feedback meeting is on %s.")
                    % date_format(
                        timezone.localtime(planned.next_meeting.starts_at), "DATETIME_FORMAT"
                    ),
                )
            else:
                messages.success(request, _("The next cycle is planned."))
            return redirect(_guide_url(meeting) + "#plan")
    meeting.refresh_from_db()
    return _guide_page(request, meeting, status=422, plan_form=form)


@never_cache
@login_required
def meeting_guide_held(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """Record the meeting as held from the finished guide (POST)."""
    if request.method != "POST":
        return redirect("meeting_guide", engagement_pk, pk)
    try:
        meeting = _guide_meeting(request, engagement_pk, pk)
    except DomainError as err:
        return forbidden(request, err.message)
    form = GuideHeldForm(request.POST, prefix="held")
    if form.is_valid():
        try:
            meeting = guide.guide_record_held(
                actor=request.user,
                meeting=meeting,
                summary=form.cleaned_data["summary"],
                base=form.cleaned_data["base"],
            )
        except DomainError as err:
            if err.status == 403:
                return forbidden(request, err.message)
            add_domain_error(form, err)
            if err.status == 409:
                meeting.refresh_from_db()
                data = request.POST.copy()
                data["held-base"] = str(meeting.revision)
                form.data = data
        else:
            messages.success(
                request, _("The meeting is recorded as held; the coaching cycle is complete.")
            )
            return redirect(meeting)
    meeting.refresh_from_db()
    return _guide_page(request, meeting, status=422, held_form=form)
