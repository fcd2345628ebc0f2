"""Anonymous feedback pages: the coach opens a collection and shares its link, respondents answer
without an account, the coach closes it and sees the results when enough people answered.

Anonymity (DESIGN.md, invariant 2): the answer page sets no cookie beyond Django's CSRF cookie,
writes no log or audit line about the respondent, names nobody, and never sends the link (its
token) onwards in a Referer header.
No page shows how many people answered an open collection: that count, seen before and after
one person answers, would tell who gave which answer once the results are published."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements.models import Engagement, EngagementStatus
from coachloop.engagements.services import default_visibility
from coachloop.feedback import selectors, services
from coachloop.feedback.forms import AnswerForm, CollectionForm
from coachloop.feedback.models import FeedbackCollection
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate


def _can_open(request: AuthedRequest, engagement: Engagement) -> bool:
    return engagement.status != EngagementStatus.COMPLETED and policy.allowed(
        request.user, Action.COACH, engagement
    )


@never_cache
@login_required
def feedback_list(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    forms_ = selectors.anonymous_forms(engagement)
    can_open = _can_open(request, engagement) and bool(forms_)
    form = None
    if can_open or request.method == "POST":
        form = CollectionForm(
            request.POST or None,
            forms_=forms_,
            default_visibility=default_visibility(engagement, "feedback"),
        )
    status = 200
    if request.method == "POST":
        policy.require(request.user, Action.COACH, engagement)
        assert form is not None
        if form.is_valid():
            try:
                collection = services.collection_open(
                    actor=request.user, engagement=engagement, **form.cleaned_data
                )
            except DomainError as err:
                add_domain_error(form, err)
                status = 422 if err.status in (400, 422) else err.status
            else:
                messages.success(
                    request, _("The form is open. Share its link with the people who took part.")
                )
                return redirect(collection)
        else:
            status = 422
    context = {
        "engagement": engagement,
        "page": paginate(
            request, selectors.collection_list(user=request.user, engagement=engagement)
        ),
        "form": form if can_open else None,
        "can_coach": policy.allowed(request.user, Action.COACH, engagement),
    }
    return render(request, "feedback/feedback_list.html", context, status=status)


def _collection(request: AuthedRequest, engagement_pk: int, pk: int) -> FeedbackCollection:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    return selectors.collection_read(user=request.user, engagement=engagement, pk=pk)


@never_cache
@login_required
def feedback_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    collection = _collection(request, engagement_pk, pk)
    engagement = collection.engagement
    can_coach = policy.allowed(request.user, Action.COACH, engagement)
    context: dict[str, Any] = {
        "engagement": engagement,
        "collection": collection,
        "can_coach": can_coach,
        "form": services.form_of(collection),
    }
    if collection.is_open:
        if can_coach:
            context["link"] = request.build_absolute_uri(
                reverse("feedback_answer", args=[collection.token])
            )
    else:
        context["results"] = services.results(collection)
    return render(request, "feedback/feedback_detail.html", context)


@never_cache
@login_required
def feedback_close(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST closes the collection (no more answers) for good."""
    collection = _collection(request, engagement_pk, pk)
    engagement = collection.engagement
    policy.require(request.user, Action.COACH, engagement)
    if not collection.is_open:
        return redirect(collection)
    if request.method == "POST":
        try:
            services.collection_close(actor=request.user, collection=collection)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("The form is closed; no more answers are taken."))
        return redirect(collection)
    context = {"engagement": engagement, "collection": collection}
    return render(request, "feedback/feedback_close.html", context)


#: Pages of an answer link send no Referer at all...
NO_REFERRER = "no-referrer"
#: ...except the page with the form: under "no-referrer" browsers post it with `Origin: null`,
#: which Django's CSRF check refuses (and on HTTPS it then requires a Referer). "strict-origin"
#: sends only the site's origin, never the path holding the token, so the link still leaks
#: nowhere.
FORM_REFERRER = "strict-origin"


def _anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Public pages of an answer link: no sign-in, never cached, and the link never leaks
    through the Referer header."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.setdefault("Referrer-Policy", NO_REFERRER)
        return response

    return never_cache(wrapper)


def _unknown(request: HttpRequest, err: DomainError) -> HttpResponse:
    return render(request, "feedback/answer_missing.html", {"message": err.message}, status=404)


def _closed(request: HttpRequest, collection: FeedbackCollection, message: str) -> HttpResponse:
    context = {"collection": collection, "message": message}
    return render(request, "feedback/answer_closed.html", context, status=410)


@_anonymous
def feedback_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public answer page: no sign-in, no name, nothing that tells who answered."""
    try:
        collection = services.collection_by_token(token)
    except DomainError as err:
        return _unknown(request, err)
    if not collection.is_open:
        return _closed(
            request, collection, _("This feedback form is closed; thank you all the same.")
        )
    spec = services.form_of(collection)
    form = AnswerForm(request.POST or None, spec=spec)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.answer_submit(
                    token=token,
                    data=form.answers(),
                    respondent=request.user,
                    client=request.META.get("REMOTE_ADDR", ""),
                )
            except DomainError as err:
                if err.status == 410:
                    return _closed(request, collection, err.message)
                if err.status == 404:
                    return _unknown(request, err)
                add_domain_error(form, err)
                if err.status in (403, 429):
                    status = err.status
            else:
                return redirect("feedback_thanks", token=token)
    context = {"collection": collection, "spec": spec, "form": form}
    response = render(request, "feedback/answer_form.html", context, status=status)
    response["Referrer-Policy"] = FORM_REFERRER
    return response


@_anonymous
def feedback_thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        collection = services.collection_by_token(token)
    except DomainError as err:
        return _unknown(request, err)
    return render(request, "feedback/answer_thanks.html", {"collection": collection})
