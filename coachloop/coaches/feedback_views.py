"""Pages of coaching-experience feedback: a coach's rounds, one round's report with the coach's
reply, the replies a coachee may read, and the programme's trends across coaches (with CSV and
XLSX export of exactly what is shown). Records come through the policy (404 for what the user
may not see), figures through the anonymity engine (coaches.feedback, surveys.engine)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.coaches import feedback
from coachloop.coaches.feedback_forms import CoachSearchForm, ReplyForm
from coachloop.coaches.models import FeedbackRound
from coachloop.engagements.models import Programme
from coachloop.lib import exports
from coachloop.lib.errors import DomainError
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import PER_PAGE, add_domain_error, paginate, raise_refusal
from coachloop.surveys import charts, engine


def _round_or_404(request: AuthedRequest, pk: int) -> FeedbackRound:
    try:
        return feedback.round_or_404(request.user, pk)
    except DomainError:
        raise Http404 from None


@login_required
@never_cache
def coach_feedback(request: AuthedRequest, user_pk: int) -> HttpResponse:
    """The coach's rounds, newest first: period, invited, response rate, status; for shown
    rounds the overall and domain scores with intervals and the reply; for withheld ones the
    engine's message."""
    coach = policy.visible(request.user, User, Action.FOLLOW_COACH).filter(pk=user_pk).first()
    if coach is None:
        raise Http404
    page = paginate(request, feedback.rounds_for(request.user, coach))
    results = feedback.results_of(request.user, list(page.object_list))
    context = {
        "coach": coach,
        "page_obj": page,
        "results": results,
        "is_self": coach.pk == request.user.pk,
        "suppressed_k": results[0].report.k if results else 3,
    }
    return render(request, "coaches/feedback_list.html", context)


def _round_page(
    request: AuthedRequest,
    feedback_round: FeedbackRound,
    form: ReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    result = feedback.round_results(request.user, feedback_round)
    report = result.report
    overview = None
    if result.shown and report.domains:
        low = min(d.low for d in report.domains)
        high = max(d.high for d in report.domains)
        overview = charts.bar_chart(
            [(d.title, d.overall, "bar") for d in report.domains], low, high
        )
    if form is None and result.can_reply:
        form = ReplyForm(initial={"text": result.reply.text if result.reply else ""})
    context: dict[str, Any] = {
        "round": feedback_round,
        "result": result,
        "report": report,
        "overview": overview,
        "overview_title": _("Domain scores with 95% intervals"),
        "suppressed": engine.suppressed_message(report.k),
        "form": form if result.can_reply else None,
    }
    return render(request, "coaches/feedback_round.html", context, status=status)


@login_required
@never_cache
def feedback_round(request: AuthedRequest, pk: int) -> HttpResponse:
    """One round's report (only when closed with at least k answered), with the coach's reply;
    the coach writes or changes the reply here (POST)."""
    found = _round_or_404(request, pk)
    if request.method != "POST":
        return _round_page(request, found)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            feedback.reply(request.user, found, form.cleaned_data["text"])
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Your reply is saved."))
            return redirect("feedback_round", pk=found.pk)
    elif request.user.pk != found.coach_id:
        raise PermissionDenied
    return _round_page(request, found, form, status=422)


@login_required
@never_cache
def feedback_replies(request: AuthedRequest) -> HttpResponse:
    """What the viewer's coaches will change, after their coaching-experience feedback."""
    page = paginate(request, feedback.replies_for(request.user))
    return render(request, "coaches/feedback_replies.html", {"page_obj": page})


@login_required
@never_cache
def programme_coach_feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    """Trends across the programme's coaches per period and per coach: chart, table, export."""
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    if not policy.allowed(request.user, Action.MANAGE, programme):
        raise Http404
    form = CoachSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    trends = feedback.programme_trends(request.user, programme, query)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in ("csv", "xlsx"):
            return HttpResponse(
                _("Choose format=csv or format=xlsx."), status=400, content_type="text/plain"
            )
        header, rows = feedback.trends_table(trends)
        name = slugify(programme.name) or "programme"
        if fmt == "csv":
            response = HttpResponse(
                exports.table_csv(header, rows), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                exports.table_xlsx(header, rows, _("Coach feedback")),
                content_type=exports.XLSX_TYPE,
            )
        response["Content-Disposition"] = f'attachment; filename="{name}-coach-feedback.{fmt}"'
        return response
    series = [
        engine.SeriesPoint(
            0,
            f.period,
            None,
            {"all": None if f.mean is None else engine.Estimate(f.mean, None, None, None, 1)},
        )
        for f in trends.across
    ]
    chart = (
        charts.line_chart(series, [("all", _("Across coaches"))], trends.low, trends.high)
        if any(f.mean is not None for f in trends.across)
        else None
    )
    page = Paginator(trends.coaches, PER_PAGE).get_page(request.GET.get("page"))
    export_query = urlencode({"q": query}) if query else ""
    context = {
        "programme": programme,
        "trends": trends,
        "chart": chart,
        "form": form if form.is_bound else CoachSearchForm(),
        "page_obj": page,
        "query": query,
        "export_query": export_query,
    }
    return render(request, "coaches/feedback_programme.html", context)
