"""allauth adapters: no open sign-up; people are added by administrators or a roster import."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest

RECENT_SIGN_IN_SECONDS = 300


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """A sign-in within the last five minutes counts as recent, so a coach sent to set up
        the required second factor straight after signing in is not asked for the password
        again. Later, sensitive account changes ask for it as allauth does."""
        request = getattr(context, "request", None)
        started = request.session.get("coachloop_started") if request is not None else None
        if started and time.time() - started < RECENT_SIGN_IN_SECONDS:
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Google or Microsoft sign-in only for people Coachloop already knows by email."""
        return False
