from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from coachloop.access import policy
from coachloop.lib.http import AuthedRequest
from coachloop.lib.views import paginate


@login_required
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audit trail of the organisations the user administers: metadata only."""
    if not policy.organisations_administered_by(request.user).exists():
        return render(request, "403.html", status=403)
    events = policy.audit_events_visible_to(request.user).select_related("actor", "organisation")
    action = request.GET.get("action", "").strip()[:60]
    if action:
        events = events.filter(action__startswith=action)
    return render(
        request, "access/audit_list.html", {"page": paginate(request, events), "action": action}
    )
