"""Message and check-in pages. Threads are for the engagement's coaches and coachees only (404
for everyone else); check-ins are listed at their visibility for whoever sees the engagement and
logged by its team. Files download as attachments only, after the policy check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.engagements.services import default_visibility
from coachloop.lib import exports
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, attachment, form_error_status, paginate
from coachloop.meetings import times
from coachloop.messaging import selectors, services
from coachloop.messaging.forms import ContactFilterForm, ContactForm, ReplyForm, ThreadForm
from coachloop.messaging.models import Question


def _active(engagement: Engagement) -> bool:
    return engagement.status != EngagementStatus.COMPLETED


@never_cache
@login_required
def thread_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = selectors.messages_engagement_or_404(request.user, pk)
    search = request.GET.get("q", "")[:100]
    context = {
        "engagement": engagement,
        "page": paginate(
            request, selectors.thread_list(user=request.user, engagement=engagement, search=search)
        ),
        "search": search,
        "can_write": _active(engagement),
    }
    return render(request, "messaging/thread_list.html", context)


def _people(request: AuthedRequest, engagement: Engagement) -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in services.team_members(engagement) if u.pk != request.user.pk]


@never_cache
@login_required
def thread_create(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = selectors.messages_engagement_or_404(request.user, pk)
    coachee = services.is_coachee(request.user, engagement)
    form = ThreadForm(
        request.POST or None,
        request.FILES or None,
        people=_people(request, engagement),
        coachee=coachee,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = services.thread_create(
                    actor=request.user,
                    engagement=engagement,
                    subject=data["subject"],
                    body=data["body"],
                    recipient_ids=data["recipients"],
                    files=data["attachments"],
                    needs_answer=bool(data.get("needs_answer")),
                )
            except DomainError as err:
                status = form_error_status(err, request)
                if status == 422:
                    add_domain_error(form, err)
            else:
                messages.success(request, _("Your message was sent."))
                return redirect(thread)
        else:
            status = 422
    context = {"engagement": engagement, "form": form, "can_write": _active(engagement)}
    return render(request, "messaging/thread_form.html", context, status=status)


@never_cache
@login_required
def thread_detail(request: AuthedRequest, epk: int, pk: int) -> HttpResponse:
    engagement = selectors.messages_engagement_or_404(request.user, epk)
    thread = selectors.thread_read(user=request.user, engagement=engagement, pk=pk)
    coachee = services.is_coachee(request.user, engagement)
    form = ReplyForm(request.POST or None, request.FILES or None, coachee=coachee)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.message_reply(
                    actor=request.user,
                    thread=thread,
                    body=data["body"],
                    files=data["attachments"],
                    needs_answer=bool(data.get("needs_answer")),
                )
            except DomainError as err:
                status = form_error_status(err, request)
                if status == 422:
                    add_domain_error(form, err)
            else:
                messages.success(request, _("Your reply was sent."))
                return redirect(thread)
        else:
            status = 422
    context: dict[str, Any] = {
        "engagement": engagement,
        "thread": thread,
        "recipients": selectors.recipients_of(thread),
        "thread_messages": selectors.thread_messages(thread),
        "form": form,
        "can_write": _active(engagement),
    }
    return render(request, "messaging/thread_detail.html", context, status=status)


@never_cache
@login_required
def message_attachment(request: AuthedRequest, epk: int, pk: int) -> FileResponse:
    engagement = selectors.messages_engagement_or_404(request.user, epk)
    found = selectors.attachment_read(user=request.user, engagement=engagement, pk=pk)
    return attachment(found.file, found.name, found.content_type)


def _question_label(question: Question, zone: str) -> str:
    asked = question.asked_at.astimezone(times.stored_zone(zone))
    return _("“%(subject)s”, asked by %(person)s on %(when)s") % {
        "subject": question.thread.subject,
        "person": question.asked_by,
        "when": formats.date_format(asked, "j M Y, H:i"),
    }


@never_cache
@login_required
def contact_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The check-ins the viewer may read, filtered by method, as a page or CSV; the form to log
    one for the engagement's coaches and coachees."""
    user = request.user
    engagement = policy.get_visible_or_404(user, Engagement, pk)
    filters = ContactFilterForm(request.GET or None, auto_id="filter_%s")
    method = filters.cleaned_data.get("method", "") if filters.is_valid() else ""
    contacts = selectors.contact_list(user=user, engagement=engagement, method=method)
    if request.GET.get("format") == "csv":
        header, rows = selectors.contact_table(user, list(contacts))
        response = HttpResponse(
            exports.table_csv(header, rows), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="check-ins-{engagement.pk}-{stamp}.csv"'
        )
        return response
    can_log = _active(engagement) and policy.allowed(user, Action.ADD_NOTE, engagement)
    zone = times.zone_of(user)
    form = None
    status = 200
    if can_log or request.method == "POST":
        questions = (
            [(q.pk, _question_label(q, zone)) for q in services.open_questions(engagement)]
            if services.is_coach(user, engagement)
            else []
        )
        form = ContactForm(
            request.POST or None,
            default_visibility=default_visibility(engagement, "contact"),
            zone=zone,
            questions=questions,
        )
    if request.method == "POST":
        policy.require(user, Action.ADD_NOTE, engagement)
        assert form is not None
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                occurred_at = times.to_aware(data["occurred_at"], zone, field="occurred_at")
                services.contact_log(
                    actor=user,
                    engagement=engagement,
                    method=data["method"],
                    occurred_at=occurred_at,
                    note=data["note"],
                    visibility=data["visibility"],
                    answered_ids=data.get("answered") or [],
                )
            except DomainError as err:
                status = form_error_status(err, request)
                if status == 422:
                    add_domain_error(form, err)
            else:
                messages.success(request, _("Check-in logged."))
                return redirect("contact_list", engagement.pk)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query["format"] = "csv"
    context = {
        "engagement": engagement,
        "filters": filters,
        "method": method,
        "page": paginate(request, contacts),
        "form": form if can_log else None,
        "zone": zone,
        "export_query": export_query.urlencode(),
        "can_read_messages": policy.allowed(user, Action.ADD_NOTE, engagement),
    }
    return render(request, "messaging/contact_list.html", context, status=status)
