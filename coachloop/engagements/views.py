"""Pages of an engagement: its timeline of phases and steps, the agreement, the playbook's forms,
resources, notes and the CSV export. Each view: find the engagement through the policy, parse
the input with a form, call a service or selector, then render or redirect. Confidential content
is only ever read through the policy's querysets."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.engagements import selectors, services
from coachloop.engagements.forms import (
    AgreementTextForm,
    AnswerForm,
    ChecklistForm,
    CompleteForm,
    NoteForm,
    ResourceForm,
    SignForm,
    StepDueForm,
    StepIndexForm,
    StepSkipForm,
    build_answer_form,
)
from coachloop.engagements.models import (
    Engagement,
    EngagementStatus,
    FormResponse,
    ParticipantRole,
    Resource,
    StepProgress,
    StepStatus,
)
from coachloop.lib.errors import DomainError
from coachloop.lib.exports import safe_cell
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import (
    add_domain_error,
    attachment,
    forbidden,
    is_fragment_request,
    paginate,
)
from coachloop.meetings import followups
from coachloop.meetings.models import MeetingMode, MeetingStatus
from coachloop.playbooks import schema

STEP_ACTIONS = ("tick", "untick", "complete", "reopen", "skip", "due")


def _spec_or_404(engagement: Engagement) -> schema.Playbook:
    spec = engagement.spec
    if spec is None:
        raise Http404
    return spec


# --- The list -------------------------------------------------------------------------------------


@login_required
def engagement_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    engagements = selectors.engagement_list(user=request.user, query=query)
    engagements = selectors.with_progress(engagements).order_by("-starts_on", "title", "pk")
    page = paginate(request, engagements)
    rows = selectors.with_versions(list(page.object_list))
    for engagement in rows:
        spec = engagement.spec
        phase = (
            next((p for p in spec.phases if p.key == engagement.current_phase), None)
            if spec
            else None
        )
        engagement.phase_title = phase.title if phase else ""  # type: ignore[attr-defined]
    page.object_list = rows
    context = {"page": page, "query": query}
    template = "engagements/engagement_list.html"
    if is_fragment_request(request):
        template += "#results"
    return render(request, template, context)


# --- The engagement page --------------------------------------------------------------------------


@dataclass
class StepItem:
    """One step as the engagement page shows it, with what this user may do to it."""

    row: StepProgress
    spec: schema.StepSpec
    overdue: bool
    checklist: list[tuple[int, str, bool]]
    owner_label: str
    also_labels: list[str]
    can_work: bool
    can_set_due: bool
    is_current: bool = False
    note: str = ""
    link_url: str = ""
    link_label: str = ""

    @property
    def key(self) -> str:
        return self.row.step_key

    @property
    def ticked(self) -> int:
        return sum(1 for _i, _item, done in self.checklist if done)

    @property
    def can_complete(self) -> bool:
        return self.can_work and self.row.is_open and self.row.kind == "task"

    @property
    def can_reopen(self) -> bool:
        return (
            self.can_work
            and not self.row.is_open
            and (self.row.kind == "task" or self.row.status == StepStatus.SKIPPED)
        )

    @property
    def can_skip(self) -> bool:
        return self.can_work and self.row.is_open and not self.row.required


@dataclass
class PhaseItem:
    spec: schema.PhaseSpec
    state: str
    done: int
    total: int
    steps: list[StepItem]

    @property
    def state_label(self) -> str:
        return {
            "done": _("Done"),
            "current": _("Current phase"),
            "upcoming": _("Upcoming"),
        }[self.state]


def _step_link(engagement: Engagement, spec: schema.StepSpec) -> tuple[str, str]:
    """Where the work of a step that is not a plain task is done."""
    pk = engagement.pk
    kind = spec.kind
    if kind == "form" and spec.form:
        return reverse("form_fill", args=[pk, spec.form]), _("Open the form")
    if kind == "meeting":
        url = reverse("meeting_list", args=[pk])
        return (f"{url}?type={spec.meeting}" if spec.meeting else url), _("Open the meetings")
    if kind == "score" and spec.rubric:
        return reverse("score_create", args=[pk, spec.rubric]), _("Score the performance")
    if kind == "agreement":
        return reverse("agreement", args=[pk]), _("Open the agreement")
    if kind in ("plan", "plan_approval"):
        return reverse("plan_detail", args=[pk]), _("Open the plan")
    if kind == "feedback":
        return reverse("feedback_list", args=[pk]), _("Open the anonymous feedback")
    if kind == "portfolio":
        return reverse("portfolio_list", args=[pk]), _("Open the portfolio")
    if kind in ("survey", "resurvey"):
        return reverse("administration_list") + f"?engagement={pk}", _("Open the surveys")
    if kind in ("target_areas", "school_actions", "check_in"):
        return reverse("engagement_improvement", args=[pk]), _("Open the action plan")
    return "", ""


def _step_item(
    engagement: Engagement,
    spec: schema.Playbook,
    view: selectors.StepView,
    roles: set[str],
    can_set_due: bool,
) -> StepItem:
    row = view.row
    active = engagement.status == EngagementStatus.ACTIVE
    workers = {ParticipantRole.COACH, row.owner_role, *view.spec.also}
    url, label = _step_link(engagement, view.spec)
    return StepItem(
        row=row,
        spec=view.spec,
        overdue=view.overdue,
        checklist=view.checklist,
        owner_label=spec.role_label(row.owner_role),
        also_labels=[spec.role_label(r) for r in view.spec.also],
        can_work=active and bool(roles & workers),
        can_set_due=active and can_set_due and row.is_open,
        note=view.note,
        link_url=url,
        link_label=label,
    )


def _phase_items(
    engagement: Engagement, page: selectors.EngagementPage, can_set_due: bool
) -> list[PhaseItem]:
    assert page.spec is not None
    current = page.current_step.row.pk if page.current_step else None
    phases = []
    for phase in page.phases:
        steps = []
        for view in phase.steps:
            item = _step_item(engagement, page.spec, view, page.roles, can_set_due)
            item.is_current = view.row.pk == current
            steps.append(item)
        phases.append(PhaseItem(phase.spec, phase.state, phase.done, phase.total, steps))
    return phases


def _fillable_forms(spec: schema.Playbook, roles: set[str]) -> list[schema.FormSpec]:
    return [f for f in spec.forms if not f.anonymous and roles & set(f.filled_by)]


@never_cache
@login_required
def engagement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    can_add = policy.allowed(request.user, Action.ADD_NOTE, engagement)
    form = NoteForm(request.POST or None) if can_add else None
    status = 200
    if request.method == "POST":
        policy.require(request.user, Action.ADD_NOTE, engagement)
        assert form is not None
        if form.is_valid():
            try:
                services.note_create(actor=request.user, engagement=engagement, **form.cleaned_data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Note saved."))
                return redirect(engagement)
        status = 422
    return _engagement_page(request, engagement, form, status)


def _engagement_page(
    request: AuthedRequest, engagement: Engagement, note_form: NoteForm | None, status: int
) -> HttpResponse:
    user = request.user
    page = selectors.engagement_page(user=user, engagement=engagement)
    spec = page.spec
    can_steer = page.can_coach or page.can_manage
    version = engagement.playbook_version
    # one line per person: a peer coach is also a peer coachee
    labels: dict[int, tuple[Any, list[str]]] = {}
    for p in page.participants:
        label = spec.role_label(p.role) if spec else p.get_role_display()
        labels.setdefault(p.user_id, (p, []))[1].append(str(label))
    participants = [(p, ", ".join(names)) for p, names in labels.values()]
    meetings = (
        policy.meetings_visible_to(user)
        .filter(engagement=engagement, starts_at__gte=timezone.now() - datetime.timedelta(days=1))
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")[:5]
    )
    phases = _phase_items(engagement, page, can_steer) if spec else []
    context = {
        "engagement": engagement,
        "page": page,
        "spec": spec,
        "version": version,
        "participants": participants,
        "phases": phases,
        # Other phases list their steps briefly; ?phase=<key> opens one in full.
        "open_phase": request.GET.get("phase", "")[:60],
        "current_step": next((s for p in phases for s in p.steps if s.is_current), None),
        "can_steer": can_steer and engagement.status == EngagementStatus.ACTIVE,
        "is_active": engagement.status == EngagementStatus.ACTIVE,
        "complete_form": CompleteForm(),
        "notes": selectors.note_list(user=user, engagement=engagement)[:20],
        "form": note_form,
        "answers": selectors.form_responses(user=user, engagement=engagement)[:20],
        "fillable": _fillable_forms(spec, page.roles) if spec else [],
        "resources": selectors.resources(user=user, engagement=engagement)[:20],
        "meetings": list(meetings),
        # agreed next steps still open, as far as the user may read them
        "follow_ups": list(
            followups.follow_ups_for(user, engagement).filter(done_at__isnull=True)[:10]
        ),
        "today": timezone.localdate(),
    }
    return render(request, "engagements/engagement_detail.html", context, status=status)


# --- Steps ----------------------------------------------------------------------------------------


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check what you entered.")


def _run_step_action(
    request: AuthedRequest, action: str, step: StepProgress
) -> tuple[StepProgress, str]:
    """Parse the input of one step action and call its service; DomainError when refused."""
    user = request.user
    if action in ("tick", "untick") and request.POST.get("checklist"):
        checklist = ChecklistForm(request.POST, size=len(step.checklist_done))
        if not checklist.is_valid():
            raise DomainError(_first_error(checklist))
        wanted = set(checklist.cleaned_data["items"])
        with transaction.atomic():  # the whole checklist, or none of it
            for index, done in enumerate(list(step.checklist_done)):
                if bool(done) != (index in wanted):
                    step = services.step_tick(
                        actor=user, step=step, index=index, done=index in wanted
                    )
        return step, _("Checklist saved.")
    if action in ("tick", "untick"):
        form = StepIndexForm(request.POST)
        if not form.is_valid():
            raise DomainError(_("Choose a checklist item."))
        done = action == "tick"
        step = services.step_tick(
            actor=user, step=step, index=form.cleaned_data["index"], done=done
        )
        return step, _("Checklist saved.")
    if action == "complete":
        step = services.step_complete(actor=user, step=step, note=request.POST.get("note", ""))
        return step, _("“%s” is done.") % step.title
    if action == "reopen":
        step = services.step_reopen(actor=user, step=step)
        return step, _("“%s” is open again.") % step.title
    if action == "skip":
        skip = StepSkipForm(request.POST)
        if not skip.is_valid():
            raise DomainError(_first_error(skip))
        step = services.step_skip(actor=user, step=step, reason=skip.cleaned_data["reason"])
        return step, _("“%s” is marked as not needed.") % step.title
    due = StepDueForm(request.POST)
    if not due.is_valid():
        raise DomainError(_first_error(due), field="due_on")
    step = services.step_set_due(actor=user, step=step, due_on=due.cleaned_data["due_on"])
    return step, _("“%(step)s” is now due on %(date)s.") % {
        "step": step.title,
        "date": date_format(step.due_on),
    }


@login_required
@require_POST
def step_action(request: AuthedRequest, pk: int, step_pk: int, action: str) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    step = get_object_or_404(engagement.steps, pk=step_pk)
    if action not in STEP_ACTIONS:
        raise Http404
    step.engagement = engagement
    anchor = f"{engagement.get_absolute_url()}?phase={step.phase_key}#step-{step.step_key}"
    fragment = is_fragment_request(request) and action in ("tick", "untick")
    try:
        step, done_message = _run_step_action(request, action, step)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        if err.status == 404:
            raise Http404 from None
        if fragment:
            step.refresh_from_db()
            return _step_fragment(request, engagement, step, error=err.message)
        messages.error(request, err.message)
        return redirect(anchor)
    if fragment:
        return _step_fragment(request, engagement, step, status_message=done_message)
    messages.success(request, done_message)
    return redirect(anchor)


def _step_fragment(
    request: AuthedRequest,
    engagement: Engagement,
    step: StepProgress,
    *,
    error: str = "",
    status_message: str = "",
) -> HttpResponse:
    """The step's part of the page, for htmx. Errors come back with 200 so htmx swaps them in
    (its default leaves 4xx answers unswapped); the message is shown as an alert."""
    page = selectors.engagement_page(user=request.user, engagement=engagement)
    assert page.spec is not None
    can_set_due = page.can_coach or page.can_manage
    item = None
    for phase in _phase_items(engagement, page, can_set_due):
        for candidate in phase.steps:
            if candidate.row.pk == step.pk:
                item = candidate
    if item is None:
        raise Http404
    html = render_to_string(
        "engagements/includes/step.html",
        {
            "engagement": engagement,
            "item": item,
            "step_error": error,
            "step_message": status_message,
            "today": timezone.localdate(),
        },
        request=request,
    )
    return HttpResponse(html)


@login_required
@require_POST
def phase_advance(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    try:
        engagement = services.phase_advance(actor=request.user, engagement=engagement)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        messages.error(request, err.message)
    else:
        spec = engagement.spec
        title = spec.phase(engagement.current_phase).title if spec else engagement.current_phase
        messages.success(request, _("The engagement has moved to %s.") % title)
    return redirect(f"{engagement.get_absolute_url()}#phases")


@login_required
@require_POST
def engagement_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    form = CompleteForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        services.engagement_complete(actor=request.user, engagement=engagement, message=message)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        messages.error(request, err.message)
    else:
        messages.success(
            request, _("The engagement is complete. Everyone in it has been told. Well done!")
        )
    return redirect(engagement)


# --- Agreement ------------------------------------------------------------------------------------


@never_cache
@login_required
def agreement(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    spec = _spec_or_404(engagement)
    user = request.user
    roles = policy.participant_roles(user, engagement)
    signers = set(spec.agreement.signers) if spec.agreement else set()
    can_change = spec.agreement is not None and (
        policy.allowed(user, Action.COACH, engagement)
        or policy.allowed(user, Action.MANAGE, engagement)
    )
    sign_form = SignForm(prefix="sign")
    text_form = AgreementTextForm(prefix="text", initial={"text": engagement.agreement_text})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "change":
            if not can_change:
                return forbidden(request)
            text_form = AgreementTextForm(request.POST, prefix="text")
            if text_form.is_valid():
                try:
                    services.agreement_update_text(
                        actor=user, engagement=engagement, text=text_form.cleaned_data["text"]
                    )
                except DomainError as err:
                    if err.status == 403:
                        return forbidden(request, err.message)
                    add_domain_error(text_form, err)
                else:
                    messages.success(
                        request, _("Agreement saved. Everyone who signed is asked to sign again.")
                    )
                    return redirect("agreement", pk=engagement.pk)
        else:
            sign_form = SignForm(request.POST, prefix="sign")
            if sign_form.is_valid():
                try:
                    services.agreement_sign(
                        actor=user, engagement=engagement, name=sign_form.cleaned_data["name"]
                    )
                except DomainError as err:
                    if err.status == 403:
                        return forbidden(request, err.message)
                    if err.status == 404:
                        raise Http404 from None
                    if err.status == 409:
                        messages.info(request, err.message)
                        return redirect("agreement", pk=engagement.pk)
                    add_domain_error(sign_form, err)
                else:
                    messages.success(request, _("You have signed the agreement. Thank you."))
                    return redirect("agreement", pk=engagement.pk)
        status = 422
    rows = services.agreement_status(engagement)
    mine = [r for r in rows if r["participant"].user_id == user.pk]
    must_sign = bool(roles & signers) and any(r["state"] != "signed" for r in mine)
    context = {
        "engagement": engagement,
        "spec": spec,
        "rows": rows,
        "mine": mine,
        "must_sign": must_sign and engagement.status == EngagementStatus.ACTIVE,
        "sign_form": sign_form,
        "text_form": text_form if can_change else None,
    }
    return render(request, "engagements/agreement.html", context, status=status)


# --- Playbook forms -------------------------------------------------------------------------------


def _answer_rows(spec: schema.FormSpec, data: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(f.label, data.get(f.key, "")) for f in spec.fields]


def _form_spec_or_404(engagement: Engagement, form_key: str) -> schema.FormSpec:
    try:
        return services.form_for(engagement, form_key)
    except DomainError:
        raise Http404 from None


@never_cache
@login_required
def form_fill(request: AuthedRequest, pk: int, form_key: str) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    spec = _form_spec_or_404(engagement, form_key)
    user = request.user
    roles = policy.participant_roles(user, engagement)
    fills = bool(roles & set(spec.filled_by))
    previous = selectors.form_responses(user=user, engagement=engagement).filter(form_key=form_key)
    own = previous.filter(author=user).first() if not spec.repeatable else None
    active = engagement.status == EngagementStatus.ACTIVE
    default = services.default_visibility(engagement, "form", spec)
    form: AnswerForm | None = None
    status = 200
    if fills and active and own is None:
        form = build_answer_form(
            spec, visibility=default, data=request.POST if request.method == "POST" else None
        )
    if request.method == "POST":
        if form is None:
            if not fills:
                return forbidden(
                    request, _("Your role in this engagement does not fill in this form.")
                )
            messages.info(
                request,
                _("This engagement is complete.")
                if not active
                else _("You have already filled in this form; change your answer instead."),
            )
            return redirect("form_fill", pk=engagement.pk, form_key=form_key)
        if form.is_valid():
            try:
                services.form_submit(
                    actor=user,
                    engagement=engagement,
                    form_key=form_key,
                    data=form.answers(),
                    visibility=form.cleaned_data[form.visibility_name],
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                form.add_service_errors(err.errors, err.message)
            else:
                messages.success(request, _("Your answers to “%s” are saved.") % spec.title)
                return redirect("form_fill", pk=engagement.pk, form_key=form_key)
        status = 422
    playbook = _spec_or_404(engagement)
    fillers = [playbook.role_label(r).lower() for r in spec.filled_by]
    page = paginate(request, previous)
    context = {
        "engagement": engagement,
        "spec": spec,
        "form": form,
        "fills": fills,
        "active": active,
        "own": own,
        "fillers": fillers,
        "page": page,
        "answers": [(r, _answer_rows(spec, r.data)) for r in page.object_list],
    }
    return render(request, "engagements/form_fill.html", context, status=status)


@never_cache
@login_required
def form_response_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    response = policy.get_visible_or_404(request.user, FormResponse, pk, engagement=engagement)
    user = request.user
    spec = _form_spec_or_404(engagement, response.form_key)
    roles = policy.participant_roles(user, engagement)
    can_edit = (
        response.author_id == user.pk
        and engagement.status == EngagementStatus.ACTIVE
        and bool(roles & set(spec.filled_by))
    )
    form: AnswerForm | None = None
    status = 200
    if can_edit:
        initial = {**response.data}
        if request.method == "POST":
            form = build_answer_form(spec, visibility=response.visibility, data=request.POST)
        else:
            form = build_answer_form(spec, visibility=response.visibility, initial=initial)
            form.initial[form.visibility_name] = response.visibility
    if request.method == "POST":
        if form is None:
            return forbidden(request, _("Only its author changes an answer."))
        if form.is_valid():
            try:
                services.form_submit(
                    actor=user,
                    engagement=engagement,
                    form_key=response.form_key,
                    data=form.answers(),
                    visibility=form.cleaned_data[form.visibility_name],
                    response=response,
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                form.add_service_errors(err.errors, err.message)
            else:
                messages.success(request, _("Your answer is saved."))
                return redirect(response)
        status = 422
    context = {
        "engagement": engagement,
        "response": response,
        "spec": spec,
        "rows": _answer_rows(spec, response.data),
        "form": form,
    }
    return render(request, "engagements/form_response_detail.html", context, status=status)


# --- Resources ------------------------------------------------------------------------------------


@never_cache
@login_required
def resource_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    user = request.user
    can_add = policy.allowed(user, Action.ADD_NOTE, engagement)
    form = ResourceForm(request.POST or None, request.FILES or None) if can_add else None
    status = 200
    if request.method == "POST":
        if form is None:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.resource_add(
                    actor=user,
                    engagement=engagement,
                    title=data["title"],
                    url=data["url"].strip(),
                    upload=data["file"],
                    visibility=data["visibility"],
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Resource added."))
                return redirect("resource_list", pk=engagement.pk)
        status = 422
    context = {
        "engagement": engagement,
        "page": paginate(request, selectors.resources(user=user, engagement=engagement)),
        "form": form,
    }
    return render(request, "engagements/resource_list.html", context, status=status)


@never_cache
@login_required
def resource_download(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponseBase:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    resource = policy.get_visible_or_404(request.user, Resource, pk, engagement=engagement)
    if not resource.file:
        if resource.url.startswith(("https://", "http://")):
            return redirect(resource.url)
        raise Http404
    return attachment(resource.file, resource.filename, resource.content_type)


# --- Notes ----------------------------------------------------------------------------------------


@never_cache
@login_required
def note_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    note = selectors.note_read(user=request.user, engagement=engagement, pk=pk)
    return render(request, "engagements/note_detail.html", {"engagement": engagement, "note": note})


# --- Export ---------------------------------------------------------------------------------------


def _when(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value.isoformat())


@never_cache
@login_required
def engagement_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The engagement as the requesting user may see it: steps (metadata), then notes, form
    answers and meeting minutes, each read only through the policy's querysets."""
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    user = request.user
    spec = engagement.spec
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="engagement-{engagement.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    out = csv.writer(response)

    def row(*cells: Any) -> None:
        out.writerow([safe_cell("" if c is None else str(c)) for c in cells])

    row(_("Engagement"), engagement.title)
    row(_("Programme"), engagement.programme)
    row(_("Organisation"), engagement.organisation)
    row(_("Starts"), _when(engagement.starts_on))
    row(_("Status"), engagement.get_status_display())
    row()
    row(_("Steps"))
    row(
        _("Phase"),
        _("Step"),
        _("Owner"),
        _("Due"),
        _("Status"),
        _("Completed by"),
        _("Completed at"),
    )
    phases = {p.key: p.title for p in spec.phases} if spec else {}
    steps = (
        policy.steps_visible_to(user).filter(engagement=engagement).select_related("completed_by")
    )
    for step in steps.order_by("position"):
        row(
            phases.get(step.phase_key, step.phase_key),
            step.title,
            spec.role_label(step.owner_role) if spec else step.owner_role,
            _when(step.due_on),
            step.get_status_display(),
            step.completed_by or "",
            _when(step.completed_at),
        )
    row()
    row(_("Notes"))
    row(_("Title"), _("Author"), _("Written"), _("Who can read it"), _("Note"))
    for note in (
        policy.notes_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        row(
            note.title,
            note.author,
            _when(note.created_at),
            Visibility(note.visibility).label,
            note.body,
        )
    row()
    row(_("Form answers"))
    row(_("Form"), _("Author"), _("Written"), _("Who can read it"), _("Question"), _("Answer"))
    forms_by_key = {f.key: f for f in spec.forms} if spec else {}
    for answer in (
        policy.form_responses_visible_to(user)
        .filter(engagement=engagement)
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        form_spec = forms_by_key.get(answer.form_key)
        labels = {f.key: f.label for f in form_spec.fields} if form_spec else {}
        for key, value in answer.data.items():
            row(
                answer.title,
                answer.author,
                _when(answer.created_at),
                Visibility(answer.visibility).label,
                labels.get(key, key),
                value,
            )
    row()
    row(_("Meetings"))
    row(_("Meeting"), _("Starts"), _("Mode"), _("Status"), _("Agenda stage"), _("Minutes"))
    readable = set(
        policy.meeting_minutes_visible_to(user)
        .filter(engagement=engagement)
        .values_list("pk", flat=True)
    )
    meetings = policy.meetings_visible_to(user).filter(engagement=engagement)
    for meeting in meetings.order_by("starts_at", "pk"):
        row(
            meeting.title,
            _when(meeting.starts_at),
            MeetingMode(meeting.mode).label,
            MeetingStatus(meeting.status).label,
        )
        if meeting.pk not in readable:
            continue
        for stage, note in zip(meeting.agenda, meeting.stage_notes, strict=False):
            if note:
                row(meeting.title, "", "", "", stage.get("title", ""), note)
        if meeting.summary:
            row(meeting.title, "", "", "", _("Summary"), meeting.summary)
    audit.record(actor=user, action="engagement.export", target=engagement)
    return response
