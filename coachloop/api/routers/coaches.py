"""Coaching the coaches (seed 003): practice-profile assessments, coaching-experience feedback,
a coach's development page and the programme's coach overview. The same services, selectors and
policy as the pages."""

from ninja import Router

router = Router(tags=["coaches"])
