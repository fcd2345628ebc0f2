"""Pages of peer coaching: create a team, the team page, goals, effectiveness ratings, assignment
completion, and the programme's monthly assignments. Each view finds its records through the
policy, parses the input with a form, calls a service or selector, then renders or redirects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Programme
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, forbidden, paginate, raise_refusal
from coachloop.peer import selectors, services
from coachloop.peer.forms import (
    AssignmentForm,
    CompletionForm,
    GoalForm,
    MonthFilterForm,
    RatingForm,
    TeamForm,
)
from coachloop.peer.models import Assignment, Goal
from coachloop.playbooks import schema
from coachloop.surveys.models import Administration


def _team_or_404(request: AuthedRequest, pk: int) -> tuple[Engagement, schema.Playbook]:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    spec = engagement.spec
    if spec is None or not spec.peer:
        raise Http404
    return engagement, spec


# --- Teams ----------------------------------------------------------------------------------------


@login_required
@never_cache
def team_create(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    policy.require(request.user, Action.CREATE_ENGAGEMENT, programme)
    spec = (
        programme.playbook.current.spec
        if programme.playbook and programme.playbook.current
        else None
    )
    if spec is None or not spec.peer:
        return render(
            request, "peer/team_form.html", {"programme": programme, "form": None}, status=409
        )
    form = TeamForm(
        request.POST or None,
        people=policy.people_visible_to(request.user),
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                engagement = services.team_create(
                    actor=request.user,
                    programme=programme,
                    members=list(data["members"]),
                    supervisors=list(data["supervisors"]),
                    starts_on=data["starts_on"],
                    title=data["title"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Team created; its members have been notified."))
                return redirect("peer_team", pk=engagement.pk)
        status = 422
    else:
        status = 200
    return render(
        request,
        "peer/team_form.html",
        {"programme": programme, "form": form, "spec": spec},
        status=status,
    )


# --- The team page --------------------------------------------------------------------------------


@login_required
@never_cache
def team(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement, spec = _team_or_404(request, pk)
    page = selectors.team_page(user=request.user, engagement=engagement)
    context = {
        "engagement": engagement,
        "spec": spec,
        "page": page,
        "can_write": page.is_member and engagement.status == "active",
        "today": timezone.localdate(),
        "administrations": policy.visible(request.user, Administration)
        .filter(engagement=engagement, subject__isnull=False)
        .select_related("subject")
        .order_by("-opens_on", "-pk")[:50],
    }
    return render(request, "peer/team.html", context)


# --- Goals ----------------------------------------------------------------------------------------


def _goal_page(
    request: AuthedRequest,
    engagement: Engagement,
    form: GoalForm,
    goal: Goal | None,
    status: int,
    conflict: bool = False,
) -> HttpResponse:
    return render(
        request,
        "peer/goal_form.html",
        {"engagement": engagement, "form": form, "goal": goal, "conflict": conflict},
        status=status,
    )


@login_required
@never_cache
def goal_create(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement, spec = _team_or_404(request, pk)
    if not policy.in_team(request.user, engagement):
        return forbidden(request, _("The team's members write its goals."))
    members = services.members_of(engagement)
    initial = {"member": request.user.pk}
    form = GoalForm(request.POST or None, members=members, spec=spec, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            member = next(m for m in members if m.pk == data["member"])
            try:
                services.goal_create(
                    actor=request.user,
                    engagement=engagement,
                    member=member,
                    title=data["title"],
                    source=data["source"],
                    measure=data["measure"],
                    evidence=data["evidence"],
                    status=data["status"],
                    visibility=data["visibility"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("peer_team", pk=engagement.pk)
        return _goal_page(request, engagement, form, None, 422)
    return _goal_page(request, engagement, form, None, 200)


@login_required
@never_cache
def goal_edit(request: AuthedRequest, pk: int, goal_pk: int) -> HttpResponse:
    engagement, spec = _team_or_404(request, pk)
    goal = policy.get_visible_or_404(request.user, Goal, goal_pk, engagement=engagement)
    if not policy.in_team(request.user, engagement):
        return forbidden(request, _("The team's members write its goals."))
    members = services.members_of(engagement)
    initial = {
        "member": goal.member_id,
        "title": goal.title,
        "source": goal.source,
        "measure": goal.measure,
        "evidence": goal.evidence,
        "status": goal.status,
        "visibility": goal.visibility,
        "base": goal.revision,
    }
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["member"] = str(goal.member_id)
    form = GoalForm(data, members=members, spec=spec, editing=True, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                services.goal_update(
                    actor=request.user,
                    goal=goal,
                    title=cleaned["title"],
                    source=cleaned["source"],
                    measure=cleaned["measure"],
                    evidence=cleaned["evidence"],
                    status=cleaned["status"],
                    visibility=cleaned["visibility"],
                    base=cleaned["base"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
                if err.status == 409:
                    # Keep what they typed; saving again now overwrites, knowingly.
                    goal.refresh_from_db()
                    assert data is not None
                    data["base"] = str(goal.revision)
                    return _goal_page(request, engagement, form, goal, 409, conflict=True)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("peer_team", pk=engagement.pk)
        return _goal_page(request, engagement, form, goal, 422)
    return _goal_page(request, engagement, form, goal, 200)


# --- Effectiveness ratings ------------------------------------------------------------------------


@login_required
@never_cache
def rating(request: AuthedRequest, pk: int, point: str, member_pk: int) -> HttpResponse:
    engagement, spec = _team_or_404(request, pk)
    eff = spec.effectiveness
    found = next((p for p in eff.points if p.key == point), None) if eff else None
    members = services.members_of(engagement)
    subject: User | None = next((m for m in members if m.pk == member_pk), None)
    if eff is None or found is None or subject is None:
        raise Http404
    if not policy.in_team(request.user, engagement):
        return forbidden(request, _("Only the team's members rate its effectiveness."))
    existing = selectors.my_rating(
        user=request.user, engagement=engagement, subject=subject, point=point
    )
    initial: dict[str, Any] = RatingForm.initial_for(existing.levels) if existing else {}
    if existing:
        initial["comment"] = existing.comment
    form = RatingForm(request.POST or None, effectiveness=eff, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rating_save(
                    actor=request.user,
                    engagement=engagement,
                    subject=subject,
                    point=point,
                    levels=form.levels_data(),
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as err:
                raise_refusal(err)
                for key, message in err.errors.items():
                    name = f"rating-{key}"
                    form.add_error(name if name in form.fields else None, message)
                if not err.errors:
                    form.add_error(None, err.message)
            else:
                messages.success(request, _("Rating saved."))
                return redirect("peer_team", pk=engagement.pk)
        status = 422
    context = {
        "engagement": engagement,
        "spec": spec,
        "eff": eff,
        "point": found,
        "subject": subject,
        "is_self": subject.pk == request.user.pk,
        "form": form,
        "existing": existing,
    }
    return render(request, "peer/rating_form.html", context, status=status)


# --- Assignments ----------------------------------------------------------------------------------


@login_required
@require_POST
def assignment_completion(request: AuthedRequest, pk: int, assignment_pk: int) -> HttpResponse:
    engagement, _spec = _team_or_404(request, pk)
    assignment = policy.get_visible_or_404(request.user, Assignment, assignment_pk)
    if not policy.in_team(request.user, engagement):
        return forbidden(request, _("Members complete their own assignments."))
    form = CompletionForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("action") == "undo":
            services.assignment_undo(
                actor=request.user, assignment=assignment, engagement=engagement
            )
            messages.success(request, _("“%s” is no longer marked done.") % assignment.title)
        else:
            services.assignment_complete(
                actor=request.user,
                assignment=assignment,
                engagement=engagement,
                interaction_done=bool(form.cleaned_data.get("interaction_done")),
            )
            messages.success(request, _("“%s” is marked done.") % assignment.title)
    except DomainError as err:
        raise_refusal(err)
        messages.error(request, err.message)
    return redirect(f"{engagement.get_absolute_url()}team/#assignments")


@login_required
@never_cache
def programme_assignments(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    policy.require(request.user, Action.MANAGE, programme)
    spec = (
        programme.playbook.current.spec
        if programme.playbook and programme.playbook.current
        else None
    )
    if spec is None or not spec.peer:
        raise Http404
    teams = (
        policy.engagements_managed_by(request.user)
        .filter(programme=programme)
        .order_by("title", "pk")
    )
    form = AssignmentForm(request.POST or None, teams=teams)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.assignment_create(
                    actor=request.user,
                    programme=programme,
                    month=data["month"],
                    title=data["title"],
                    description=data["description"],
                    interaction=data["interaction"],
                    engagement=data["engagement"],
                    due_on=data["due_on"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Assignment added."))
                return redirect("peer_assignments", pk=programme.pk)
        status = 422
    filter_form = MonthFilterForm(request.GET or None)
    month = filter_form.month_or(None)
    assignments = selectors.programme_assignments(user=request.user, programme=programme)
    if month is not None:
        assignments = assignments.filter(month=month)
    context = {
        "programme": programme,
        "form": form,
        "filter_form": filter_form,
        "month": month,
        "page_obj": paginate(request, assignments),
        "team_count": teams.count(),
    }
    return render(request, "peer/assignments.html", context, status=status)
