"""The person's notifications and their notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import add_domain_error, paginate
from coachloop.notifications import selectors, services
from coachloop.notifications.forms import PreferencesForm


@never_cache
@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.notifications_for(request.user))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def notification_mark_all_read(request: AuthedRequest) -> HttpResponse:
    changed = services.mark_read(user=request.user)
    if changed:
        messages.success(request, _("All your notifications are marked read."))
    return redirect("notification_list")


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.mark_read(user=request.user, ids=[notification.pk])
    target = notification.path
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notification_list")


@never_cache
@login_required
def notification_settings(request: AuthedRequest) -> HttpResponse:
    user = request.user
    pref = services.preferences_of(user)
    initial = {
        "email": pref.email,
        "before_meeting_minutes": pref.before_meeting_minutes,
        "month_unscheduled": pref.month_unscheduled,
        "step_overdue": pref.step_overdue,
        "weekly_digest": pref.weekly_digest,
        "time_zone": user.time_zone,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_preferences(user=user, **form.cleaned_data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notification_settings")
        status = 422
    return render(
        request,
        "notifications/settings.html",
        {"form": form},
        status=status,
    )
