"""Portfolio pages: the performer submits evidence, the coach returns it for revision or accepts
it with feedback (and, when the playbook has one, rubric ratings), files are downloaded as
attachments only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.engagements.services import default_visibility
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, attachment, form_error_status, paginate
from coachloop.playbooks.schema import RubricSpec
from coachloop.portfolios import selectors, services
from coachloop.portfolios.forms import EntryForm, ReviewForm, ReviseForm
from coachloop.portfolios.models import EntryStatus, PortfolioEntry, PortfolioRevision
from coachloop.rubrics.services import rubric_for

PORTFOLIO_RUBRIC = "portfolio"


def _active(engagement: Engagement) -> bool:
    return engagement.status != EngagementStatus.COMPLETED


@never_cache
@login_required
def portfolio_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    can_submit = _active(engagement) and policy.allowed(
        request.user, Action.SUBMIT_PORTFOLIO, engagement
    )
    form = None
    if can_submit or request.method == "POST":
        form = EntryForm(
            request.POST or None,
            request.FILES or None,
            default_visibility=default_visibility(engagement, "portfolio"),
        )
    status = 200
    if request.method == "POST":
        policy.require(request.user, Action.SUBMIT_PORTFOLIO, engagement)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.entry_submit(
                    actor=request.user,
                    engagement=engagement,
                    title=data["title"],
                    description=data["description"],
                    upload=data["file"],
                    visibility=data["visibility"],
                )
            except DomainError as err:
                status = form_error_status(err, request)
                if status == 422:
                    add_domain_error(form, err)
            else:
                messages.success(request, _("Your entry was submitted for review."))
                return redirect(entry)
        else:
            status = 422
    context = {
        "engagement": engagement,
        "page": paginate(request, selectors.entry_list(user=request.user, engagement=engagement)),
        "form": form,
        "can_submit": can_submit,
    }
    return render(request, "portfolios/portfolio_list.html", context, status=status)


def _portfolio_rubric(engagement: Engagement) -> RubricSpec | None:
    try:
        return rubric_for(engagement, PORTFOLIO_RUBRIC)
    except DomainError:
        return None


@never_cache
@login_required
def portfolio_entry(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """The entry with its revisions and reviews; POST action=review (the coach) or
    action=revise (the author, after a return)."""
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    entry = selectors.entry_read(user=request.user, engagement=engagement, pk=pk)
    user = request.user
    rubric = _portfolio_rubric(engagement)
    can_review = entry.status == EntryStatus.SUBMITTED and policy.allowed(
        user, Action.COACH, engagement
    )
    can_revise = (
        entry.status == EntryStatus.RETURNED
        and entry.author_id == user.pk
        and _active(engagement)
        and policy.allowed(user, Action.SUBMIT_PORTFOLIO, engagement)
    )
    action = request.POST.get("action") if request.method == "POST" else None
    review_form = ReviewForm(request.POST if action == "review" else None, rubric=rubric)
    revise_form = ReviseForm(
        request.POST if action == "revise" else None,
        request.FILES if action == "revise" else None,
    )
    status = 200
    if action == "review":
        policy.require(user, Action.COACH, engagement)
        status = _review(request, entry, review_form, rubric)
        if status == 302:
            return redirect(entry)
    elif action == "revise":
        status = _revise(request, entry, revise_form)
        if status == 302:
            return redirect(entry)
    elif request.method == "POST":
        status = 400
    context: dict[str, Any] = {
        "engagement": engagement,
        "entry": entry,
        "revisions": selectors.revisions(entry),
        "reviews": selectors.reviews(user=user, entry=entry),
        "review_form": review_form if can_review else None,
        "revise_form": revise_form if can_revise else None,
        "rubric": rubric,
    }
    return render(request, "portfolios/portfolio_entry.html", context, status=status)


def _review(
    request: AuthedRequest, entry: PortfolioEntry, form: ReviewForm, rubric: RubricSpec | None
) -> int:
    if not form.is_valid():
        return 422
    data = form.cleaned_data
    ratings = form.ratings(data) if rubric is not None else {}
    accept = data["decision"] == EntryStatus.ACCEPTED
    try:
        services.entry_review(
            actor=request.user,
            entry=entry,
            accept=accept,
            feedback=data["feedback"],
            ratings=ratings or None,
            rubric_key=rubric.key if rubric is not None and ratings else None,
        )
    except DomainError as err:
        status = form_error_status(err, request)
        if status == 422:
            form.add_domain_errors(err)
        return status
    if accept:
        messages.success(request, _("The entry was accepted and archived."))
    else:
        messages.success(request, _("The entry was returned for revision, with your feedback."))
    return 302


def _revise(request: AuthedRequest, entry: PortfolioEntry, form: ReviseForm) -> int:
    if not form.is_valid():
        return 422
    try:
        services.entry_revise(
            actor=request.user,
            entry=entry,
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
    except DomainError as err:
        status = form_error_status(err, request)
        if status == 422:
            add_domain_error(form, err)
        return status
    messages.success(request, _("Your revision was submitted for review."))
    return 302


@never_cache
@login_required
def portfolio_download(
    request: AuthedRequest, engagement_pk: int, entry_pk: int, pk: int
) -> FileResponse:
    """A revision's file, always as an attachment, never rendered by the browser."""
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    entry = selectors.entry_read(user=request.user, engagement=engagement, pk=entry_pk)
    revision = get_object_or_404(PortfolioRevision, pk=pk, entry=entry)
    return attachment(revision.file, revision.filename, revision.content_type)
