"""Pages for programmes (the administrator's overview, new engagements one by one or from a
list, exports), the coach's "today" and the sponsor's page. Each view: ask the policy, parse the
input, call a service or selector, render or redirect."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.engagements import selectors, services
from coachloop.engagements.models import Engagement, Participant, ParticipantRole, Programme
from coachloop.engagements.programme_forms import BulkForm, EngagementForm, ProgrammeForm
from coachloop.lib.errors import DomainError
from coachloop.lib.exports import XLSX_TYPE, table_csv, table_xlsx
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import (
    add_domain_error,
    is_fragment_request,
    paginate,
    raise_refusal,
    render_page_or_fragment,
)
from coachloop.plans.models import PlanStatus
from coachloop.playbooks import schema
from coachloop.playbooks.models import PlaybookVersion

# --- Helpers --------------------------------------------------------------------------------------


def _specs(version_ids: Iterable[int | None]) -> dict[int, schema.Playbook]:
    """The playbook versions of some engagements, parsed once each: one query, whatever the
    number of engagements (they share a handful of versions)."""
    ids = {pk for pk in version_ids if pk is not None}
    if not ids:
        return {}
    versions = PlaybookVersion.objects.filter(pk__in=ids).only("pk", "digest", "definition")
    return {v.pk: v.spec for v in versions}


def _phase_title(specs: dict[int, schema.Playbook], engagement: Engagement) -> str:
    spec = specs.get(engagement.playbook_version_id or 0)
    if spec is None or not engagement.current_phase:
        return engagement.current_phase
    return next((p.title for p in spec.phases if p.key == engagement.current_phase), "")


def _role_label(specs: dict[int, schema.Playbook], version_id: int | None, role: str) -> str:
    spec = specs.get(version_id or 0)
    if spec is not None:
        return spec.role_label(role)
    return str(ParticipantRole(role).label) if role in ParticipantRole.values else role


def _people(engagement: Engagement, role: str) -> list[str]:
    """Names of the engagement's participants in a role, from its prefetched participants."""
    return [str(p.user) for p in engagement.participants.all() if p.role == role]


def _programme_spec(programme: Programme) -> schema.Playbook | None:
    playbook = programme.playbook
    if playbook is None or playbook.current is None:
        return None
    return playbook.current.spec


# --- Programmes -----------------------------------------------------------------------------------


@login_required
def programme_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    programmes = selectors.programme_list(user=request.user, query=search).order_by("name", "pk")
    context = {
        "page": paginate(request, programmes),
        "search": search,
        "can_create": policy.organisations_administered_by(request.user).exists(),
    }
    return render_page_or_fragment(request, "programmes/programme_list.html", context, "results")


@login_required
def programme_create(request: AuthedRequest) -> HttpResponse:
    if not policy.organisations_administered_by(request.user).exists():
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(
                request, _("Programme created. Add its engagements one by one or from a list.")
            )
            return redirect(programme)
    status = 422 if form.errors else 200
    return render(request, "programmes/programme_form.html", {"form": form}, status=status)


@never_cache
@login_required
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The programme administrator's overview: engagements by phase, the overdue steps, and the
    engagements with their progress. Metadata only: no notes, answers or plans' text."""
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    # a search (htmx) replaces only the engagements: the overview is not recomputed for it
    overview = (
        None
        if is_fragment_request(request)
        else selectors.programme_overview(user=request.user, programme=programme)
    )
    search = request.GET.get("q", "").strip()[:100]
    engagements = selectors.with_progress(
        selectors.engagement_list(user=request.user, query=search).filter(programme=programme)
    ).order_by("title", "pk")
    page = paginate(request, engagements, per_page=25)
    rows = list(page.object_list)
    overdue = overview.overdue if overview else []
    specs = _specs(
        [e.playbook_version_id for e in rows] + [s.engagement.playbook_version_id for s in overdue]
    )
    today = timezone.localdate()
    context = {
        "programme": programme,
        "overview": overview,
        "search": search,
        "page": page,
        "rows": [
            {
                "engagement": e,
                "performers": _people(e, ParticipantRole.COACHEE),
                "coaches": _people(e, ParticipantRole.COACH),
                "phase": _phase_title(specs, e),
            }
            for e in rows
        ],
        "overdue": [
            {
                "step": s,
                "owner": _role_label(specs, s.engagement.playbook_version_id, s.owner_role),
                "days": (today - s.due_on).days,
            }
            for s in overdue
        ],
        "can_create": policy.allowed(request.user, Action.CREATE_ENGAGEMENT, programme),
    }
    return render_page_or_fragment(
        request, "programmes/programme_detail.html", context, "engagements"
    )


# --- New engagements ------------------------------------------------------------------------------


def _creatable(request: AuthedRequest, pk: int) -> Programme:
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    policy.require(request.user, Action.CREATE_ENGAGEMENT, programme)
    return programme


@login_required
def engagement_create(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = _creatable(request, pk)
    spec = _programme_spec(programme)
    if spec is None:
        return render(
            request,
            "programmes/engagement_form.html",
            {"programme": programme, "form": None},
            status=409,
        )
    form = EngagementForm(
        request.POST or None,
        user=request.user,
        programme=programme,
        spec=spec,
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            engagement = services.engagement_create(
                actor=request.user,
                programme=programme,
                people=services.People(
                    coachees=form.people_of("coachees"),
                    coaches=form.people_of("coaches"),
                    sponsors=form.people_of("sponsors"),
                    district_reps=form.people_of("district_reps"),
                ),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                title=data["title"],
            )
        except DomainError as err:
            raise_refusal(err)
            add_domain_error(form, err)
        else:
            messages.success(request, _("Engagement created; its participants have been notified."))
            return redirect(engagement)
    status = 422 if form.errors else 200
    context = {"programme": programme, "form": form, "spec": spec}
    return render(request, "programmes/engagement_form.html", context, status=status)


@login_required
def engagement_bulk(request: AuthedRequest, pk: int) -> HttpResponse:
    """Many engagements from pasted lines: every line is checked first, and one bad line means
    nothing is created; each problem is listed with its line number."""
    programme = _creatable(request, pk)
    form = BulkForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = services.engagements_bulk_create(
                actor=request.user,
                programme=programme,
                text=form.cleaned_data["lines"],
            )
        except DomainError as err:
            raise_refusal(err)
            listed = err.errors.get("lines", "")
            if listed and listed != err.message:
                problems = [p for p in listed.splitlines() if p.strip()]
            form.add_error("lines", err.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Created %(n)d engagement; its participants have been notified.",
                    "Created %(n)d engagements; their participants have been notified.",
                    len(created),
                )
                % {"n": len(created)},
            )
            return redirect(programme)
    status = 422 if form.errors else 200
    spec = _programme_spec(programme)
    context = {"programme": programme, "form": form, "problems": problems, "spec": spec}
    return render(request, "programmes/engagement_bulk.html", context, status=status)


# --- Export ---------------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


def _export_header() -> list[str]:
    return [
        _("Title"),
        _("Performers"),
        _("Coaches"),
        _("Organisation"),
        _("Start"),
        _("End"),
        _("Phase"),
        _("Status"),
        _("Steps done"),
        _("Steps in all"),
        _("Overdue steps"),
        _("Plan status"),
    ]


def _export_engagements(user: Any, programme: Programme) -> QuerySet[Engagement]:
    team = Participant.objects.filter(
        role__in=(ParticipantRole.COACHEE, ParticipantRole.COACH)
    ).select_related("user")
    return (
        selectors.with_progress(policy.engagements_visible_to(user).filter(programme=programme))
        .select_related("organisation")
        .prefetch_related(Prefetch("participants", queryset=team))
        .order_by("title", "pk")
    )


def _export_rows(request: AuthedRequest, programme: Programme) -> list[list[Any]]:
    """The programme's engagements as the user sees them: metadata and counts, and the plan's
    status only where the user may see the plan. Never notes, answers or the plan's text."""
    engagements = list(_export_engagements(request.user, programme))
    specs = _specs(e.playbook_version_id for e in engagements)
    plans = dict(
        policy.plans_visible_to(request.user)
        .filter(engagement__programme=programme)
        .values_list("engagement_id", "status")
    )
    rows = []
    for e in engagements:
        plan_status = plans.get(e.pk)
        rows.append(
            [
                e.title,
                ", ".join(_people(e, ParticipantRole.COACHEE)),
                ", ".join(_people(e, ParticipantRole.COACH)),
                e.organisation.name,
                e.starts_on,
                e.ends_on,
                _phase_title(specs, e),
                str(e.get_status_display()),
                e.steps_done,  # type: ignore[attr-defined]
                e.steps_total,  # type: ignore[attr-defined]
                e.steps_overdue,  # type: ignore[attr-defined]
                str(PlanStatus(plan_status).label) if plan_status else "",
            ]
        )
    return rows


@never_cache
@login_required
def programme_export(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = policy.get_visible_or_404(request.user, Programme, pk)
    fmt = request.GET.get("format", "csv").strip().lower()
    if fmt not in EXPORT_FORMATS:
        return render(
            request,
            "programmes/export_error.html",
            {"programme": programme, "format": fmt[:20]},
            status=400,
        )
    rows = _export_rows(request, programme)
    name = f"{slugify(programme.name) or 'programme'}-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        response = HttpResponse(
            table_csv(_export_header(), rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            table_xlsx(_export_header(), rows, _("Engagements")),
            content_type=XLSX_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    audit.record(
        actor=request.user,
        action="programme.export",
        target=programme,
        data={"format": fmt, "rows": len(rows)},
    )
    return response


# --- The coach's today, the sponsor's page --------------------------------------------------------

TODAY_LIMIT = 30


@never_cache
@login_required
def today(request: AuthedRequest) -> HttpResponse:
    """What is due this week or overdue, the next meetings, plans awaiting approval and
    portfolio entries to review, for everyone who takes part in coaching."""
    data = selectors.today_for(user=request.user, limit=TODAY_LIMIT)
    specs = _specs(s.engagement.playbook_version_id for s in data.due)
    today_date = timezone.localdate()
    due = [
        {
            "step": s,
            "owner": _role_label(specs, s.engagement.playbook_version_id, s.owner_role),
            "overdue": s.due_on < today_date,
            "days": (today_date - s.due_on).days,
        }
        for s in data.due
    ]
    context = {
        "data": data,
        "due": due,
        "today": today_date,
        "truncated": len(data.due) >= TODAY_LIMIT,
    }
    return render(request, "programmes/today.html", context)


@never_cache
@login_required
def sponsor_home(request: AuthedRequest) -> HttpResponse:
    """For sponsors and district representatives: the plans awaiting their approval, then each
    engagement they follow with its phase, progress and plan status. No private content."""
    view = selectors.sponsor_view(user=request.user)
    return render(request, "programmes/sponsor.html", {"view": view})
