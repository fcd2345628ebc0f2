"""School calendars, response-time agreements and questions (seed 003): the same services,
selectors and policy as the pages."""

from ninja import Router

router = Router(tags=["calendars"])
