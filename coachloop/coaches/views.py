"""Pages for a coach's development (seed 003) and the programme's coach overview (with its CSV and
XLSX export). Thin: each asks the policy, parses the input and renders what `overview` selects;
the development page's sections come from the profile, responsiveness and feedback modules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.coaches import feedback, profile
from coachloop.coaches import overview as selectors
from coachloop.engagements.models import Programme
from coachloop.lib.errors import DomainError
from coachloop.lib.exports import XLSX_TYPE, table_csv, table_xlsx
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import paginate, render_page_or_fragment
from coachloop.messaging import responsiveness

EXPORT_FORMATS = ("csv", "xlsx")


# --- A coach's development page -----------------------------------------------------------------


@never_cache
@login_required
def my_development(request: AuthedRequest) -> HttpResponse:
    return redirect("coach_development", request.user.pk)


@never_cache
@login_required
def coach_development(request: AuthedRequest, user_pk: int) -> HttpResponse:
    """The coach's profile ratings, responsiveness, feedback, growth plan and caseload: for the
    coach, their lead coaches and the administrators of their programmes (404 for others)."""
    viewer = request.user
    coach = selectors.followed_or_404(viewer, user_pk)
    found = selectors.development(viewer, coach)
    managed = set(
        policy.programmes_managed_by(viewer)
        .filter(pk__in=[p.pk for p in found.programmes])
        .values_list("pk", flat=True)
    )
    context = {
        "coach": coach,
        "is_self": coach.pk == viewer.pk,
        "development": found,
        "overviews": [p for p in found.programmes if p.pk in managed],
        "profile": profile.profile_section(viewer, coach),
        "growth": profile.growth_section(viewer, coach),
        "responsiveness": responsiveness.responsiveness_section(viewer, coach),
        "feedback": feedback.feedback_section(viewer, coach),
    }
    return render(request, "coaches/development.html", context)


# --- The programme's coach overview --------------------------------------------------------------


def _choices(request: AuthedRequest) -> tuple[str, str, str]:
    query = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "").strip()[:80] or "name"
    filter_by = request.GET.get("filter", "").strip()[:20]
    return query, sort, filter_by


def _managed_programme(request: AuthedRequest, pk: int) -> Programme:
    """404 for a programme the user may not see, 403 for one they see but do not manage."""
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    policy.require(request.user, Action.MANAGE, programme)
    return programme


def _column_labels() -> dict[str, str]:
    return {
        "name": _("Coach"),
        "caseload": _("Active engagements"),
        "asked": _("Questions asked"),
        "median": _("Median response"),
        "within": _("Answered within agreement"),
        "open": _("Open questions"),
        "overdue": _("Overdue questions"),
        "feedback": _("Coaching-experience feedback"),
        "change": _("Feedback change"),
    }


def _sort_options(functions: list[selectors.Function]) -> list[tuple[str, str]]:
    labels = _column_labels()
    options = [
        ("name", _("Coach's name")),
        ("-caseload", _("Most active engagements")),
        ("-median", _("Slowest median response")),
        ("within", _("Lowest share answered within the agreement")),
        ("-open", _("Most open questions")),
        ("-overdue", _("Most overdue questions")),
        ("-asked", _("Most questions asked")),
        ("feedback", _("Lowest feedback")),
        ("change", _("Largest drop in feedback")),
    ]
    assert {key.lstrip("-") for key, _label in options} == set(labels)
    for f in functions:
        options.append((f"self.{f.key}", _("%s: lowest self level") % f.title))
        options.append((f"lead.{f.key}", _("%s: lowest lead level") % f.title))
    return options


def _with_current(
    options: list[tuple[str, str]], sort: str, functions: list[selectors.Function]
) -> list[tuple[str, str]]:
    """The order in force among the choices, when a column heading chose one the list lacks
    (a reversed order), so that searching keeps it."""
    if sort in {value for value, _label in options}:
        return options
    column = sort.lstrip("-")
    titles = {f"{p}.{f.key}": f"{f.title} ({p})" for f in functions for p in selectors.PERSPECTIVES}
    label = _column_labels().get(column) or titles.get(column, column)
    way = _("descending") if sort.startswith("-") else _("ascending")
    return [*options, (sort, f"{label}, {way}")]


def _header_links(query: str, sort: str, filter_by: str, columns: list[str]) -> dict[str, Any]:
    """Per column: the link that orders by it (reversing the current order when it is the one
    in force) and its aria-sort value."""
    out = {}
    for column in columns:
        current = sort.lstrip("-") == column
        if current:
            target = column if sort.startswith("-") else f"-{column}"
            if column == "name" and sort == "name":
                target = "-name"
        else:
            target = selectors.natural(column)
        params = {"sort": target}
        if query:
            params["q"] = query
        if filter_by:
            params["filter"] = filter_by
        aria = ""
        if current:
            aria = "descending" if sort.startswith("-") else "ascending"
        out[column] = {
            "href": "?" + urlencode(params),
            "aria_sort": aria,
        }
    return out


def _level_cells(rows: list[Any]) -> None:
    """Each row's practice-profile cells as one piece of HTML, laid out here instead of by a
    nested template loop over functions and perspectives: on 50 rows of 5 functions that loop
    took most of the page's time. The same markup the template would make; each distinct
    rating is formatted once."""
    none = format_html(
        '<span class="muted">—<span class="visually-hidden"> {}</span></span>', _("none")
    )
    words = {"self": _("Self"), "lead": _("Lead")}
    made: dict[tuple[Any, ...], str] = {}

    def part(perspective: str, rating: Any) -> str:
        key = (perspective, rating and (rating.level, rating.label, rating.on))
        if key not in made:
            if rating is None:
                made[key] = format_html("<span>{} {}</span>", words[perspective], none)
            else:
                made[key] = format_html(
                    '<span title="{}, {}">{} <strong>{}</strong></span>',
                    rating.label,
                    date_format(rating.on, "j M Y"),
                    words[perspective],
                    rating.level,
                )
        return made[key]

    titles: dict[str, str] = {}
    for row in rows:
        html = []
        for cell in row.cells:
            title = titles.get(cell.function.key)
            if title is None:
                title = titles[cell.function.key] = escape(cell.function.title)
            html.append(
                f'<td data-label="{title}">{part("self", cell.self)}<br>'
                f"{part('lead', cell.lead)}</td>"
            )
        row.cells_html = mark_safe("".join(html))  # noqa: S308 - every part escaped above


@never_cache
@login_required
def coach_overview(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every coach of the programme: caseload, latest self and lead level per function,
    responsiveness and feedback trend; search, filters, order, 50 per page."""
    programme = _managed_programme(request, pk)
    query, sort, filter_by = _choices(request)
    errors: dict[str, str] = {}
    status = 200
    try:
        found = selectors.coach_overview(
            request.user,
            programme,
            query=query,
            sort=sort,
            filter_by=filter_by,
            page=request.GET.get("page"),
        )
    except DomainError as error:
        errors, status = error.errors, 422
        found = selectors.coach_overview(
            request.user,
            programme,
            query=query,
            sort="name" if "sort" in errors else sort,
            filter_by="" if "filter" in errors else filter_by,
            page=request.GET.get("page"),
        )
    columns = ["name", *selectors.COLUMNS] + [
        f"{p}.{f.key}" for f in found.functions for p in selectors.PERSPECTIVES
    ]
    links = _header_links(query, found.sort, found.filter, columns)
    _level_cells(found.rows)
    export = {"q": query, "sort": found.sort, "filter": found.filter}
    context = {
        "programme": programme,
        "overview": found,
        "page": found.page,
        "rows": found.rows,
        "query": query,
        "sort": sort,
        "filter": filter_by,
        "errors": errors,
        "sorts": _with_current(_sort_options(found.functions), found.sort, found.functions),
        "filters": [(key, _(label)) for key, (label, _keep) in selectors.FILTERS.items()],
        "links": links,
        "function_links": [
            (f, links[f"self.{f.key}"], links[f"lead.{f.key}"]) for f in found.functions
        ],
        "export_query": urlencode({k: v for k, v in export.items() if v and v != "name"}),
    }
    if status != 200:
        return render(request, "coaches/overview.html", context, status=status)
    return render_page_or_fragment(request, "coaches/overview.html", context, "results")


@never_cache
@login_required
def coach_overview_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The overview as CSV or XLSX: every row the search and filter keep (all pages), in the
    page's order, with the columns the page shows."""
    programme = _managed_programme(request, pk)
    fmt = request.GET.get("format", "csv").strip().lower()
    if fmt not in EXPORT_FORMATS:
        return render(
            request,
            "coaches/overview_export_error.html",
            {"format": fmt[:20], "programme": programme},
            status=400,
        )
    query, sort, filter_by = _choices(request)
    try:
        found = selectors.coach_overview(
            request.user, programme, query=query, sort=sort, filter_by=filter_by, per_page=None
        )
    except DomainError as error:
        return render(
            request,
            "coaches/overview_export_error.html",
            {"message": error.message, "programme": programme},
            status=422,
        )
    header = selectors.overview_header(found.functions)
    rows = selectors.overview_table(found.rows)
    if fmt == "csv":
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(header, rows, _("Coaches")), content_type=XLSX_TYPE)
    name = f"coaches-{programme.pk}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(
        actor=request.user,
        action="coach_overview.export",
        target=programme,
        data={"format": fmt, "rows": len(rows)},
    )
    return response


@never_cache
@login_required
def coaches_home(request: AuthedRequest) -> HttpResponse:
    """The programmes whose coach overview the user may open; straight to it when there is one."""
    query = request.GET.get("q", "").strip()[:100]
    programmes = policy.programmes_managed_by(request.user).select_related("organisation")
    if not query and programmes.count() == 1:
        only = programmes.get()
        return redirect("coach_overview", only.pk)
    for word in query.split()[:5]:
        programmes = programmes.filter(
            Q(name__icontains=word) | Q(organisation__name__icontains=word)
        )
    page = paginate(request, programmes.order_by("name", "pk"))
    context = {"page": page, "programmes": page.object_list, "query": query}
    return render_page_or_fragment(request, "coaches/coaches_home.html", context, "results")
