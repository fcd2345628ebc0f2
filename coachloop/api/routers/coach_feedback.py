"""Coaching-experience feedback (seed 003). The same services, selectors and policy as the pages."""

from ninja import Router

router = Router(tags=["coach-feedback"])
