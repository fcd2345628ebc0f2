"""Pages of school improvement: a school's improvement plans and their goals (entered or
imported), an engagement's target areas, action steps and check-ins, and the district view.
Each view finds its records through the policy, parses the input with a form, calls a service
or selector, then renders or redirects."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement
from coachloop.engagements.services import default_visibility
from coachloop.improvement import imports, selectors, services
from coachloop.improvement.forms import (
    ActionStepForm,
    CheckInForm,
    DistrictFilterForm,
    GoalForm,
    ImportForm,
    PlanForm,
    TargetAreaForm,
)
from coachloop.improvement.models import (
    ImprovementGoal,
    ImprovementPlan,
    SchoolActionStep,
    TargetArea,
)
from coachloop.lib import exports
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate, raise_refusal
from coachloop.organisations.models import Organisation, OrganisationKind
from coachloop.plans.services import PlanConflict
from coachloop.surveys.models import Administration


def _school_or_404(request: AuthedRequest, pk: int) -> Organisation:
    school = policy.get_visible_or_404(request.user, Organisation, pk)
    if school.kind != OrganisationKind.SCHOOL:
        raise Http404
    return school


def _keep_typed(request: AuthedRequest, revision: int) -> QueryDict:
    """What the user typed, with the revision they have now seen: saving again overwrites,
    knowingly."""
    data = request.POST.copy()
    data["base"] = str(revision)
    return data


# --- Plans ----------------------------------------------------------------------------------------


@login_required
@never_cache
def improvement_plans(request: AuthedRequest, org_pk: int) -> HttpResponse:
    school = _school_or_404(request, org_pk)
    can_create = selectors.may_plan_at(request.user, school)
    form = PlanForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=request.user,
                    organisation=school,
                    title=data["title"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Improvement plan created. Add its goals."))
                return redirect(plan)
        status = 422
    context = {
        "school": school,
        "page_obj": paginate(request, selectors.school_plans(request.user, school)),
        "form": form,
        "can_create": can_create,
    }
    return render(request, "improvement/plans.html", context, status=status)


def _plan_page(
    request: AuthedRequest,
    plan: ImprovementPlan,
    *,
    plan_form: PlanForm | None = None,
    goal_form: GoalForm | None = None,
    import_form: ImportForm | None = None,
    conflict: PlanConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = policy.improvement_plans_managed_by(request.user).filter(pk=plan.pk).exists()
    initial = {
        "title": plan.title,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "base": plan.revision,
    }
    context = {
        "plan": plan,
        "school": plan.organisation,
        "goals": list(plan.goals.order_by("order", "id")),
        "can_edit": can_edit and not plan.is_archived,
        "can_archive": can_edit,
        "plan_form": plan_form or PlanForm(initial=initial),
        "goal_form": goal_form or GoalForm(initial={"base": plan.revision}),
        "import_form": import_form or ImportForm(initial={"base": plan.revision}),
        "conflict": conflict,
    }
    return render(request, "improvement/plan_detail.html", context, status=status)


def _plan_or_404(request: AuthedRequest, pk: int) -> ImprovementPlan:
    return policy.get_visible_or_404(request.user, ImprovementPlan, pk)


@login_required
@never_cache
def improvement_plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The plan and its goals; POST changes the plan's title and dates (with the revision)."""
    plan = _plan_or_404(request, pk)
    if request.method != "POST":
        return _plan_page(request, plan)
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                title=data["title"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                base=data["base"],
            )
        except PlanConflict as err:
            plan.refresh_from_db()
            form = PlanForm(_keep_typed(request, plan.revision))
            form.is_valid()
            form.add_error(None, err.message)
            return _plan_page(request, plan, plan_form=form, conflict=err, status=409)
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(plan)
    return _plan_page(request, plan, plan_form=form, status=422)


@login_required
@require_POST
def goal_add(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.goal_add(
                actor=request.user,
                plan=plan,
                title=data["title"],
                owner=data["owner"],
                measure=data["measure"],
                base=data["base"],
            )
        except PlanConflict as err:
            plan.refresh_from_db()
            form = GoalForm(_keep_typed(request, plan.revision))
            form.is_valid()
            form.add_error(None, err.message)
            return _plan_page(request, plan, goal_form=form, conflict=err, status=409)
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Goal added."))
            return redirect(f"{plan.get_absolute_url()}#goals")
    return _plan_page(request, plan, goal_form=form, status=422)


@login_required
@require_POST
def goals_import(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size and upload.size > imports.MAX_BYTES:
                raise imports.ImportProblems(
                    [
                        _("The file is larger than %(kb)d KB; a plan's goals fit in far less.")
                        % {"kb": imports.MAX_BYTES // 1024}
                    ]
                )
            goals = services.goals_import(
                actor=request.user,
                plan=plan,
                data=upload.read(),
                filename=upload.name or "",
                base=form.cleaned_data["base"],
            )
        except PlanConflict as err:
            plan.refresh_from_db()
            form = ImportForm(initial={"base": plan.revision})
            form.add_error(None, err.message)
            return _plan_page(request, plan, import_form=form, conflict=err, status=409)
        except imports.ImportProblems as err:
            form.add_error(None, err.message.splitlines()[0])
            for line in err.problems:
                form.add_error("file", line)
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("%d goals imported.") % len(goals))
            return redirect(f"{plan.get_absolute_url()}#goals")
    return _plan_page(request, plan, import_form=form, status=422)


@login_required
@require_POST
def plan_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    archived = request.POST.get("archived", "1") == "1"
    try:
        services.plan_archive(actor=request.user, plan=plan, archived=archived)
    except DomainError as err:
        raise_refusal(err)
        messages.error(request, err.message)
    else:
        messages.success(request, _("Plan archived.") if archived else _("Plan back in use."))
    return redirect(plan)


def _goal_or_404(request: AuthedRequest, pk: int) -> ImprovementGoal:
    goal = (
        ImprovementGoal.objects.filter(
            pk=pk, plan__in=policy.improvement_plans_visible_to(request.user)
        )
        .select_related("plan")
        .first()
    )
    if goal is None:
        raise Http404
    return goal


@login_required
@never_cache
def goal_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = _goal_or_404(request, pk)
    plan = goal.plan
    if not policy.improvement_plans_managed_by(request.user).filter(pk=plan.pk).exists():
        raise PermissionDenied
    initial = {
        "title": goal.title,
        "owner": goal.owner,
        "measure": goal.measure,
        "base": plan.revision,
    }
    form = GoalForm(request.POST or None, initial=initial)
    conflict: PlanConflict | None = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.goal_update(
                    actor=request.user,
                    goal=goal,
                    title=data["title"],
                    owner=data["owner"],
                    measure=data["measure"],
                    base=data["base"],
                )
            except PlanConflict as err:
                plan.refresh_from_db()
                form = GoalForm(_keep_typed(request, plan.revision))
                form.is_valid()
                form.add_error(None, err.message)
                conflict, status = err, 409
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Goal saved."))
                return redirect(f"{plan.get_absolute_url()}#goals")
    context = {"goal": goal, "plan": plan, "form": form, "conflict": conflict}
    return render(request, "improvement/goal_form.html", context, status=status)


@login_required
@require_POST
def goal_move(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = _goal_or_404(request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.goal_move(actor=request.user, goal=goal, offset=offset)
    except DomainError as err:
        raise_refusal(err)
        messages.error(request, err.message)
    else:
        messages.success(request, _("Goal moved."))
    return redirect(f"{goal.plan.get_absolute_url()}#goals")


@login_required
@require_POST
def goal_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    goal = _goal_or_404(request, pk)
    try:
        services.goal_remove(actor=request.user, goal=goal)
    except DomainError as err:
        raise_refusal(err)
        messages.error(request, err.message)
    else:
        messages.success(request, _("Goal “%s” removed.") % goal.title)
    return redirect(f"{goal.plan.get_absolute_url()}#goals")


# --- The engagement's improvement work ------------------------------------------------------------


def _engagement_or_404(request: AuthedRequest, pk: int) -> Engagement:
    return policy.get_visible_or_404(request.user, Engagement, pk)


def _can_write(request: AuthedRequest, engagement: Engagement) -> bool:
    return engagement.status != "completed" and policy.allowed(
        request.user, Action.ADD_NOTE, engagement
    )


@login_required
@never_cache
def engagement_improvement(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, pk)
    page = selectors.engagement_improvement(request.user, engagement)
    context = {
        "engagement": engagement,
        "page": page,
        "can_write": _can_write(request, engagement),
        "today": timezone.localdate(),
    }
    return render(request, "improvement/engagement.html", context)


@login_required
@never_cache
def target_area_choose(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, pk)
    if not _can_write(request, engagement):
        raise PermissionDenied
    administrations = selectors.closed_administrations(request.user, engagement)
    chosen_pk = request.POST.get("administration") or request.GET.get("administration")
    administration: Administration | None = None
    if chosen_pk:
        administration = (
            administrations.filter(pk=chosen_pk).first() if chosen_pk.isdigit() else None
        )
        if administration is None:
            raise Http404
    else:
        administration = administrations.first()
    if administration is None:
        empty: dict[str, Any] = {"engagement": engagement, "administration": None}
        return render(request, "improvement/target_form.html", empty)
    menu = selectors.area_menu(administration, engagement)
    visibility = default_visibility(engagement, "target_area")
    form = TargetAreaForm(request.POST or None, menu=menu, visibility=visibility)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            domain, item = form.domain_item()
            try:
                area = services.target_area_choose(
                    actor=request.user,
                    engagement=engagement,
                    administration=administration,
                    domain=domain,
                    item=item,
                    kind=form.cleaned_data["kind"],
                    rationale=form.cleaned_data["rationale"],
                    visibility=form.cleaned_data["visibility"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("“%s” chosen.") % area.title)
                return redirect("engagement_improvement", pk=engagement.pk)
    context = {
        "engagement": engagement,
        "administration": administration,
        "administrations": administrations,
        "menu": menu,
        "form": form,
    }
    return render(request, "improvement/target_form.html", context, status=status)


@login_required
@require_POST
def target_area_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    area = policy.get_visible_or_404(request.user, TargetArea, pk)
    try:
        services.target_area_withdraw(actor=request.user, area=area)
    except DomainError as err:
        raise_refusal(err)
        messages.error(request, err.message)
    else:
        messages.success(request, _("“%s” withdrawn.") % area.title)
    return redirect("engagement_improvement", pk=area.engagement_id)


def _step_form(
    request: AuthedRequest,
    engagement: Engagement,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> ActionStepForm:
    areas = policy.target_areas_visible_to(request.user).filter(
        engagement=engagement, withdrawn_at__isnull=True
    )
    return ActionStepForm(
        data,
        areas=areas,
        goals=selectors.goal_choices(request.user, engagement),
        owners=selectors.owner_choices(engagement),
        visibility=default_visibility(engagement, "school_action"),
        initial=initial,
    )


@login_required
@never_cache
def action_step_create(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, pk)
    if not _can_write(request, engagement):
        raise PermissionDenied
    initial: dict[str, Any] = {"owner": request.user.pk}
    if request.GET.get("target_area", "").isdigit():
        initial["target_area"] = int(request.GET["target_area"])
    form = _step_form(request, engagement, request.POST or None, initial)
    areas = form.fields["target_area"]
    assert isinstance(areas, forms.ModelChoiceField)
    if "target_area" not in initial and areas.queryset is not None:
        only = list(areas.queryset.values_list("pk", flat=True)[:2])
        if len(only) == 1:  # one area in use: the step addresses it
            form.initial["target_area"] = only[0]
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                step = services.action_step_create(
                    actor=request.user,
                    engagement=engagement,
                    target_area=data["target_area"],
                    text=data["text"],
                    owner=data["owner"],
                    due_on=data["due_on"],
                    measure=data["measure"],
                    goal=data["goal"],
                    status=data["status"],
                    visibility=data["visibility"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Action step saved."))
                return redirect(step)
    context = {"engagement": engagement, "form": form, "step": None, "conflict": None}
    return render(request, "improvement/action_form.html", context, status=status)


def _step_or_404(request: AuthedRequest, pk: int) -> SchoolActionStep:
    step = policy.get_visible_or_404(request.user, SchoolActionStep, pk)
    return SchoolActionStep.objects.select_related(
        "engagement", "owner", "goal__plan", "target_area", "author"
    ).get(pk=step.pk)


@login_required
@never_cache
def school_action_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The action step, its status over time (check-ins, newest first) and, for the team, the
    check-in form (POST)."""
    step = _step_or_404(request, pk)
    engagement = step.engagement
    can_write = _can_write(request, engagement)
    form = CheckInForm(request.POST or None, partners=selectors.partners_of(engagement))
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.check_in_create(
                    actor=request.user,
                    step=step,
                    progress=data["progress"],
                    summary=data["summary"],
                    barriers=data["barriers"],
                    overcome=data["overcome"],
                    support=data["support"],
                    partner=data["partner"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Check-in saved."))
                return redirect(step)
    context = {
        "step": step,
        "engagement": engagement,
        "check_ins": selectors.step_check_ins(request.user, step),
        "form": form,
        "can_write": can_write,
        "overdue": step.due_on < timezone.localdate() and step.status in selectors.OPEN_STATUSES,
    }
    return render(request, "improvement/action_detail.html", context, status=status)


@login_required
@never_cache
def action_step_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    step = _step_or_404(request, pk)
    engagement = step.engagement
    if not _can_write(request, engagement):
        raise PermissionDenied
    initial = {
        "text": step.text,
        "target_area": step.target_area_id,
        "goal": step.goal_id,
        "owner": step.owner_id,
        "due_on": step.due_on,
        "measure": step.measure,
        "status": step.status,
        "visibility": step.visibility,
        "base": step.revision,
    }
    form = _step_form(request, engagement, request.POST or None, initial)
    # a withdrawn target area stays choosable for the steps that already address it
    field = form.fields["target_area"]
    assert hasattr(field, "queryset")
    field.queryset = field.queryset | TargetArea.objects.filter(pk=step.target_area_id)
    conflict = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_step_update(
                    actor=request.user,
                    step=step,
                    text=data["text"],
                    owner=data["owner"],
                    due_on=data["due_on"],
                    measure=data["measure"],
                    status=data["status"],
                    goal=data["goal"],
                    target_area=data["target_area"],
                    visibility=data["visibility"],
                    base=data["base"],
                )
            except PlanConflict as err:
                step.refresh_from_db()
                form = _step_form(request, engagement, _keep_typed(request, step.revision))
                form.is_valid()
                form.add_error(None, err.message)
                conflict, status = err, 409
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Action step saved."))
                return redirect(step)
    context = {"engagement": engagement, "form": form, "step": step, "conflict": conflict}
    return render(request, "improvement/action_form.html", context, status=status)


# --- District view --------------------------------------------------------------------------------


@login_required
@never_cache
def improvement_district(request: AuthedRequest) -> HttpResponse:
    organisations = selectors.districts_of(request.user)
    first = organisations.first()
    if first is None:
        raise PermissionDenied
    form = DistrictFilterForm(request.GET or None, organisations=organisations)
    data = form.cleaned_data if form.is_valid() else {}
    organisation = data.get("organisation") or first
    schools = selectors.district_schools(
        request.user,
        organisation,
        status=data.get("status") or "",
        search=data.get("q") or "",
        sort=data.get("sort") or "name",
    )
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header, rows = selectors.export_table(request.user, list(schools))
        stamp = timezone.localdate().isoformat()
        if fmt == "csv":
            response = HttpResponse(
                exports.table_csv(header, rows), content_type="text/csv; charset=utf-8"
            )
        else:
            body = exports.table_xlsx(header, rows, _("Improvement"))
            response = HttpResponse(body, content_type=exports.XLSX_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="improvement-{organisation.pk}-{stamp}.{fmt}"'
        )
        return response
    page_obj = paginate(request, schools)
    context = {
        "form": form,
        "organisation": organisation,
        "page_obj": page_obj,
        "rows": selectors.district_rows(request.user, list(page_obj.object_list)),
        "query": request.GET.urlencode(),
        "export_query": _export_query(request),
    }
    return render(request, "improvement/district.html", context)


def _export_query(request: AuthedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()
