"""Practice-profile assessments (seed 003): the coach's self-assessment and the lead coach's
assessment from an observed coaching conversation, side by side over time; the growth plan.

Scaffolding from the foundation; the practice-profile work fills it in."""

from __future__ import annotations

from typing import Any

from coachloop.accounts.models import User


def profile_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's practice-profile section."""
    return {"coach": coach}


def growth_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's growth-plan section."""
    return {"coach": coach}
