"""A held feedback meeting closes the engagement's coaching cycle and opens the next."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from coachloop.accounts.models import User
from coachloop.meetings.models import Meeting
from coachloop.meetings.signals import meeting_held


@receiver(meeting_held, sender=Meeting)
def close_cycle(sender: type[Meeting], meeting: Meeting, actor: User, **kwargs: Any) -> None:
    from coachloop.actionsteps.cycles import on_meeting_held

    cycle = on_meeting_held(meeting, actor)
    if cycle is not None:  # coaching-experience feedback after a cycle (seed 003)
        from coachloop.coaches.feedback import ask_after_cycle

        ask_after_cycle(cycle)
