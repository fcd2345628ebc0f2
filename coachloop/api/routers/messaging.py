"""Messages, check-ins by other channels, questions and responsiveness (seed 003). The same
services, selectors and policy as the pages."""

from ninja import Router

router = Router(tags=["messages"])
