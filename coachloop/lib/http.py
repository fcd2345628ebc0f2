"""A request type whose user is signed in, for views behind login_required."""

from __future__ import annotations

from django.http import HttpRequest

from coachloop.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
