"""Coaching-experience feedback (seed 003): rounds, invitations, results, replies and trends.

Scaffolding from the foundation; the feedback work fills it in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coachloop.accounts.models import User
from coachloop.engagements.models import Programme


@dataclass(frozen=True)
class TrendPoint:
    period: str
    #: the overall mean the viewer may see for the round (None: withheld, fewer than k answered)
    mean: float | None


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]

    @property
    def latest(self) -> float | None:
        shown = [p.mean for p in self.points if p.mean is not None]
        return shown[-1] if shown else None

    @property
    def change(self) -> float | None:
        shown = [p.mean for p in self.points if p.mean is not None]
        return shown[-1] - shown[-2] if len(shown) > 1 else None


def feedback_trends(
    viewer: User, coach_ids: Sequence[int], programme: Programme | None = None
) -> dict[int, Trend]:
    """Per coach, the closed rounds' overall results the anonymity engine shows, oldest first."""
    return {}


def feedback_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's feedback section."""
    return {"coach": coach}
