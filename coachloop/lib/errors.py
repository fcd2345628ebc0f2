"""The domain error that services raise and that pages and the API turn into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on. `field` names the input it concerns, if any; `errors`
    holds one message per field when several inputs are wrong at once."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status: int = 400,
        errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.errors = errors or ({field: message} if field else {})
