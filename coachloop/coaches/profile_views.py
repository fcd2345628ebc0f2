"""Practice-profile pages: rate on the profile (the coach themself, or their lead coach from an
observed coaching conversation), read one assessment, and a coach's profile side by side over
time. The same services and policy as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.coaches import profile
from coachloop.coaches.profile_forms import AssessmentForm
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import forbidden
from coachloop.rubrics.models import Perspective, RubricScore
from coachloop.rubrics.services import clean_ratings


def _development_or_404(request: AuthedRequest, pk: int) -> Engagement:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    if not (engagement.spec and engagement.spec.coach_development):
        raise Http404
    return engagement


def coach_or_404(viewer: User, pk: int) -> User:
    """The coach, if the viewer follows them (themself, their lead, the programme's admins)."""
    coach = policy.visible(viewer, User, Action.FOLLOW_COACH).filter(pk=pk).first()
    if coach is None:
        raise Http404
    return coach


@never_cache
@login_required
def profile_assess(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _development_or_404(request, pk)
    rubric = profile.profile_rubric(engagement)
    coach = profile.coach_of(engagement)
    perspective = profile.perspective_of(request.user, engagement)
    if perspective is None:
        # Someone who follows the coach (the programme's administrators) reads the ratings.
        if request.method == "GET" and policy.allowed(request.user, Action.FOLLOW_COACH, coach):
            return redirect("coach_profile", coach.pk)
        return forbidden(request, profile.not_a_rater(coach))
    if engagement.status == EngagementStatus.COMPLETED:
        messages.error(request, _("This engagement is complete; it can no longer change."))
        return redirect("coach_profile", coach.pk)
    form = AssessmentForm(request.POST or None, rubric=rubric, perspective=perspective)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                score = profile.assess(
                    actor=request.user,
                    engagement=engagement,
                    perspective=perspective,
                    ratings=form.ratings(data),
                    observed_on=data.get("observed_on"),
                    subject=data.get("subject") or "",
                    summary=data.get("summary") or "",
                )
            except DomainError as err:
                if err.status == 403:
                    return forbidden(request, err.message)
                form.add_domain_errors(err)
                status = 422 if err.status in (400, 422) else err.status
            else:
                messages.success(request, _("The assessment was saved."))
                return redirect("profile_assessment", score.pk)
        else:
            try:
                clean_ratings(rubric, form.ratings(form.cleaned_data))
            except DomainError as err:
                form.add_domain_errors(err)
            status = 422
    context = {
        "engagement": engagement,
        "coach": coach,
        "rubric": rubric,
        "form": form,
        "lead": perspective == Perspective.LEAD,
    }
    return render(request, "coaches/profile_assess.html", context, status=status)


@never_cache
@login_required
def profile_assessment(request: AuthedRequest, pk: int) -> HttpResponse:
    score = policy.get_visible_or_404(
        request.user,
        RubricScore,
        pk,
        about__isnull=False,
        perspective__in=Perspective.values,
    )
    coach = score.about
    assert coach is not None
    ratings = [{"rating": r, "label": score.level_label(r.level)} for r in score.ratings.all()]
    context = {
        "score": score,
        "coach": coach,
        "ratings": ratings,
        "levels": score.rubric.get("levels", []),
        "follows": policy.allowed(request.user, Action.FOLLOW_COACH, coach),
    }
    return render(request, "coaches/profile_assessment.html", context)


@never_cache
@login_required
def coach_profile(request: AuthedRequest, user_pk: int) -> HttpResponse:
    coach = coach_or_404(request.user, user_pk)
    found = profile.history(request.user, coach)
    engagement = profile.development_engagements(request.user, coach).first()
    perspective = profile.perspective_of(request.user, engagement) if engagement else None
    context = {
        "coach": coach,
        "history": found,
        "engagement": engagement,
        "can_assess": perspective is not None
        and engagement is not None
        and engagement.status == EngagementStatus.ACTIVE,
        "lead": perspective == Perspective.LEAD,
        "growth": profile.growth_section(request.user, coach),
    }
    return render(request, "coaches/profile_coach.html", context)
