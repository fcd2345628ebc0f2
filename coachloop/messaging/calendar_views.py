"""Pages of school calendars and response-time agreements (seed 003). Each view finds its records
through the policy, parses the input with a form, calls messaging.calendar_services, then renders
or redirects; a refusal lands on the form with what was typed kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coachloop.access import policy
from coachloop.engagements.models import Engagement
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import PER_PAGE, add_domain_error, paginate, raise_refusal
from coachloop.messaging import calendar_services as services
from coachloop.messaging import responsiveness, schooldays
from coachloop.messaging.calendar_forms import (
    CalendarForm,
    HolidayFilterForm,
    HolidayForm,
    HolidayImportForm,
    ResponseTimeForm,
)
from coachloop.organisations.models import Organisation


def _organisation(request: AuthedRequest, pk: int) -> Organisation:
    return policy.get_visible_or_404(request.user, Organisation, pk)


def _require_manager(request: AuthedRequest, organisation: Organisation) -> None:
    if not services.may_manage(request.user, organisation):
        raise PermissionDenied


# --- School calendar ------------------------------------------------------------------------------


def _calendar_page(
    request: AuthedRequest,
    organisation: Organisation,
    *,
    calendar_form: CalendarForm | None = None,
    holiday_form: HolidayForm | None = None,
    import_form: HolidayImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    info = services.calendar_info(organisation)
    can_manage = services.may_manage(request.user, organisation)
    initial = {"weekdays": [str(d) for d in info.weekdays], "time_zone": info.time_zone}
    filter_form = HolidayFilterForm(request.GET or None)
    year = filter_form.cleaned_data.get("year") if filter_form.is_valid() else None
    own = services.own_holidays(organisation)
    inherited = services.inherited_holidays(organisation)
    if year:
        own = own.filter(date__year=year)
        inherited = inherited.filter(date__year=year)
    ancestors = list(
        Organisation.objects.filter(
            pk__in=[i for i in organisation.ancestor_ids() if i != organisation.pk]
        )
        .filter(pk__in=policy.organisations_visible_to(request.user).values("pk"))
        .order_by("depth")
    )
    context: dict[str, Any] = {
        "organisation": organisation,
        "ancestors": ancestors,
        "info": info,
        "can_manage": can_manage,
        "calendar_form": calendar_form or CalendarForm(initial=initial),
        "holiday_form": holiday_form or HolidayForm(),
        "import_form": import_form or HolidayImportForm(),
        "filter_form": filter_form,
        "year": year,
        "own_page": paginate(request, own),
        "inherited_page": _paginate_named(request, inherited, "ipage"),
        "zones": schooldays.zone_choices() if can_manage else [],
    }
    return render(request, "messaging/calendar.html", context, status=status)


def _paginate_named(request: AuthedRequest, items: Any, name: str) -> Any:
    return Paginator(items, PER_PAGE).get_page(request.GET.get(name))


@login_required
@never_cache
def school_calendar(request: AuthedRequest, pk: int) -> HttpResponse:
    """The calendar in force (everyone in scope reads it); POST sets the organisation's own
    weekdays and time zone (its programme administrators)."""
    organisation = _organisation(request, pk)
    if request.method != "POST":
        return _calendar_page(request, organisation)
    _require_manager(request, organisation)
    form = CalendarForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.calendar_save(
                actor=request.user,
                organisation=organisation,
                weekdays=[int(d) for d in data["weekdays"]],
                time_zone=data["time_zone"],
            )
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("School calendar saved."))
            return redirect("school_calendar", organisation.pk)
    return _calendar_page(request, organisation, calendar_form=form, status=422)


@login_required
def calendar_use_inherited(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the organisation's own calendar (its holidays stay)."""
    organisation = _organisation(request, pk)
    _require_manager(request, organisation)
    info = services.calendar_info(organisation)
    if info.own is None:
        return redirect("school_calendar", organisation.pk)
    if request.method == "POST":
        services.calendar_remove(actor=request.user, organisation=organisation)
        messages.success(request, _("The calendar above now applies here."))
        return redirect("school_calendar", organisation.pk)
    parent = organisation.parent
    above = services.calendar_info(parent).source if parent is not None else None  # what will apply
    context = {
        "organisation": organisation,
        "title": _("Stop using %(org)s's own calendar?") % {"org": organisation},
        "consequence": (
            _("%(org)s will use %(above)s's school days and time zone.")
            % {"org": organisation, "above": above}
            if above is not None
            else _("%(org)s will use the default: Monday to Friday, in the server's time zone.")
            % {"org": organisation}
        )
        + " "
        + _("Its own holidays stay."),
        "confirm": _("Use the calendar above"),
        "back": reverse("school_calendar", args=[organisation.pk]),
    }
    return render(request, "messaging/calendar_confirm.html", context)


@login_required
@require_POST
def holiday_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """One holiday, or a range of days with the same name."""
    organisation = _organisation(request, pk)
    _require_manager(request, organisation)
    form = HolidayForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            rows = services.holidays_add(
                actor=request.user,
                organisation=organisation,
                first_day=data["date"],
                last_day=data["last_day"],
                name=data["name"],
            )
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
            status = err.status if err.status == 409 else 422
        else:
            messages.success(
                request,
                _("Holiday “%(name)s” added.") % {"name": data["name"]}
                if len(rows) == 1
                else _("Holiday “%(name)s” added: %(n)d days.")
                % {"name": data["name"], "n": len(rows)},
            )
            return redirect("school_calendar", organisation.pk)
    return _calendar_page(request, organisation, holiday_form=form, status=status)


@login_required
@require_POST
def holidays_import(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    _require_manager(request, organisation)
    form = HolidayImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rows = services.holidays_import(
                actor=request.user, organisation=organisation, upload=form.cleaned_data["file"]
            )
        except services.HolidayImportProblems as err:
            form.add_error("file", _("Nothing was imported. Correct these rows:"))
            for problem in err.problems:
                form.add_error("file", problem)
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("%(n)d holidays imported.") % {"n": len(rows)})
            return redirect("school_calendar", organisation.pk)
    return _calendar_page(request, organisation, import_form=form, status=422)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None


@login_required
def holiday_remove(request: AuthedRequest, pk: int, day: str) -> HttpResponse:
    """GET asks to confirm; POST removes the holiday."""
    organisation = _organisation(request, pk)
    _require_manager(request, organisation)
    date = _day(day)
    holiday = services.own_holidays(organisation).filter(date=date).first()
    if holiday is None:
        raise Http404
    if request.method == "POST":
        services.holiday_remove(actor=request.user, organisation=organisation, day=date)
        messages.success(
            request,
            _("Holiday “%(name)s” on %(date)s removed.")
            % {"name": holiday.name, "date": date.isoformat()},
        )
        return redirect("school_calendar", organisation.pk)
    context = {
        "organisation": organisation,
        "title": _("Remove the holiday “%(name)s” on %(date)s?")
        % {"name": holiday.name, "date": date.isoformat()},
        "consequence": _(
            "The day becomes a school day again here (when it is one of the school weekdays). "
            "Questions already answered keep the time they were measured with."
        ),
        "confirm": _("Remove the holiday"),
        "back": reverse("school_calendar", args=[organisation.pk]),
    }
    return render(request, "messaging/calendar_confirm.html", context)


# --- Response time --------------------------------------------------------------------------------


@login_required
@never_cache
def response_time(request: AuthedRequest, pk: int) -> HttpResponse:
    """The engagement's agreed response time (the team changes it) and its questions' timing
    (for the team and programme administrators: metadata, never the text)."""
    engagement = policy.get_visible_or_404(request.user, Engagement, pk)
    can_edit = services.may_set_response_time(request.user, engagement)
    default_days = services.playbook_default_days(engagement)
    form: forms.Form = ResponseTimeForm(
        initial={"response_days": engagement.response_days}, default_days=default_days
    )
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ResponseTimeForm(request.POST, default_days=default_days)
        if form.is_valid():
            try:
                services.response_time_set(
                    actor=request.user,
                    engagement=engagement,
                    days=form.cleaned_data["response_days"],
                )
            except DomainError as err:
                raise_refusal(err)
                add_domain_error(form, err)
            else:
                messages.success(request, _("Response time saved."))
                return redirect("response_time", engagement.pk)
        status = 422
    rows = responsiveness.question_rows(request.user, engagement)
    page = paginate(request, rows)
    page.object_list = responsiveness.describe(request.user, page.object_list, timezone.now())
    figures = responsiveness.responsiveness_by_engagement(rows).get(
        engagement.pk, responsiveness.EMPTY
    )
    context = {
        "engagement": engagement,
        "form": form,
        "can_edit": can_edit,
        "agreed_days": engagement.agreed_response_days,
        "default_days": default_days,
        "is_default": not engagement.response_days,
        "calendar": services.calendar_info(engagement.organisation),
        "questions_page": page,
        "may_see_questions": responsiveness.may_see_questions(request.user, engagement),
        "figures": figures,
    }
    return render(request, "messaging/response_time.html", context, status=status)
