"""Writes for people's own accounts: access tokens."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coachloop.access import audit
from coachloop.accounts.models import PersonalAccessToken, User, hash_token


@transaction.atomic
def token_create(
    *, user: User, name: str, read_only: bool = True, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Make a token for `user`; returns the row and the raw token, which is shown once only."""
    raw = PersonalAccessToken.generate()
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name.strip(),
        token_hash=hash_token(raw),
        prefix=raw[:8],
        read_only=read_only,
        expires_at=expires_at,
    )
    audit.record(
        actor=user,
        action="token.create",
        target=token,
        data={"name": token.name, "read_only": read_only},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, user: User, token: PersonalAccessToken) -> PersonalAccessToken:
    token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=user, action="token.revoke", target=token, data={"name": token.name})
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a usable token, or None; records when the token was last used."""
    if not raw.startswith("clp_"):
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw))
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user.api_token = token  # type: ignore[attr-defined]
    return token.user
