"""Scoring pages: score a performance on one of the playbook's rubrics (levels with their
descriptors, evidence and comments per criterion, written feedback), list the scores a user may
read, and read one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.engagements.services import default_visibility
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import paginate
from coachloop.rubrics import selectors, services
from coachloop.rubrics.forms import ScoreForm


@never_cache
@login_required
def score_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    spec = engagement.spec
    can_score = engagement.status != EngagementStatus.COMPLETED and policy.allowed(
        request.user, Action.COACH, engagement
    )
    context = {
        "engagement": engagement,
        "page": paginate(request, selectors.score_list(user=request.user, engagement=engagement)),
        "rubrics": spec.rubrics if spec and can_score else [],
        "can_score": can_score,
    }
    return render(request, "rubrics/score_list.html", context)


@never_cache
@login_required
def score_create(request: AuthedRequest, pk: int, rubric_key: str) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    policy.require(request.user, Action.COACH, engagement)
    try:
        rubric = services.rubric_for(engagement, rubric_key)
    except DomainError:
        raise Http404 from None
    form = ScoreForm(
        request.POST or None,
        rubric=rubric,
        default_visibility=default_visibility(engagement, "score"),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                score = services.score_create(
                    actor=request.user,
                    engagement=engagement,
                    rubric_key=rubric.key,
                    subject=data["subject"],
                    ratings=form.ratings(data),
                    feedback=data["feedback"],
                    visibility=data["visibility"],
                )
            except DomainError as err:
                form.add_domain_errors(err)
                status = 422 if err.status in (400, 422) else err.status
            else:
                messages.success(request, _("The score was saved."))
                return redirect("score_detail", engagement_pk=engagement.pk, pk=score.pk)
        else:
            # Say everything that needs attention at once, the criteria too.
            try:
                services.clean_ratings(rubric, form.ratings(form.cleaned_data))
            except DomainError as err:
                form.add_domain_errors(err)
            status = 422
    context = {"engagement": engagement, "rubric": rubric, "form": form}
    return render(request, "rubrics/score_form.html", context, status=status)


@never_cache
@login_required
def score_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    score = selectors.score_read(user=request.user, engagement=engagement, pk=pk)
    ratings = [{"rating": r, "label": score.level_label(r.level)} for r in score.ratings.all()]
    context = {
        "engagement": engagement,
        "score": score,
        "ratings": ratings,
        "levels": score.rubric.get("levels", []),
    }
    return render(request, "rubrics/score_detail.html", context)
