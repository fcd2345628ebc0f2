"""The observation history as CSV or XLSX: every row the history page would list (all pages,
same filters), with only what the user may read. An observation's action step is separate
content: its title and success criteria appear only for readers of the step."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from coachloop.access import audit
from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement
from coachloop.lib.exports import XLSX_TYPE, table_csv, table_xlsx
from coachloop.lib.http import AuthedRequest
from coachloop.observations import selectors, services
from coachloop.observations.models import Evidence, Observation, ObservationStatus
from coachloop.observations.views import _engagement_or_404, history_filters

EXPORT_FORMATS = ("csv", "xlsx")
#: an export is for a teacher's history: a hard ceiling keeps one request bounded
MAX_ROWS = 5000

HEADER = (
    "Date",
    "Started",
    "Minutes",
    "Teacher",
    "Observer",
    "Status",
    "Visibility",
    "Action step",
    "Evidence seen",
    "Evidence not yet",
    "Notes",
    "Moments",
    "Scores",
)


def _moments_text(observation: Observation, criteria: list[str] | None) -> str:
    """One line per moment: time, the evidence and its criterion, the note."""
    lines = []
    for moment in observation.moments or []:
        if not isinstance(moment, dict):
            continue
        parts = [str(moment.get("at", ""))]
        index = moment.get("criterion")
        if isinstance(index, int):
            if criteria is not None and 0 <= index < len(criteria):
                label = criteria[index]
            else:
                label = _("success criterion %d") % (index + 1)
            evidence = moment.get("evidence")
            tags: dict[str, str] = {
                Evidence.FOR.value: _("Seen"),
                Evidence.AGAINST.value: _("Not yet"),
            }
            tag = tags.get(str(evidence), "")
            parts.append(f"[{tag}: {label}]" if tag else f"[{label}]")
        if moment.get("text"):
            parts.append(str(moment["text"]))
        lines.append(" ".join(parts))
    return "\n".join(lines)


def _scores_text(observation: Observation) -> str:
    if not observation.scores:
        return ""
    rubric = services.observation_rubric(observation)
    titles = {c.key: c.title for c in rubric.criteria} if rubric else {}
    return "; ".join(f"{titles.get(k, k)}: {v}" for k, v in observation.scores.items())


def export_rows(
    *, user: User, engagement: Engagement, filters: selectors.HistoryFilters
) -> list[list[Any]]:
    observations = list(
        selectors.observation_history(user=user, engagement=engagement, filters=filters)[:MAX_ROWS]
    )
    readable = selectors.readable_steps(user, observations)
    rows = []
    for observation in observations:
        observation.engagement = engagement
        step = observation.action_step if observation.action_step_id in readable else None
        seen, not_yet = selectors.evidence_counts(observation)
        started = timezone.localtime(observation.started_at)
        rows.append(
            [
                started.date(),
                started.replace(tzinfo=None),
                observation.duration_minutes,
                str(observation.coachee),
                str(observation.author),
                str(ObservationStatus(observation.status).label),
                str(Visibility(observation.visibility).label),
                step.title
                if step
                else (_("(not shown to you)") if observation.action_step_id else ""),
                seen,
                not_yet,
                observation.notes,
                _moments_text(observation, services.criteria_of(step) if step else None),
                _scores_text(observation),
            ]
        )
    return rows


@never_cache
@login_required
def observation_export(request: AuthedRequest, pk: int) -> HttpResponse:
    engagement = _engagement_or_404(request, pk)
    fmt = request.GET.get("format", "csv").strip().lower()
    if fmt not in EXPORT_FORMATS:
        return HttpResponse(
            _("Choose the format csv or xlsx, like ?format=csv."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    _form, filters = history_filters(request, engagement)
    rows = export_rows(user=request.user, engagement=engagement, filters=filters)
    header = [_(h) for h in HEADER]
    if fmt == "csv":
        response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(table_xlsx(header, rows, _("Observations")), content_type=XLSX_TYPE)
    name = f"observations-{engagement.pk}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit.record(
        actor=request.user,
        action="observation.export",
        target=engagement,
        data={"format": fmt, "rows": len(rows)},
    )
    return response
