"""Meeting pages: the engagement's meetings with a form to schedule one of the playbook's meeting
types, a meeting with its agenda and minutes, and cancelling. That a meeting happened is metadata
for everyone who sees the engagement; its minutes are content, read through the policy."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.engagements.services import people_in
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, forbidden, paginate
from coachloop.meetings import followups, guide, services, times
from coachloop.meetings.forms import (
    CancelForm,
    FollowUpForm,
    GuideActionForm,
    GuideHeldForm,
    GuideNoteForm,
    GuidePlanForm,
    MinutesForm,
    RescheduleForm,
    ScheduleForm,
)
from coachloop.meetings.guide import GuideState
from coachloop.meetings.models import (
    FollowUp,
    Meeting,
    MeetingMode,
    MeetingParticipant,
    MeetingStatus,
)


def _agenda_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """Each agenda stage with its start and end, in minutes from the meeting's start."""
    rows = []
    start = 0
    for stage in meeting.agenda:
        length = int(stage.get("minutes") or 0)
        rows.append({**stage, "start": start, "end": start + length})
        start += length
    return rows


def _people_choices(engagement: Engagement) -> list[tuple[int, str]]:
    """The engagement's people, each once, with their roles: the participants to choose from."""
    roles: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    spec = engagement.spec
    for p in engagement.participants.select_related("user").order_by("pk"):
        names[p.user_id] = str(p.user)
        label = spec.role_label(p.role) if spec else p.get_role_display()
        roles.setdefault(p.user_id, []).append(str(label))
    return [(pk, f"{names[pk]} ({', '.join(roles[pk])})") for pk in names]


def _viewer_zone(user: Any) -> str:
    return times.zone_of(user)


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
        chosen = next((m for m in meeting_types if m.key == wanted), None)
        kind = chosen or meeting_types[0]
        people = _people_choices(engagement)
        initial: dict[str, Any] = {
            "meeting_type": kind.key,
            "mode": "in_person" if "in_person" in kind.modes else kind.modes[0],
            "time_zone": _viewer_zone(user),
            "submission": uuid.uuid4(),
        }
        if chosen is not None:
            # The kind is known (the step's link names it): tick those who attend it. Without
            # it nobody is ticked, and the kind chosen in the form decides who is invited.
            attendees = {u.pk for u in people_in(engagement, chosen.attendees)}
            initial["participants"] = [pk for pk, _label in people if pk in attendees]
        form = ScheduleForm(
            request.POST if request.method == "POST" else None,
            meeting_types=meeting_types,
            people=people,
            zones=times.zone_choices(_viewer_zone(user)),
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
                    ends_at=form.end_datetime(),
                    time_zone=data["time_zone"] or None,
                    mode=data["mode"],
                    location=data["location"],
                    link=data["link"],
                    minutes=data["minutes"],
                    participants=data["participants"] or None,
                    submission=data["submission"],
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


def _when_rows(meeting: Meeting, viewer: Any) -> dict[str, Any]:
    """The meeting's start and end on its own clock, and on the viewer's if theirs differs."""
    start = times.local(meeting.starts_at, meeting.time_zone)
    end = times.local(meeting.ends_at, meeting.time_zone)
    rows: dict[str, Any] = {
        "when_local": date_format(start, "l j F Y, H:i")
        + " to "
        + date_format(end, "H:i")
        + f" ({meeting.time_zone.replace('_', ' ')})",
        "when_viewer": "",
    }
    mine = _viewer_zone(viewer)
    if mine != meeting.time_zone:
        ours = times.local(meeting.starts_at, mine)
        theirs = start.utcoffset() != ours.utcoffset()
        if theirs:
            rows["when_viewer"] = date_format(ours, "l j F Y, H:i") + f" ({mine.replace('_', ' ')})"
    return rows


def _attendance_text(participants: list[MeetingParticipant]) -> dict[str, str]:
    came = [str(p.user) for p in participants if p.attended is True]
    absent = [str(p.user) for p in participants if p.attended is False]
    unknown = [str(p.user) for p in participants if p.attended is None]
    return {"came": ", ".join(came), "absent": ", ".join(absent), "unknown": ", ".join(unknown)}


@never_cache
@login_required
def meeting_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, engagement_pk, pk)
    engagement = meeting.engagement
    user = request.user
    minutes_visible = policy.meeting_minutes_visible_to(user).filter(pk=meeting.pk).exists()
    writes = policy.allowed(user, Action.ADD_NOTE, engagement)
    # Writing the minutes replaces them: only someone who may read them may write them.
    can_record = minutes_visible and meeting.status != MeetingStatus.CANCELLED and writes
    form = None
    status = 200
    conflict = False
    if can_record:
        form = _minutes_form(meeting, request.POST if request.method == "POST" else None)
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
    return _detail_page(request, meeting, form=form, status=status)


def _minutes_form(meeting: Meeting, data: Any) -> MinutesForm:
    initial: dict[str, Any] = {
        "summary": meeting.summary,
        "visibility": meeting.visibility,
        "base": meeting.revision,
        "held": meeting.status == MeetingStatus.HELD
        or meeting.starts_at <= timezone.now() + datetime.timedelta(hours=12),
    }
    for index, note in enumerate(meeting.stage_notes):
        initial[f"stage_{index}"] = note
    return MinutesForm(data, agenda=meeting.agenda, initial=initial)


def _detail_page(
    request: AuthedRequest,
    meeting: Meeting,
    *,
    form: MinutesForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    attendance_error: str = "",
    status: int = 200,
) -> HttpResponse:
    engagement = meeting.engagement
    user = request.user
    minutes_visible = policy.meeting_minutes_visible_to(user).filter(pk=meeting.pk).exists()
    writes = policy.allowed(user, Action.ADD_NOTE, engagement)
    active = engagement.status == EngagementStatus.ACTIVE
    can_record = minutes_visible and meeting.status != MeetingStatus.CANCELLED and writes
    if form is None and can_record:
        form = _minutes_form(meeting, None)
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
    participants = list(meeting.participants.select_related("user"))
    started = meeting.starts_at <= timezone.now() + datetime.timedelta(hours=12)
    can_attendance = (
        writes
        and active
        and bool(participants)
        and meeting.status != MeetingStatus.CANCELLED
        and (meeting.status == MeetingStatus.HELD or started)
    )
    can_follow_up = can_record and active
    if can_follow_up and follow_up_form is None:
        follow_up_form = FollowUpForm(owners=_owner_choices(engagement), prefix="next")
    context = {
        "engagement": engagement,
        "meeting": meeting,
        "stages": stages,
        "minutes_visible": minutes_visible,
        "has_minutes": minutes_visible and (meeting.summary or any(meeting.stage_notes)),
        "form": form,
        "can_change": meeting.status == MeetingStatus.PLANNED and writes and active,
        "can_cancel": meeting.status == MeetingStatus.PLANNED and writes,
        # the guide is for those who may write the minutes
        "can_guide": can_record and bool(meeting.agenda),
        "participants": participants,
        "attendance": _attendance_text(participants),
        "can_attendance": can_attendance,
        "attendance_error": attendance_error,
        "follow_ups": followups.follow_ups_of_meeting(user, meeting),
        "follow_up_form": follow_up_form if can_follow_up else None,
        **_when_rows(meeting, user),
    }
    return render(request, "meetings/meeting_detail.html", context, status=status)


def _owner_choices(engagement: Engagement) -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in followups.owner_choices(engagement)]


@never_cache
@login_required
def meeting_reschedule(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, engagement_pk, pk)
    engagement = meeting.engagement
    user = request.user
    if not policy.allowed(user, Action.ADD_NOTE, engagement):
        return forbidden(request, _("Only the engagement's coaches and coachees move meetings."))
    if meeting.status != MeetingStatus.PLANNED:
        messages.info(
            request,
            _("This meeting is %s; it can't be moved.") % meeting.get_status_display().lower(),
        )
        return redirect(meeting)
    kind = services.meeting_kind(meeting)
    modes: list[str] = [str(m) for m in (kind.modes if kind else MeetingMode.values)]
    if meeting.mode not in modes:
        modes.append(meeting.mode)
    start = times.local(meeting.starts_at, meeting.time_zone)
    form = RescheduleForm(
        request.POST if request.method == "POST" else None,
        modes=modes,
        zones=times.zone_choices(meeting.time_zone, _viewer_zone(user)),
        initial={
            "starts_at": start.replace(tzinfo=None),
            "ends_at": times.local(meeting.ends_at, meeting.time_zone).time(),
            "time_zone": meeting.time_zone,
            "mode": meeting.mode,
            "location": meeting.location,
            "link": meeting.link,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_reschedule(
                    actor=user,
                    meeting=meeting,
                    starts_at=data["starts_at"],
                    ends_at=form.end_datetime(),
                    minutes=data["minutes"],
                    time_zone=data["time_zone"] or None,
                    mode=data["mode"],
                    location=data["location"],
                    link=data["link"],
                    reason=data["reason"],
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                if err.status == 409:
                    messages.error(request, err.message)
                    return redirect(meeting)
                add_domain_error(form, err)
            else:
                messages.success(
                    request, _("“%s” is moved; everyone invited is told.") % meeting.title
                )
                return redirect(meeting)
        status = 422
    context = {
        "engagement": engagement,
        "meeting": meeting,
        "form": form,
        **_when_rows(meeting, user),
    }
    return render(request, "meetings/meeting_reschedule.html", context, status=status)


@never_cache
@login_required
def meeting_cancel(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """GET asks for confirmation and a reason; POST cancels."""
    meeting = _meeting_or_404(request, engagement_pk, pk)
    policy.require(request.user, Action.ADD_NOTE, meeting.engagement)
    if meeting.status != MeetingStatus.PLANNED and request.method != "POST":
        messages.info(
            request,
            _("This meeting is %s; it can't be cancelled.") % meeting.get_status_display().lower(),
        )
        return redirect(meeting)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if meeting.status == MeetingStatus.HELD:
            messages.error(request, _("A meeting that was held can't be cancelled."))
            return redirect(meeting)
        if form.is_valid():
            try:
                services.meeting_cancel(
                    actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                if err.field is None:
                    messages.error(request, err.message)
                    return redirect(meeting)
                add_domain_error(form, err)
            else:
                messages.success(request, _("“%s” is cancelled.") % meeting.title)
                return redirect(meeting)
        status = 422
    context = {"meeting": meeting, "engagement": meeting.engagement, "form": form}
    context.update(_when_rows(meeting, request.user))
    return render(request, "meetings/meeting_cancel.html", context, status=status)


@never_cache
@login_required
def meeting_attendance(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """POST: who attended, one choice per participant (attended_<user id> = yes, no or blank)."""
    meeting = _meeting_or_404(request, engagement_pk, pk)
    if request.method != "POST":
        return redirect(meeting)
    attended: dict[int, bool] = {}
    for key, value in request.POST.items():
        if key.startswith("attended_") and key[9:].isdigit() and value in ("yes", "no"):
            attended[int(key[9:])] = value == "yes"
    try:
        services.meeting_attendance(actor=request.user, meeting=meeting, attended=attended)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        return _detail_page(request, meeting, attendance_error=err.message, status=422)
    messages.success(request, _("Attendance saved."))
    return redirect(meeting.get_absolute_url() + "#attendance")


@never_cache
@login_required
def follow_up_add(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, engagement_pk, pk)
    if request.method != "POST":
        return redirect(meeting)
    form = FollowUpForm(request.POST, owners=_owner_choices(meeting.engagement), prefix="next")
    if form.is_valid():
        data = form.cleaned_data
        try:
            followups.follow_up_add(
                actor=request.user,
                meeting=meeting,
                text=data["text"],
                owner=data["owner"] or None,
                due_on=data["due_on"],
            )
        except DomainError as err:
            if err.status == 403:
                return forbidden(request, err.message)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Next step added."))
            return redirect(meeting.get_absolute_url() + "#next-steps")
    return _detail_page(request, meeting, follow_up_form=form, status=422)


@never_cache
@login_required
def follow_up_done(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """POST done=1 marks a next step done, done=0 reopens it; back to where the form was."""
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    follow_up = policy.get_visible_or_404(request.user, FollowUp, pk, engagement=engagement)
    follow_up.engagement = engagement
    back = request.POST.get("next", "")
    if not back or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = (
            follow_up.meeting.get_absolute_url() + "#next-steps"
            if follow_up.meeting
            else engagement.get_absolute_url()
        )
    if request.method != "POST":
        return redirect(back)
    done = request.POST.get("done") == "1"
    try:
        followups.follow_up_done(actor=request.user, follow_up=follow_up, done=done)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("“%s” is done.") % follow_up.text
            if done
            else _("“%s” is open again.") % follow_up.text,
        )
    return redirect(back)


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
