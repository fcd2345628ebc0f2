"""The programme administrator's cadence overview (and its CSV and XLSX export): every engagement
off cadence in the programmes they manage, with the reasons. Thin: the policy decides, the
selectors read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import audit, policy
from coachloop.cadence import selectors
from coachloop.engagements.models import Programme
from coachloop.lib.exports import XLSX_TYPE, table_csv, table_xlsx
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import forbidden, paginate, render_page_or_fragment

EXPORT_FORMATS = ("csv", "xlsx")
NOT_ADMIN = "Only programme administrators see the cadence overview."


@dataclass
class Filters:
    status: str
    programme: Programme | None
    query: str
    sort: str
    errors: dict[str, str]


def _programme(request: AuthedRequest, pk: Any) -> Programme:
    """A programme the user manages: 404 when they may not see it, 403 when they only see it."""
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    policy.require(request.user, policy.Action.MANAGE, programme)
    return programme


def _filters(request: AuthedRequest, programme_pk: int | None) -> Filters:
    """The filters from the query string; an unknown value falls back to the default, with a
    message for the field (the page answers 422)."""
    data: QueryDict = request.GET
    errors: dict[str, str] = {}
    status = data.get("status", "").strip()[:20]
    if status not in selectors.STATUS_FILTERS:
        errors["status"] = _("Choose a status from the list.")
        status = ""
    sort = data.get("sort", "status").strip()[:20] or "status"
    if sort not in selectors.SORTS:
        errors["sort"] = _("Choose an order from the list.")
        sort = "status"
    programme = None
    if programme_pk is not None:
        programme = _programme(request, programme_pk)
    elif raw := data.get("programme", "").strip()[:20]:
        if not raw.isdigit():
            errors["programme"] = _("Choose a programme from the list.")
        else:
            programme = _programme(request, int(raw))
    query = data.get("q", "").strip()[:100]
    return Filters(status, programme, query, sort, errors)


@never_cache
@login_required
def overview(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Every active engagement with cadence rules in the programmes the user manages, off track
    and at risk first by default; filter by status and programme, search, order, page."""
    if pk is None and not selectors.may_view(request.user):
        return forbidden(request, _(NOT_ADMIN))
    filters = _filters(request, pk)
    base = selectors.base(request.user, programme=filters.programme, query=filters.query)
    engagements = selectors.overview(
        request.user,
        status=filters.status,
        programme=filters.programme,
        query=filters.query,
        sort=filters.sort,
    )
    page = paginate(request, engagements)
    context = {
        "page": page,
        "rows": [selectors.row(e) for e in page.object_list],
        "counts": selectors.counts(base),
        "filters": filters,
        "errors": filters.errors,
        "statuses": [(k, label) for k, (label, _s) in selectors.STATUS_FILTERS.items()],
        "sorts": list(selectors.SORTS.items()),
        "programmes": list(selectors.programme_choices(request.user)) if pk is None else [],
        "fixed_programme": filters.programme if pk is not None else None,
        "export_query": _export_query(filters),
        # translated once, not once per row (the rows render the status inline)
        "met_since": _("(met since)"),
    }
    status = 422 if filters.errors else 200
    response = render_page_or_fragment(request, "cadence/overview.html", context, "results")
    response.status_code = status
    return response


def _export_query(filters: Filters) -> str:
    query = QueryDict(mutable=True)
    for key, value in (
        ("status", filters.status),
        ("programme", str(filters.programme.pk) if filters.programme else ""),
        ("q", filters.query),
        ("sort", filters.sort),
    ):
        if value:
            query[key] = value
    return query.urlencode()


@never_cache
@login_required
def export(request: AuthedRequest) -> HttpResponse:
    """Exactly the filtered list (every page) as CSV or XLSX."""
    if not selectors.may_view(request.user):
        return forbidden(request, _(NOT_ADMIN))
    fmt = request.GET.get("format", "csv").strip().lower()[:10]
    if fmt not in EXPORT_FORMATS:
        return render(request, "cadence/export_error.html", {"format": fmt}, status=400)
    filters = _filters(request, None)
    if filters.errors:
        context = {"format": fmt, "errors": filters.errors}
        return render(request, "cadence/export_error.html", context, status=400)
    engagements = selectors.overview(
        request.user,
        status=filters.status,
        programme=filters.programme,
        query=filters.query,
        sort=filters.sort,
    )
    rows = selectors.table(engagements)
    header = [_(h) for h in selectors.HEADER]
    if fmt == "csv":
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(header, rows, _("Cadence")), content_type=XLSX_TYPE)
    name = f"cadence-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(
        actor=request.user,
        action="cadence.export",
        data={"format": fmt, "rows": len(rows), "status": filters.status or "attention"},
    )
    return response
