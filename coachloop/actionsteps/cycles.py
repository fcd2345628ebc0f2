"""The coaching cycle's bookkeeping: Study, Observe, Feedback meeting, Plan, then again.

Only engagements whose playbook has a `cycle` section have cycles. The first cycle opens with
the first action step, observation or study; each one closes when a meeting of the playbook's
feedback type is held, and the next opens the same day with the current action step and the
dates planned in that meeting's Plan stage. These functions run inside the callers'
transactions and do no access checks: the services that call them have done so.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep, ActionStepStatus, Cycle, CycleStatus
from coachloop.engagements.models import Engagement
from coachloop.meetings.models import Meeting


def has_cycles(engagement: Engagement) -> bool:
    spec = engagement.spec
    return spec is not None and spec.cycle is not None


def open_cycle(engagement: Engagement) -> Cycle | None:
    return Cycle.objects.filter(engagement=engagement, status=CycleStatus.OPEN).first()


def current_step(engagement: Engagement) -> ActionStep | None:
    """The engagement's current action step (the latest, when the playbook allows several)."""
    return (
        ActionStep.objects.filter(engagement=engagement, status=ActionStepStatus.CURRENT)
        .order_by("-started_on", "-id")
        .first()
    )


def ensure_open_cycle(engagement: Engagement, *, on: datetime.date | None = None) -> Cycle | None:
    """The open cycle, opening the next one when there is none (None without cycles)."""
    if not has_cycles(engagement):
        return None
    # Lock the engagement row so two requests never open two cycles (the unique constraint
    # on the open cycle would refuse the second one anyway).
    Engagement.objects.select_for_update().filter(pk=engagement.pk).first()
    cycle = open_cycle(engagement)
    if cycle is not None:
        if cycle.action_step_id is None:
            step = current_step(engagement)
            if step is not None:
                cycle.action_step = step
                cycle.save(update_fields=["action_step"])
        return cycle
    last = Cycle.objects.filter(engagement=engagement).order_by("-number").first()
    return Cycle.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        number=(last.number + 1) if last else 1,
        action_step=current_step(engagement),
        opened_on=on or timezone.localdate(),
    )


def mark_studied(engagement: Engagement, on: datetime.date) -> Cycle | None:
    cycle = ensure_open_cycle(engagement, on=on)
    if cycle is not None and cycle.studied_on is None:
        cycle.studied_on = on
        cycle.save(update_fields=["studied_on"])
    return cycle


def mark_observed(engagement: Engagement, on: datetime.date) -> Cycle | None:
    """An observation was finished: the open cycle's first observation date, if not yet set."""
    cycle = ensure_open_cycle(engagement, on=on)
    if cycle is not None and cycle.observed_on is None:
        cycle.observed_on = on
        cycle.save(update_fields=["observed_on"])
    return cycle


def on_meeting_held(meeting: Meeting, actor: User) -> Cycle | None:
    """Close the open cycle with its feedback meeting and open the next one with the plan made
    in that meeting. Returns the closed cycle, or None for other meetings."""
    engagement = meeting.engagement
    spec = engagement.spec
    if spec is None or spec.cycle is None or meeting.meeting_type != spec.cycle.meeting:
        return None
    held_on = timezone.localdate(meeting.held_at or meeting.starts_at)
    cycle = ensure_open_cycle(engagement, on=held_on)
    assert cycle is not None
    cycle.meeting = meeting
    cycle.status = CycleStatus.CLOSED
    cycle.closed_on = max(held_on, cycle.opened_on)
    cycle.closed_by = actor
    cycle.action_step = cycle.action_step or current_step(engagement)
    cycle.save()
    study_on, observation_on = planned_dates(meeting)
    Cycle.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        number=cycle.number + 1,
        action_step=current_step(engagement),
        opened_on=cycle.closed_on,
        study_planned_on=study_on,
        observation_planned_on=observation_on,
    )
    return cycle


def plan_next(
    meeting: Meeting, *, study_on: datetime.date | None, observation_on: datetime.date | None
) -> None:
    """Record the Plan stage's dates: on the meeting, for the cycle its holding will open; and
    on the open cycle that follows it, when the meeting was already held."""
    guide = dict(meeting.guide or {})
    guide["plan"] = {
        "study_on": study_on.isoformat() if study_on else None,
        "observation_on": observation_on.isoformat() if observation_on else None,
    }
    meeting.guide = guide
    meeting.save(update_fields=["guide"])
    if Cycle.objects.filter(meeting=meeting).exists():
        cycle = open_cycle(meeting.engagement)
        if cycle is not None:
            cycle.study_planned_on = study_on
            cycle.observation_planned_on = observation_on
            cycle.save(update_fields=["study_planned_on", "observation_planned_on"])


def planned_dates(meeting: Meeting) -> tuple[datetime.date | None, datetime.date | None]:
    """The study and observation dates the meeting's Plan stage recorded (plan_next)."""
    plan = (meeting.guide or {}).get("plan")
    if not isinstance(plan, dict):
        return None, None
    return _date(plan.get("study_on")), _date(plan.get("observation_on"))


def _date(value: object) -> datetime.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None
