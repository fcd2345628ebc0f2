"""Meeting pages: the engagement's meetings with a form to schedule one of the playbook's meeting
types, a meeting with its agenda and minutes, and cancelling. That a meeting happened is metadata
for everyone who sees the engagement; its minutes are content, read through the policy."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, forbidden, paginate
from coachloop.meetings import services
from coachloop.meetings.forms import MinutesForm, ScheduleForm
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
    context = {
        "engagement": engagement,
        "meeting": meeting,
        "stages": stages,
        "minutes_visible": minutes_visible,
        "has_minutes": minutes_visible and (meeting.summary or any(meeting.stage_notes)),
        "form": form,
        "can_cancel": meeting.status == MeetingStatus.PLANNED
        and policy.allowed(user, Action.ADD_NOTE, engagement),
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
