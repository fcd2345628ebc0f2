"""Start the session clock at sign-in."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from coachloop.access import audit


@receiver(user_logged_in)
def mark_session_start(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["coachloop_started"] = now
        request.session["coachloop_seen"] = now
    audit.record(actor=user, action="user.sign_in", target=user)
