"""The plan pages (the seeds' IPCAP): read, draft, send for approval, approve or return, and the
versions with what changed between them.

Optimistic locking is visible here: each form carries the version its user opened. When the
plan changed in between, the page answers 409 with what changed and keeps what the user typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate
from coachloop.plans import selectors, services
from coachloop.plans.forms import MAX_ROWS, DecideForm, PlanForm, SubmitForm, goal_formset
from coachloop.plans.selectors import PlanPage
from coachloop.plans.services import PlanConflict


def _form_status(err: DomainError) -> int:
    """Input the user can correct is 422; other refusals keep their own status."""
    return 422 if err.status in (400, 422) else err.status


def _edit_forms(page: PlanPage, data: QueryDict | None = None) -> tuple[PlanForm, Any]:
    if data is not None:
        return PlanForm(data), goal_formset(data)
    current = page.current
    initial = {"base": page.plan.number if page.plan else 0, "summary": ""}
    if current is not None:
        initial["summary"] = current.summary
    return PlanForm(initial=initial), goal_formset(goals=current.goals if current else [])


def _render(
    request: AuthedRequest,
    page: PlanPage,
    *,
    status: int = 200,
    form: PlanForm | None = None,
    goals: Any = None,
    decide_form: DecideForm | None = None,
    conflict: PlanConflict | None = None,
    error: str = "",
) -> HttpResponse:
    if page.can_edit and form is None:
        form, goals = _edit_forms(page)
    if page.can_decide and decide_form is None:
        assert page.plan is not None
        decide_form = DecideForm(initial={"number": page.plan.number})
    context = {
        "engagement": page.engagement,
        "page": page,
        "plan": page.plan,
        "spec": page.spec,
        "form": form,
        "goals": goals,
        "decide_form": decide_form,
        "conflict": conflict,
        "error": error,
        "max_rows": MAX_ROWS,
    }
    return render(request, "plans/plan_detail.html", context, status=status)


def _engagement(request: AuthedRequest, pk: int) -> Engagement:
    return policy.get_visible_or_404(request.user, Engagement, pk)


def _with_base(data: QueryDict, number: int, key: str = "base") -> QueryDict:
    data = data.copy()
    data[key] = str(number)
    return data


@never_cache
@login_required
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    page = selectors.plan_page(user=request.user, engagement=engagement)
    if request.method != "POST":
        return _render(request, page)
    policy.require(request.user, Action.EDIT_PLAN, engagement)
    if "add_goal" in request.POST:
        # One more empty row, with everything typed so far kept (no JavaScript needed).
        data = request.POST.copy()
        try:
            total = int(data.get("goals-TOTAL_FORMS", "0"))
        except ValueError:
            total = 0
        data["goals-TOTAL_FORMS"] = str(max(0, min(total + 1, MAX_ROWS)))
        form, goals = _edit_forms(page, data)
        return _render(request, page, form=form, goals=goals)
    form, goals = _edit_forms(page, request.POST)
    if not (form.is_valid() and goals.is_valid()):
        return _render(request, page, status=422, form=form, goals=goals)
    rows = [f.cleaned_data for f in goals.forms]
    try:
        services.plan_save(
            actor=request.user,
            engagement=engagement,
            summary=form.cleaned_data["summary"],
            goals=rows,
            base=form.cleaned_data["base"],
        )
    except PlanConflict as err:
        # Keep what was typed; the next save builds on the version the user has now read.
        page = selectors.plan_page(user=request.user, engagement=engagement)
        assert page.plan is not None
        form, goals = _edit_forms(page, _with_base(request.POST, page.plan.number))
        return _render(request, page, status=409, form=form, goals=goals, conflict=err)
    except DomainError as err:
        _goal_errors(form, goals, err)
        return _render(request, page, status=_form_status(err), form=form, goals=goals)
    messages.success(request, _("The plan was saved."))
    return redirect("plan_detail", pk=engagement.pk)


def _goal_errors(form: PlanForm, goals: Any, err: DomainError) -> None:
    """Put each message on the field it names: "goals.0.measure" on the first goal's measure."""
    if not err.errors:
        add_domain_error(form, err)
        return
    for key, message in err.errors.items():
        parts = key.split(".")
        if parts[0] == "goals" and len(parts) == 3 and parts[1].isdigit():
            n = int(parts[1])
            if n < len(goals.forms) and parts[2] in goals.forms[n].fields:
                goals.forms[n].add_error(parts[2], message)
                continue
        if key in form.fields:
            form.add_error(key, message)
        else:
            form.add_error(None, message)


@never_cache
@login_required
def plan_versions(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    spec = selectors.plan_spec(engagement)
    plan = selectors.visible_plan(user=request.user, engagement=engagement)
    items = selectors.versions(plan) if plan is not None else None
    context = {
        "engagement": engagement,
        "spec": spec,
        "plan": plan,
        "page": paginate(request, items) if items is not None else None,
    }
    return render(request, "plans/plan_versions.html", context)


def _number(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return -1


@never_cache
@login_required
def plan_diff(request: AuthedRequest, pk: int) -> HttpResponse:
    """What changed from version `a` to version `b` (by default, the previous to the current);
    a = 0 compares with an empty plan."""
    engagement = _engagement(request, pk)
    spec = selectors.plan_spec(engagement)
    plan = selectors.visible_plan(user=request.user, engagement=engagement)
    context: dict[str, Any] = {"engagement": engagement, "spec": spec, "plan": plan}
    if plan is None or plan.number == 0:
        context["error"] = _("There is no version of this plan yet.")
        return render(request, "plans/plan_diff.html", context, status=404)
    b = _number(request.GET.get("b"))
    b = plan.number if b is None else b
    a = _number(request.GET.get("a"))
    a = b - 1 if a is None else a
    new = selectors.version_or_none(plan, b) if b > 0 else None
    old = selectors.version_or_none(plan, a) if a > 0 else None
    if new is None or (a != 0 and old is None):
        missing = b if new is None else a
        context["error"] = (
            _("There is no version %(n)s of this plan. Its versions are 1 to %(last)d.")
            % {"n": missing, "last": plan.number}
            if missing >= 0
            else _("Version numbers are whole numbers, like 1 or 2.")
        )
        return render(request, "plans/plan_diff.html", context, status=404)
    context.update({"a": a, "b": b, "old": old, "new": new, "lines": services.diff(old, new)})
    return render(request, "plans/plan_diff.html", context)


@never_cache
@login_required
def plan_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    if request.method != "POST":
        return redirect("plan_detail", pk=engagement.pk)
    page = selectors.plan_page(user=request.user, engagement=engagement)
    policy.require(request.user, Action.EDIT_PLAN, engagement)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _render(request, page, status=422, error=_("Reload the page and try again."))
    try:
        services.plan_submit(
            actor=request.user, engagement=engagement, number=form.cleaned_data["number"]
        )
    except PlanConflict as err:
        page = selectors.plan_page(user=request.user, engagement=engagement)
        return _render(request, page, status=409, conflict=err)
    except DomainError as err:
        return _render(request, page, status=err.status, error=err.message)
    messages.success(
        request, _("The plan was sent to the %s for approval.") % (page.approver_label,)
    )
    return redirect("plan_detail", pk=engagement.pk)


@never_cache
@login_required
def plan_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """The approver approves the version they read, or returns it with comments."""
    engagement = _engagement(request, pk)
    if request.method != "POST":
        return redirect("plan_detail", pk=engagement.pk)
    page = selectors.plan_page(user=request.user, engagement=engagement)
    form = DecideForm(request.POST)
    if not form.is_valid():
        if "decision" in form.errors or "number" in form.errors:
            form.add_error(None, _("Choose “Approve” or “Return with comments”."))
        return _render(request, page, status=422, decide_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.plan_decide(
            actor=request.user,
            engagement=engagement,
            number=form.cleaned_data["number"],
            approve=approve,
            comments=form.cleaned_data["comments"],
        )
    except PlanConflict as err:
        page = selectors.plan_page(user=request.user, engagement=engagement)
        decide_form = None
        if page.can_decide:
            assert page.plan is not None
            decide_form = DecideForm(_with_base(request.POST, page.plan.number, "number"))
        return _render(request, page, status=409, decide_form=decide_form, conflict=err)
    except DomainError as err:
        if err.field == "comments":
            form.add_error("comments", err.message)
            return _render(request, page, status=422, decide_form=form)
        return _render(request, page, status=err.status, error=err.message)
    if approve:
        messages.success(request, _("You approved the plan."))
    else:
        messages.success(request, _("You returned the plan with your comments."))
    return redirect("plan_detail", pk=engagement.pk)
