"""instruments API (issue 6)."""

from ninja import Router

router = Router(tags=["instruments"])
