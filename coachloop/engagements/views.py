from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.engagements import selectors, services
from coachloop.engagements.forms import NoteForm
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate


@login_required
def engagement_list(request: AuthedRequest) -> HttpResponse:
    engagements = selectors.engagement_list(user=request.user)
    return render(
        request, "engagements/engagement_list.html", {"page": paginate(request, engagements)}
    )


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
    context = {
        "engagement": engagement,
        "participants": engagement.participants.select_related("user"),
        "notes": selectors.note_list(user=request.user, engagement=engagement),
        "form": form,
    }
    return render(request, "engagements/engagement_detail.html", context, status=status)


@never_cache
@login_required
def note_detail(request: AuthedRequest, engagement_pk: int, pk: int) -> HttpResponse:
    engagement = policy.get_visible_or_404(request.user, Engagement, engagement_pk)
    note = selectors.note_read(user=request.user, engagement=engagement, pk=pk)
    return render(request, "engagements/note_detail.html", {"engagement": engagement, "note": note})


def step_action(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def phase_advance(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def engagement_complete(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def agreement(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def form_fill(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def form_response_detail(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def resource_list(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def resource_download(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError


def engagement_export(request: Any, **kwargs: Any) -> Any:  # TODO-HELPER
    raise NotImplementedError
