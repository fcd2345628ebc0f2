"""Action step pages (the engagement's steps, a new step picked from the library or written by
the coach, the Study page of a step, status changes) and the library pages (browse and search,
import, export, keep categories and steps). Thin: services write, selectors read, the policy
decides; an invisible record answers 404, a visible one not yours to change 403."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.actionsteps import library as lib
from coachloop.actionsteps import selectors, services
from coachloop.actionsteps.forms import (
    ActionStepForm,
    CategoryForm,
    LibraryImportForm,
    LibraryStepForm,
    StatusForm,
    StudyResourceForm,
)
from coachloop.actionsteps.models import (
    ActionStep,
    ActionStepStatus,
    LibraryCategory,
    LibraryStep,
)
from coachloop.engagements.models import Engagement, EngagementStatus, ParticipantRole
from coachloop.engagements.services import default_visibility
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, forbidden, paginate
from coachloop.organisations.models import Organisation


def safe_next(request: AuthedRequest, value: str | None) -> str:
    """A local address to return to, or "" (never another site)."""
    local = bool(value) and value.startswith("/") and not value.startswith("//")  # type: ignore[union-attr]
    if local and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value or ""
    return ""


def _links(resources: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """Library resources that are web links (never a javascript: or data: address)."""
    return [
        {"title": str(r.get("title", "")), "url": str(r.get("url", ""))}
        for r in resources
        if str(r.get("url", "")).startswith(("https://", "http://"))
    ]


def _grouped(steps: Iterable[LibraryStep]) -> list[tuple[LibraryCategory, list[LibraryStep]]]:
    return [(cat, list(items)) for cat, items in groupby(steps, key=lambda s: s.category)]


# --- The engagement's action steps ---------------------------------------------------------------


def _can_set_steps(request: AuthedRequest, engagement: Engagement) -> bool:
    spec = engagement.spec
    return (
        spec is not None
        and spec.cycle is not None
        and engagement.status == EngagementStatus.ACTIVE
        and policy.allowed(request.user, Action.COACH, engagement)
    )


@never_cache
@login_required
def action_step_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    steps = selectors.action_steps(user=request.user, engagement=engagement)
    page = paginate(request, steps)
    context = {
        "engagement": engagement,
        "page": page,
        "current": [s for s in page.object_list if s.status == ActionStepStatus.CURRENT],
        "history": [s for s in page.object_list if s.status != ActionStepStatus.CURRENT],
        "can_create": _can_set_steps(request, engagement),
        "has_cycle": engagement.spec is not None and engagement.spec.cycle is not None,
        "in_team": policy.in_team(request.user, engagement),
    }
    return render(request, "actionsteps/action_step_list.html", context)


def _coachees(engagement: Engagement) -> list[Any]:
    return [
        p.user
        for p in engagement.participants.select_related("user")
        .filter(role=ParticipantRole.COACHEE)
        .order_by("user__family_name", "user__given_name")
    ]


@never_cache
@login_required
def action_step_new(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    user = request.user
    policy.require(user, Action.COACH, engagement)
    if not _can_set_steps(request, engagement):
        messages.error(
            request,
            _("This engagement has no action steps: it is complete, or its playbook has no cycle."),
        )
        return redirect("action_step_list", pk=engagement.pk)
    coachees = _coachees(engagement)
    data = request.POST if request.method == "POST" else None
    next_url = safe_next(request, (data or request.GET).get("next"))
    chosen: LibraryStep | None = None
    library_id = (data or request.GET).get("library_step") or request.GET.get("library")
    if library_id:
        chosen = (
            selectors.library_for_engagement(user, engagement).filter(pk=library_id).first()
            if str(library_id).isdigit()
            else None
        )
        if chosen is None and request.method == "GET":
            messages.error(request, _("That library step is not in your library."))
    initial: dict[str, Any] = {
        "visibility": default_visibility(engagement, "action_step"),
        "next": next_url,
    }
    if chosen is not None:
        initial.update(
            title=chosen.title,
            success_criteria="\n".join(chosen.success_criteria),
            model=chosen.model,
            non_examples=chosen.non_examples,
            goal=chosen.category.description,
            library_step=chosen.pk,
        )
    limit = engagement.spec.cycle.current_steps if engagement.spec and engagement.spec.cycle else 1
    current = list(
        ActionStep.objects.filter(
            engagement=engagement, status=ActionStepStatus.CURRENT, coachee__in=coachees
        ).order_by("started_on", "id")
    )
    at_limit = len(coachees) == 1 and len(current) >= limit
    form = ActionStepForm(
        data,
        coachees=coachees,
        current_titles=[s.title for s in current] if at_limit else None,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            cleaned = form.cleaned_data
            coachee_id = cleaned.get("coachee")
            coachee = next((u for u in coachees if u.pk == coachee_id), None)
            try:
                step = services.action_step_create(
                    actor=user,
                    engagement=engagement,
                    title=cleaned["title"],
                    success_criteria=form.criteria(),
                    goal=cleaned["goal"],
                    model=cleaned["model"],
                    non_examples=cleaned["non_examples"],
                    library_step=chosen,
                    visibility=cleaned["visibility"],
                    coachee=coachee,
                    replace=cleaned.get("replace") or None,
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                if err.status == 409 and "replace" not in form.fields:
                    form = ActionStepForm(
                        data,
                        coachees=coachees,
                        current_titles=[s.title for s in current],
                        initial=initial,
                    )
                    form.is_valid()
                add_domain_error(form, err)
                status = err.status if err.status == 409 else 422
            else:
                messages.success(
                    request,
                    _("“%(step)s” is %(name)s's current action step.")
                    % {"step": step.title, "name": step.coachee.given_name or step.coachee},
                )
                return redirect(next_url or step.get_absolute_url())
        else:
            status = 422
    query = request.GET.get("q", "").strip()[:200]
    library_page = paginate(
        request, selectors.library_for_engagement(user, engagement, query), per_page=30
    )
    context = {
        "engagement": engagement,
        "form": form,
        "chosen": chosen,
        "query": query,
        "library_page": library_page,
        "page": library_page,
        "groups": _grouped(library_page.object_list),
        "next_url": next_url,
        "has_library": query or selectors.library_for_engagement(user, engagement).exists(),
    }
    return render(request, "actionsteps/action_step_new.html", context, status=status)


def _step_or_404(request: AuthedRequest, engagement_pk: int, pk: int) -> ActionStep:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    step = policy.get_visible_or_404(request.user, ActionStep, pk, engagement=engagement)
    step.engagement = engagement
    return step


def _study_context(
    request: AuthedRequest, step: ActionStep, resource_form: StudyResourceForm | None = None
) -> dict[str, Any]:
    engagement = step.engagement
    user = request.user
    active = engagement.status == EngagementStatus.ACTIVE
    team = active and policy.allowed(user, Action.ADD_NOTE, engagement)
    cycle = selectors.open_cycle(user=user, engagement=engagement)
    spec = engagement.spec
    return {
        "engagement": engagement,
        "step": step,
        "resources": list(selectors.step_resources(user=user, step=step)),
        "library_resources": _links(step.library_step.resources if step.library_step else []),
        "resource_form": resource_form
        if resource_form is not None
        else (StudyResourceForm() if team else None),
        "cycle": cycle if cycle is not None and cycle.action_step_id == step.pk else None,
        "can_study": team and step.status == ActionStepStatus.CURRENT,
        "can_coach": active and policy.allowed(user, Action.COACH, engagement),
        "study_prompt": spec.cycle.study_prompt if spec and spec.cycle else "",
    }


@never_cache
@login_required
def action_step_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    step = _step_or_404(request, engagement_pk, pk)
    return render(request, "actionsteps/action_step_detail.html", _study_context(request, step))


@never_cache
@login_required
def action_step_status(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """GET asks to confirm a change of status; POST makes it."""
    step = _step_or_404(request, engagement_pk, pk)
    policy.require(request.user, Action.COACH, step.engagement)
    source = request.POST if request.method == "POST" else request.GET
    form = StatusForm(source)
    if not form.is_valid():
        messages.error(request, _("Choose current, mastered or paused."))
        return redirect(step)
    wanted = form.cleaned_data["status"]
    next_url = safe_next(request, form.cleaned_data.get("next"))
    if request.method == "POST":
        try:
            step = services.action_step_set_status(actor=request.user, step=step, status=wanted)
        except DomainError as err:
            if err.status == 403:
                return forbidden(request, err.message)
            messages.error(request, err.message)
            return redirect(step)
        labels = {
            ActionStepStatus.MASTERED: _("“%s” is mastered. Choose the next action step."),
            ActionStepStatus.PAUSED: _("“%s” is paused."),
            ActionStepStatus.CURRENT: _("“%s” is current again."),
        }
        messages.success(request, labels[ActionStepStatus(wanted)] % step.title)
        if next_url:
            return redirect(next_url)
        if wanted == ActionStepStatus.MASTERED:
            return redirect(reverse("action_step_new", args=[step.engagement_id]))
        return redirect(step)
    if step.status == wanted:
        messages.info(request, _("This step is already %s.") % step.get_status_display().lower())
        return redirect(step)
    context = {
        "engagement": step.engagement,
        "step": step,
        "status": wanted,
        "status_label": ActionStepStatus(wanted).label,
        "next_url": next_url,
    }
    return render(request, "actionsteps/action_step_status.html", context)


@require_POST
@login_required
def action_step_studied(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    step = _step_or_404(request, engagement_pk, pk)
    try:
        services.action_step_studied(actor=request.user, step=step)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        messages.error(request, err.message)
    else:
        messages.success(request, _("Study done for this cycle. Next: the observation."))
    next_url = safe_next(request, request.POST.get("next"))
    return redirect(next_url or step.get_absolute_url())


@never_cache
@login_required
def action_step_resource_add(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    step = _step_or_404(request, engagement_pk, pk)
    if request.method != "POST":
        return redirect(step)
    policy.require(request.user, Action.ADD_NOTE, step.engagement)
    form = StudyResourceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_step_add_resource(
                actor=request.user,
                step=step,
                title=data["title"],
                url=data["url"],
                upload=data["file"],
            )
        except DomainError as err:
            if err.status == 403:
                return forbidden(request, err.message)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Resource added."))
            return redirect(step.get_absolute_url() + "#resources")
    context = _study_context(request, step, resource_form=form)
    return render(request, "actionsteps/action_step_detail.html", context, status=422)


# --- The library ---------------------------------------------------------------------------------


def _organisation_param(request: AuthedRequest, value: str | None) -> Organisation | None:
    if not value:
        return None
    return policy.get_visible_or_404(request.user, Organisation, value)


def _managed_organisations(request: AuthedRequest) -> Any:
    """Organisations whose library the user keeps: their own programme-administrator ones and
    those below that already have a library or are named in the address."""
    return policy.organisations_administered_by(request.user).order_by("path")


@never_cache
@login_required
def library(request: AuthedRequest) -> HttpResponse:
    user = request.user
    organisation = _organisation_param(request, request.GET.get("organisation"))
    query = request.GET.get("q", "").strip()[:200]
    steps = selectors.library_for(user, query, organisation)
    page = paginate(request, steps)
    categories = selectors.categories_for(user, organisation)
    if query:
        empty_categories: list[LibraryCategory] = []
    else:
        with_steps = {s.category_id for s in page.object_list}
        last_page = not page.has_next()
        empty_categories = (
            [c for c in categories.filter(steps__isnull=True) if c.pk not in with_steps]
            if last_page
            else []
        )
    managed = set(policy.library_managed_by(user).values_list("pk", flat=True))
    context = {
        "page": page,
        "groups": _grouped(page.object_list),
        "empty_categories": empty_categories,
        "query": query,
        "organisation": organisation,
        "organisations": selectors.library_organisations(user),
        "managed": managed,
        "can_import": policy.organisations_administered_by(user).exists(),
        "starters": selectors.empty_managed_organisations(user),
        "has_library": categories.exists(),
    }
    return render(request, "actionsteps/library.html", context)


@require_POST
@login_required
def library_starter(request: AuthedRequest) -> HttpResponse:
    organisation = _organisation_param(request, request.POST.get("organisation"))
    if organisation is None:
        raise Http404
    try:
        result = services.library_start_from_starter(actor=request.user, organisation=organisation)
    except DomainError as err:
        if err.status == 403:
            return forbidden(request, err.message)
        messages.error(request, err.message)
        return redirect("library")
    if result.ok:
        messages.success(
            request,
            _(
                "%(org)s's library now holds Coachloop's starter library: %(c)d categories and "
                "%(s)d steps. Adapt it to your scope and sequence."
            )
            % {"org": organisation, "c": result.categories_created, "s": result.steps_created},
        )
    else:  # the shipped file is tested; this would be a broken installation
        messages.error(request, _("The starter library could not be read."))
    return redirect(reverse("library") + f"?organisation={organisation.pk}")


@never_cache
@login_required
def library_import(request: AuthedRequest) -> HttpResponse:
    user = request.user
    organisations = _managed_organisations(request)
    if not organisations.exists():
        return forbidden(request, _("Only programme administrators import a library."))
    initial = {}
    wanted = request.GET.get("organisation")
    if wanted and str(wanted).isdigit():
        initial["organisation"] = wanted
    form = LibraryImportForm(
        request.POST or None, request.FILES or None, organisations=organisations, initial=initial
    )
    result: lib.ImportResult | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            text, filename = form.content()
            organisation = form.cleaned_data["organisation"]
            try:
                result = services.library_import(
                    actor=user, organisation=organisation, text=text, filename=filename
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                add_domain_error(form, err)
            else:
                if result.ok:
                    messages.success(
                        request,
                        _(
                            "Imported into %(org)s: %(cc)d categories and %(sc)d steps added, "
                            "%(u)d changed, %(n)d unchanged."
                        )
                        % {
                            "org": organisation,
                            "cc": result.categories_created,
                            "sc": result.steps_created,
                            "u": result.categories_updated + result.steps_updated,
                            "n": result.unchanged,
                        },
                    )
                    return redirect(reverse("library") + f"?organisation={organisation.pk}")
        status = 422
    context = {"form": form, "result": result}
    return render(request, "actionsteps/library_import.html", context, status=status)


@never_cache
@login_required
def library_export(request: AuthedRequest) -> HttpResponse:
    user = request.user
    organisation = _organisation_param(request, request.GET.get("organisation"))
    if organisation is None:
        # The nearest library: the user's own organisations' first one.
        organisation = selectors.library_organisations(user).first()
        if organisation is None:
            raise Http404
    if not policy.library_visible_to(user).filter(organisation=organisation).exists() and not (
        policy.allowed(user, Action.MANAGE, organisation)
    ):
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "yaml"):
        messages.error(request, _("Export as CSV or YAML."))
        return redirect("library")
    body = services.library_export(organisation, fmt)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/yaml; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    stamp = datetime.date.today().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="library-{organisation.pk}-{stamp}.{fmt}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _library_category(request: AuthedRequest, pk: int) -> LibraryCategory:
    category = policy.get_visible_or_404(request.user, LibraryCategory, pk)
    policy.require(request.user, Action.MANAGE, category)
    return category


def _back_to_library(category: LibraryCategory) -> str:
    return reverse("library") + f"?organisation={category.organisation_id}#category-{category.pk}"


@never_cache
@login_required
def library_category_new(request: AuthedRequest) -> HttpResponse:
    organisation = _organisation_param(
        request, request.POST.get("organisation") or request.GET.get("organisation")
    )
    if organisation is None:
        organisation = _managed_organisations(request).first()
        if organisation is None:
            return forbidden(request, _("Only programme administrators keep a library."))
    if not policy.allowed(request.user, Action.MANAGE, organisation):
        return forbidden(request, _("Only programme administrators keep a library."))
    form = CategoryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                category = services.category_create(
                    actor=request.user,
                    organisation=organisation,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Category “%s” added.") % category.title)
                return redirect(_back_to_library(category))
        status = 422
    context = {"form": form, "organisation": organisation, "category": None}
    return render(request, "actionsteps/library_category_form.html", context, status=status)


@never_cache
@login_required
def library_category_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    category = _library_category(request, pk)
    initial = {"title": category.title, "description": category.description}
    form = CategoryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.category_update(
                    actor=request.user,
                    category=category,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Category saved."))
                return redirect(_back_to_library(category))
        status = 422
    context = {"form": form, "organisation": category.organisation, "category": category}
    return render(request, "actionsteps/library_category_form.html", context, status=status)


@login_required
def library_category_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the category with its steps."""
    category = _library_category(request, pk)
    if request.method == "POST":
        organisation_id = category.organisation_id
        title = category.title
        services.category_remove(actor=request.user, category=category)
        messages.success(request, _("Category “%s” removed.") % title)
        return redirect(reverse("library") + f"?organisation={organisation_id}")
    context = {
        "thing": category,
        "kind": _("category"),
        "count": category.steps.count(),
        "back": _back_to_library(category),
    }
    return render(request, "actionsteps/library_confirm_remove.html", context)


def _step_form_response(
    request: AuthedRequest,
    category: LibraryCategory,
    step: LibraryStep | None,
) -> HttpResponse:
    initial = {}
    if step is not None:
        initial = {
            "title": step.title,
            "success_criteria": "\n".join(step.success_criteria),
            "model": step.model,
            "non_examples": step.non_examples,
            "resources": "\n".join(f"{r['title']} | {r['url']}" for r in step.resources),
        }
    form = LibraryStepForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {
                "title": form.cleaned_data["title"],
                "success_criteria": form.criteria(),
                "model": form.cleaned_data["model"],
                "non_examples": form.cleaned_data["non_examples"],
                "resources": form.resource_list(),
            }
            try:
                if step is None:
                    services.library_step_create(actor=request.user, category=category, **values)
                else:
                    services.library_step_update(actor=request.user, step=step, **values)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Step “%s” saved.") % form.cleaned_data["title"])
                return redirect(_back_to_library(category))
        status = 422
    context = {"form": form, "category": category, "step": step}
    return render(request, "actionsteps/library_step_form.html", context, status=status)


@never_cache
@login_required
def library_step_new(request: AuthedRequest, pk: int) -> HttpResponse:
    return _step_form_response(request, _library_category(request, pk), None)


@never_cache
@login_required
def library_step_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    step = policy.get_visible_or_404(request.user, LibraryStep, pk)
    category = _library_category(request, step.category_id)
    return _step_form_response(request, category, step)


@never_cache
@login_required
def library_step_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    step = policy.get_visible_or_404(request.user, LibraryStep, pk)
    context = {
        "step": step,
        "category": step.category,
        "links": _links(step.resources),
        "can_manage": policy.allowed(request.user, Action.MANAGE, step.category),
    }
    return render(request, "actionsteps/library_step_detail.html", context)


@login_required
def library_step_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    step = policy.get_visible_or_404(request.user, LibraryStep, pk)
    category = _library_category(request, step.category_id)
    if request.method == "POST":
        title = step.title
        services.library_step_remove(actor=request.user, step=step)
        messages.success(request, _("Step “%s” removed from the library.") % title)
        return redirect(_back_to_library(category))
    context = {"thing": step, "kind": _("step"), "count": None, "back": _back_to_library(category)}
    return render(request, "actionsteps/library_confirm_remove.html", context)
