"""Report pages: a survey's report (with its print layout), its CSV/XLSX export, growth over
re-administrations, and the district report. Every figure comes from surveys.engine; access from
the policy (an administration you may not see answers 404)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import policy
from coachloop.lib.exports import XLSX_TYPE, table_csv, table_xlsx
from coachloop.lib.http import AuthedRequest
from coachloop.surveys import charts, engine
from coachloop.surveys.models import Administration, Instrument


def administration_or_404(request: AuthedRequest, pk: int) -> Administration:
    try:
        return (
            policy.administrations_visible_to(request.user)
            .select_related("version", "organisation")
            .get(pk=pk)
        )
    except (Administration.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _domain_charts(report: engine.Report) -> list[tuple[engine.DomainResult, Any, Any]]:
    """Per domain: its item chart, and (when shown by role) its chart by role cell."""
    target = report.spec.target_below
    out = []
    labels = {c.key: c.label for c in report.cells}
    for d in report.domains:
        items = charts.bar_chart(
            [(i.text, i.overall.estimate, "bar") for i in d.items], d.low, d.high, marker=target
        )
        cells = None
        if d.by_cell:
            rows = [("All", d.overall, "bar all")]
            rows += [(labels[k], e, "bar cell") for k, e in d.by_cell.items()]
            if d.self_value is not None:
                rows.append(("Self", _point(d.self_value), "bar self"))
            cells = charts.bar_chart(rows, d.low, d.high)
        out.append((d, items, cells))
    return out


def _point(value: float) -> engine.Estimate:
    return engine.Estimate(value, None, None, None, 1)


@login_required
@never_cache
def report(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = administration_or_404(request, pk)
    result = engine.school_report(administration)
    overview = None
    if result.domains:
        low = min(d.low for d in result.domains)
        high = max(d.high for d in result.domains)
        overview = charts.bar_chart(
            [(d.title, d.overall, "bar") for d in result.domains], low, high
        )
    context = {
        "administration": administration,
        "report": result,
        "overview": overview,
        "overview_title": _("Domain scores with 95% intervals"),
        "domain_charts": _domain_charts(result),
        "suppressed": engine.suppressed_message(result.k),
        "has_previous": administration.previous_id is not None,
    }

    def body() -> str:
        return render_to_string("surveys/report_body.html", context)

    # A closed report shows the same to every reader, so its rendering is kept with it.
    key = result.memo_key
    html = engine.kept(("html", translation.get_language(), *key), body) if key else body()
    return render(
        request,
        "surveys/report.html",
        {"administration": administration, "body": mark_safe(html)},  # noqa: S308
    )


@login_required
@never_cache
def report_export(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = administration_or_404(request, pk)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            "Choose format=csv or format=xlsx.", status=400, content_type="text/plain"
        )
    header, rows = engine.table(engine.school_report(administration))
    name = slugify(administration.title) or "report"
    if fmt == "csv":
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(header, rows, "Report"), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-report.{fmt}"'
    return response


@login_required
@never_cache
def growth(request: AuthedRequest, pk: int) -> HttpResponse:
    administration = administration_or_404(request, pk)
    spec = administration.spec
    series = engine.growth_series(administration)
    result = engine.growth_for(administration)
    ranges = [engine.domain_range(spec, d) for d in spec.domains]
    low = min(r[0] for r in ranges)
    high = max(r[1] for r in ranges)
    chart = charts.line_chart(series, [(d.key, d.title) for d in spec.domains], low, high)
    titles = {d.key: d.title for d in spec.domains}
    table = [(p, [(titles[k], e) for k, e in p.domains.items()]) for p in series]
    context = {
        "administration": administration,
        "growth": result,
        "series": series,
        "chart": chart,
        "domains": spec.domains,
        "table": table,
    }
    return render(request, "surveys/growth.html", context)


@login_required
@never_cache
def district_report(request: AuthedRequest) -> HttpResponse:
    organisations = list(
        policy.organisations_overseen_by(request.user).exclude(kind="school").order_by("path")
    )
    if not organisations:
        raise Http404
    instruments = list(
        policy.instruments_visible_to(request.user)
        .filter(kind="school", current__isnull=False)
        .select_related("current")
    )
    org_id = request.GET.get("organisation") or str(organisations[0].pk)
    ins_id = request.GET.get("instrument") or (str(instruments[0].pk) if instruments else "")
    organisation = next((o for o in organisations if str(o.pk) == org_id), None)
    instrument: Instrument | None = next((i for i in instruments if str(i.pk) == ins_id), None)
    errors = []
    if organisation is None:
        errors.append(("id_organisation", "Choose one of the organisations in the list."))
    if instrument is None and instruments:
        errors.append(("id_instrument", "Choose one of the instruments in the list."))
    result = None
    rows: list[tuple[engine.SchoolRow, list[Any]]] = []
    district_means: list[Any] = []
    page = None
    sort = request.GET.get("sort", "")
    if organisation is not None and instrument is not None:
        result = engine.district_report(organisation, instrument)
        keys = [d.key for d in result.spec.domains]
        page = Paginator(result.sorted_by(sort if sort in keys else None), 50).get_page(
            request.GET.get("page")
        )
        # each school's scores in the domains' order, so the table is one loop per row
        rows = [(s, [s.domains.get(key) for key in keys]) for s in page.object_list]
        district_means = [result.domains.get(key) for key in keys]
    context = {
        "organisations": organisations,
        "instruments": instruments,
        "organisation": organisation,
        "instrument": instrument,
        "errors": errors,
        "result": result,
        "rows": rows,
        "page": page,
        "district_means": district_means,
        "sort": sort,
        "suppressed": engine.suppressed_message(result.spec.k) if result else "",
    }
    return render(request, "surveys/district_report.html", context, status=400 if errors else 200)
