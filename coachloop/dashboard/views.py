from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from coachloop.dashboard.selectors import ROLE_TITLES, dashboard_for
from coachloop.lib.http import AuthedRequest


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return redirect("account_login")


def dashboard(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    board = dashboard_for(user=request.user)
    sections = [
        (ROLE_TITLES[role], role, board.engagements_by_role.get(role, []))
        for role in ROLE_TITLES
        if role in board.engagements_by_role
    ]
    return render(request, "dashboard/dashboard.html", {"board": board, "sections": sections})


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and operators: 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
