"""Pages for the views of instructional coaching: the coach's caseload (and its CSV and XLSX
export), the teacher's own page ("My coaching") and the programme administrator's aggregate of
cycles. Thin: each asks the policy, parses the input and renders what `caseload` selects."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import audit, policy
from coachloop.actionsteps import caseload as selectors
from coachloop.engagements.models import Programme
from coachloop.lib.exports import XLSX_TYPE, table_csv, table_xlsx
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import paginate, render_page_or_fragment

EXPORT_FORMATS = ("csv", "xlsx")


def _search(request: AuthedRequest) -> tuple[str, str]:
    query = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "name")
    return query, sort if sort in selectors.SORTS else "name"


@never_cache
@login_required
def caseload_page(request: AuthedRequest) -> HttpResponse:
    """Every teacher the user coaches in instructional coaching, one row per engagement."""
    query, sort = _search(request)
    page = paginate(request, selectors.caseload(user=request.user, query=query, sort=sort))
    today = timezone.localdate()
    context = {
        "page": page,
        "rows": [selectors.caseload_row(p, today) for p in page.object_list],
        "query": query,
        "sort": sort,
        "sorts": [
            ("name", _("Teacher's name")),
            ("observed", _("Longest since observed")),
            ("met", _("Longest since a meeting")),
        ],
    }
    return render_page_or_fragment(request, "caseload/caseload.html", context, "results")


@never_cache
@login_required
def caseload_export(request: AuthedRequest) -> HttpResponse:
    """The caseload as CSV or XLSX: every row (all pages), with the page's search and order."""
    fmt = request.GET.get("format", "csv").strip().lower()
    if fmt not in EXPORT_FORMATS:
        return render(request, "caseload/export_error.html", {"format": fmt[:20]}, status=400)
    query, sort = _search(request)
    rows = selectors.caseload_table(
        selectors.caseload_rows(user=request.user, query=query, sort=sort)
    )
    header = [_(h) for h in selectors.CASELOAD_HEADER]
    if fmt == "csv":
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(header, rows, _("Caseload")), content_type=XLSX_TYPE)
    name = f"caseload-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(
        actor=request.user, action="caseload.export", data={"format": fmt, "rows": len(rows)}
    )
    return response


@never_cache
@login_required
def my_coaching(request: AuthedRequest) -> HttpResponse:
    """The teacher's own page: per instructional engagement, the current action step, what was
    agreed, the next dates, their reflections and the steps mastered so far."""
    engagements = selectors.my_coaching(user=request.user)
    return render(request, "caseload/my_coaching.html", {"engagements": engagements})


@never_cache
@login_required
def programme_cycles(request: AuthedRequest, pk: int) -> HttpResponse:
    """The programme administrator's aggregate of cycles and feedback meeting timings, for a
    period of months. 404 for a programme the user may not see, 403 for one they see but do
    not manage."""
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    policy.require(request.user, policy.Action.MANAGE, programme)
    default_start, default_end = selectors.default_period()
    raw_from = request.GET.get("from", "").strip()[:20]
    raw_to = request.GET.get("to", "").strip()[:20]
    start = selectors.parse_month(raw_from) if raw_from else default_start
    end = selectors.parse_month(raw_to) if raw_to else default_end
    errors = selectors.period_errors(start, end)
    report = None
    status = 200
    if errors:
        status = 422
    else:
        assert start is not None
        assert end is not None
        report = selectors.programme_cycles(
            user=request.user, programme=programme, start=start, end=end
        )
    context = {
        "programme": programme,
        "report": report,
        "errors": errors,
        "from_value": raw_from or default_start.strftime("%Y-%m"),
        "to_value": raw_to or default_end.strftime("%Y-%m"),
    }
    return render(request, "caseload/programme_cycles.html", context, status=status)
