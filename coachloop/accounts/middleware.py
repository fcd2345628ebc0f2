"""Session lifetime (idle and absolute) and the second-factor requirement."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from coachloop.access import policy

Handler = Callable[[HttpRequest], HttpResponse]

SEEN_WRITE_EVERY = 60  # seconds; the session row is written at most once a minute for activity


class SessionLifetimeMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS
    after sign-in, whichever comes first."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get("coachloop_started", now)
            seen = request.session.get("coachloop_seen", now)
            idle = now - seen > settings.SESSION_IDLE_SECONDS
            if idle or now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            request.session.setdefault("coachloop_started", now)
            if now - seen >= SEEN_WRITE_EVERY or "coachloop_seen" not in request.session:
                request.session["coachloop_seen"] = now
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """Send people who must use a second factor, and have none yet, to set one up first."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/s/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and policy.second_factor_required(user)
            and not _has_second_factor(user.pk)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up a second factor before using the API.")}, status=403
                )
            messages.warning(
                request,
                _("Your role requires a second factor. Set up an authenticator app to continue."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_second_factor(user_id: int) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user_id=user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()
