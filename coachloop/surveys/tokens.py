"""Survey link tokens, sealed tokens and encrypted drafts (DESIGN.md invariant 2).

- A link token is `secrets.token_urlsafe(32)`. The invitation stores only its SHA-256
  (`Invitation.token_hash`), so a database copy holds no working link.
- A respondent's draft is encrypted with a Fernet key derived from the token (HKDF-SHA256 with
  an info string of its own): without the link, `Draft.ciphertext` cannot be read.
- An emailed invitation keeps its token sealed with a key derived from `SECRET_KEY`
  (`Invitation.sealed_token`), so a reminder resends the same link and the draft stays readable.
  Printed links are never sealed: their tokens exist only on the printed page.

Nothing here logs or returns a token except to its caller.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

TOKEN_BYTES = 32
#: token_urlsafe(32) is 43 characters; anything much longer is not one of ours
MAX_TOKEN_LENGTH = 64

_DRAFT_INFO = b"coachloop survey draft v1"
_SEAL_INFO = b"coachloop survey sealed token v1"


class DraftUnreadable(Exception):
    """The draft was encrypted with another key (another link) or was tampered with."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= MAX_TOKEN_LENGTH and all(c.isalnum() or c in "-_" for c in token)


def _fernet(secret: bytes, info: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def _draft_fernet(token: str) -> Fernet:
    return _fernet(token.encode(), _DRAFT_INFO)


def encrypt_draft(token: str, data: dict[str, Any]) -> str:
    return _draft_fernet(token).encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_draft(token: str, ciphertext: str) -> dict[str, Any]:
    try:
        data = json.loads(_draft_fernet(token).decrypt(ciphertext.encode()))
    except (InvalidToken, ValueError) as error:
        raise DraftUnreadable from error
    if not isinstance(data, dict):
        raise DraftUnreadable
    return data


def _seal_fernet() -> Fernet:
    return _fernet(settings.SECRET_KEY.encode(), _SEAL_INFO)


def seal(token: str) -> str:
    return _seal_fernet().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The token of an emailed invitation; None when it cannot be unsealed (a printed link,
    or SECRET_KEY has changed since)."""
    if not sealed:
        return None
    try:
        return _seal_fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
