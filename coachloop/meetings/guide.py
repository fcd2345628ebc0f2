"""The live meeting guide: a meeting's agenda stages, run one after the other with a timer per
stage that the coach (or the coachee) starts, pauses, extends and skips, with the time actually
spent per stage recorded on the meeting.

The state lives in `Meeting.guide` (JSON) next to keys that other areas keep there (the Plan
stage's dates, written by `actionsteps.cycles.plan_next`), so every write here keeps the keys it
does not own:

    current   index of the current stage
    running   whether the current stage's timer runs
    elapsed   seconds on the current stage (this visit) as of `at`
    at        the server's time of the last write (ISO 8601)
    started   whether the timer was ever started
    finished  whether the guide was finished (the time of it in `finished_at`)
    stages    one {spent, extra, skipped, visited} per agenda stage: seconds spent on earlier
              visits, minutes added, whether it was skipped, whether it was ever shown

The clock: a browser sends `elapsed` (the seconds its own timer shows for the current stage),
which is trusted within sane limits; without it (a form posted without JavaScript) the server's
clock counts. Moving off a stage adds its elapsed time to its `spent`.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.lib.errors import DomainError
from coachloop.meetings import services
from coachloop.meetings.models import Meeting, MeetingStatus

#: the longest a stage's timer may count in one visit: six hours
MAX_ELAPSED = 6 * 3600
#: a meeting's planned minutes plus all its extensions
MAX_MEETING_MINUTES = 240
#: minutes one press of "extend" may add
MAX_EXTEND_PRESS = 15
#: a stage may be extended by at most this many minutes, or its own length if longer
MIN_STAGE_EXTENSION_LIMIT = 15

ACTIONS = ("start", "pause", "resume", "next", "previous", "goto", "skip", "extend", "finish")
_OWN_KEYS = ("current", "running", "elapsed", "at", "started", "finished", "finished_at", "stages")


# --- The state as the pages and the API read it ----------------------------------------------


def clock(seconds: float) -> str:
    """Seconds as the timer shows them: m:ss (whole seconds, rounded down)."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class StageState:
    index: int
    title: str
    minutes: int
    extra: int
    prompt: str
    tips: list[str]
    tool: str
    #: seconds spent on earlier visits (the current visit's time is GuideState.elapsed)
    spent: float
    skipped: bool
    visited: bool
    current: bool
    #: spent plus, for the current stage, the time of this visit
    used: float

    @property
    def planned_seconds(self) -> int:
        return (self.minutes + self.extra) * 60

    @property
    def planned_minutes(self) -> int:
        return self.minutes + self.extra

    @property
    def extend_limit(self) -> int:
        return max(MIN_STAGE_EXTENSION_LIMIT, self.minutes)

    @property
    def used_clock(self) -> str:
        return clock(self.used)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "title": self.title,
            "minutes": self.minutes,
            "extra": self.extra,
            "planned_seconds": self.planned_seconds,
            "prompt": self.prompt,
            "tips": list(self.tips),
            "tool": self.tool,
            "spent": round(self.spent, 3),
            "used": round(self.used, 3),
            "skipped": self.skipped,
            "visited": self.visited,
            "current": self.current,
        }


@dataclass(frozen=True)
class GuideState:
    stages: list[StageState]
    current: int
    running: bool
    #: seconds on the current stage in this visit, now
    elapsed: float
    started: bool
    finished: bool
    now: datetime.datetime
    #: what the last action did, in words (for a screen reader's live region or a message)
    message: str = ""
    finished_at: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def stage(self) -> StageState | None:
        return self.stages[self.current] if self.stages else None

    @property
    def used(self) -> float:
        return self.stage.used if self.stage else 0.0

    @property
    def remaining(self) -> float:
        stage = self.stage
        return max(0.0, stage.planned_seconds - stage.used) if stage else 0.0

    @property
    def overrun(self) -> float:
        stage = self.stage
        return max(0.0, stage.used - stage.planned_seconds) if stage else 0.0

    @property
    def planned_minutes(self) -> int:
        return sum(s.minutes for s in self.stages)

    @property
    def extra_minutes(self) -> int:
        return sum(s.extra for s in self.stages)

    @property
    def total_used(self) -> float:
        return sum(s.used for s in self.stages)

    @property
    def total_clock(self) -> str:
        return clock(self.total_used)

    @property
    def is_first(self) -> bool:
        return self.current == 0

    @property
    def is_last(self) -> bool:
        return self.current >= len(self.stages) - 1

    @property
    def clock(self) -> str:
        """The big timer: time left, or time over ("+m:ss")."""
        return f"+{clock(self.overrun)}" if self.overrun > 0 else clock(math.ceil(self.remaining))

    @property
    def toggle_action(self) -> str:
        """What the start/pause button does now."""
        if self.running:
            return "pause"
        return "resume" if self.started else "start"

    def as_dict(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "running": self.running,
            "elapsed": round(self.elapsed, 3),
            "started": self.started,
            "finished": self.finished,
            "finished_at": self.finished_at,
            "remaining": round(self.remaining, 3),
            "overrun": round(self.overrun, 3),
            "planned_minutes": self.planned_minutes,
            "extra_minutes": self.extra_minutes,
            "now": self.now.isoformat(),
            "message": self.message,
            "stages": [s.as_dict() for s in self.stages],
        }


# --- Reading and changing the stored state (pure: no database) -------------------------------


def _number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return float(value)


def _moment(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


def normalised(raw: dict[str, Any] | None, agenda: list[dict[str, Any]]) -> dict[str, Any]:
    """The guide's own keys, made whole for this agenda (an empty guide: nothing started)."""
    raw = raw or {}
    stored = raw.get("stages") if isinstance(raw.get("stages"), list) else []
    assert isinstance(stored, list)
    stages = []
    for index in range(len(agenda)):
        item = stored[index] if index < len(stored) and isinstance(stored[index], dict) else {}
        stages.append(
            {
                "spent": max(0.0, _number(item.get("spent"))),
                "extra": max(0, int(_number(item.get("extra")))),
                "skipped": bool(item.get("skipped", False)),
                "visited": bool(item.get("visited", False)),
            }
        )
    current = int(_number(raw.get("current")))
    current = min(max(current, 0), max(len(agenda) - 1, 0))
    return {
        "current": current,
        "running": bool(raw.get("running", False)) and bool(agenda),
        "elapsed": min(max(0.0, _number(raw.get("elapsed"))), float(MAX_ELAPSED)),
        "at": raw.get("at") if isinstance(raw.get("at"), str) else None,
        "started": bool(raw.get("started", False)),
        "finished": bool(raw.get("finished", False)),
        "finished_at": raw.get("finished_at") if isinstance(raw.get("finished_at"), str) else None,
        "stages": stages,
    }


def elapsed_at(state: dict[str, Any], now: datetime.datetime) -> float:
    """The current stage's elapsed seconds at `now` by the server's clock: the stored value,
    plus the time since it was stored while the timer runs (never backwards, at most 6 h)."""
    elapsed = float(state["elapsed"])
    at = _moment(state.get("at"))
    if state["running"] and at is not None:
        elapsed += max(0.0, (now - at).total_seconds())
    return min(elapsed, float(MAX_ELAPSED))


def check_elapsed(elapsed: Any) -> float:
    """A client's elapsed seconds, if sane: 0 to 6 hours."""
    value = elapsed
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_ELAPSED
    ):
        raise DomainError(
            _(
                "The timer's elapsed time must be a number of seconds from 0 to 6 hours; "
                "reload the page to get the guide's time."
            ),
            field="elapsed",
        )
    return float(value)


def _title(agenda: list[dict[str, Any]], index: int) -> str:
    return str(agenda[index].get("title") or _("Stage %d") % (index + 1))


def _minutes_of(agenda: list[dict[str, Any]], index: int) -> int:
    return int(_number(agenda[index].get("minutes")))


def _stage_words(agenda: list[dict[str, Any]], index: int) -> str:
    minutes = _minutes_of(agenda, index)
    return _("Stage %(n)s of %(total)s: %(title)s, %(minutes)s.") % {
        "n": index + 1,
        "total": len(agenda),
        "title": _title(agenda, index),
        "minutes": ngettext("%d minute", "%d minutes", minutes) % minutes,
    }


def advance(
    raw: dict[str, Any] | None,
    agenda: list[dict[str, Any]],
    action: str,
    *,
    now: datetime.datetime,
    elapsed: float | None = None,
    minutes: int | None = None,
    stage: int | None = None,
) -> tuple[dict[str, Any], str]:
    """The guide's own state after `action` at `now`, and what happened in words. Raises
    DomainError, changing nothing, when the action can't be done."""
    if not agenda:
        raise DomainError(_("This meeting has no agenda stages to guide."), status=409)
    if action not in ACTIONS:
        raise DomainError(
            _("Choose one of: %s.") % ", ".join(ACTIONS),
            field="action",
        )
    state = normalised(raw, agenda)
    stages: list[dict[str, Any]] = state["stages"]
    current: int = state["current"]
    last = len(agenda) - 1
    here = elapsed if elapsed is not None else elapsed_at(state, now)
    title = _title(agenda, current)

    def leave() -> None:
        item = stages[state["current"]]
        item["spent"] = round(item["spent"] + here, 3)
        if here > 0:
            item["skipped"] = False
        state["elapsed"] = 0.0
        state["at"] = now.isoformat()

    def enter(index: int) -> None:
        state["current"] = index
        stages[index]["visited"] = True
        state["elapsed"] = 0.0
        state["at"] = now.isoformat()

    if state["finished"] and action not in ("goto", "previous", "finish"):
        raise DomainError(
            _("The meeting guide is finished. Go back to a stage to carry on."), status=409
        )

    message = ""
    if action in ("start", "resume"):
        state["running"] = True
        state["started"] = True
        stages[current]["visited"] = True
        state["elapsed"] = here
        state["at"] = now.isoformat()
        message = _("The timer runs for %s.") % title
    elif action == "pause":
        state["running"] = False
        state["elapsed"] = here
        state["at"] = now.isoformat()
        message = _("The timer is paused on %s.") % title
    elif action == "next":
        if current >= last:
            raise DomainError(
                _("%s is the last stage: finish the meeting instead.") % title, status=409
            )
        leave()
        enter(current + 1)
        message = _stage_words(agenda, current + 1)
    elif action == "previous":
        if current <= 0 and not state["finished"]:
            raise DomainError(_("%s is the first stage.") % title, status=409)
        target = max(current - 1, 0) if not state["finished"] else current
        if not state["finished"]:
            leave()
        state["finished"] = False
        state["finished_at"] = None
        enter(target)
        message = _stage_words(agenda, target)
    elif action == "goto":
        if stage is None or not 0 <= stage <= last:
            raise DomainError(
                _("Choose a stage from 1 to %d.") % len(agenda), field="stage", status=400
            )
        if not state["finished"]:
            leave()
        state["finished"] = False
        state["finished_at"] = None
        enter(stage)
        message = _stage_words(agenda, stage)
    elif action == "skip":
        if current >= last:
            raise DomainError(
                _("%s is the last stage: finish the meeting instead of skipping it.") % title,
                status=409,
            )
        leave()
        stages[current]["skipped"] = True
        enter(current + 1)
        message = _("%s skipped.") % title + " " + _stage_words(agenda, current + 1)
    elif action == "extend":
        index = current if stage is None else stage
        if not 0 <= index <= last:
            raise DomainError(
                _("Choose a stage from 1 to %d.") % len(agenda), field="stage", status=400
            )
        if minutes is None or isinstance(minutes, bool) or not 1 <= minutes <= MAX_EXTEND_PRESS:
            raise DomainError(
                _("Extend a stage by 1 to %d minutes at a time.") % MAX_EXTEND_PRESS,
                field="minutes",
            )
        own = _minutes_of(agenda, index)
        limit = max(MIN_STAGE_EXTENSION_LIMIT, own)
        name = _title(agenda, index)
        if stages[index]["extra"] + minutes > limit:
            raise DomainError(
                _(
                    "%(title)s can be extended by at most %(limit)s minutes in all; "
                    "move on or finish the meeting."
                )
                % {"title": name, "limit": limit},
                field="minutes",
                status=409,
            )
        planned = sum(_minutes_of(agenda, i) for i in range(len(agenda)))
        extras = sum(item["extra"] for item in stages)
        if planned + extras + minutes > MAX_MEETING_MINUTES:
            raise DomainError(
                _(
                    "The meeting can run at most %(limit)s minutes with its extensions; "
                    "move on or finish the meeting."
                )
                % {"limit": MAX_MEETING_MINUTES},
                field="minutes",
                status=409,
            )
        stages[index]["extra"] += minutes
        state["elapsed"] = here
        state["at"] = now.isoformat()
        total = own + stages[index]["extra"]
        message = _("%(title)s extended by %(added)s: %(total)s in all.") % {
            "title": name,
            "added": ngettext("%d minute", "%d minutes", minutes) % minutes,
            "total": ngettext("%d minute", "%d minutes", total) % total,
        }
    elif action == "finish":
        if not state["finished"]:
            leave()
            state["running"] = False
            state["finished"] = True
            state["finished_at"] = now.isoformat()
        message = _("The meeting guide is finished.")
    return state, message


def state_of(
    meeting: Meeting,
    now: datetime.datetime | None = None,
    *,
    raw: dict[str, Any] | None = None,
    message: str = "",
) -> GuideState:
    now = now or timezone.now()
    agenda = list(meeting.agenda or [])
    state = normalised(raw if raw is not None else meeting.guide, agenda)
    elapsed = elapsed_at(state, now)
    stages = []
    for index, stage in enumerate(agenda):
        item = state["stages"][index]
        is_current = index == state["current"]
        tips = stage.get("tips") or []
        stages.append(
            StageState(
                index=index,
                title=_title(agenda, index),
                minutes=_minutes_of(agenda, index),
                extra=item["extra"],
                prompt=str(stage.get("prompt") or ""),
                tips=[str(t) for t in tips] if isinstance(tips, list) else [],
                tool=str(stage.get("tool") or "notes"),
                spent=item["spent"],
                skipped=item["skipped"],
                visited=item["visited"],
                current=is_current,
                used=item["spent"] + (elapsed if is_current else 0.0),
            )
        )
    return GuideState(
        stages=stages,
        current=state["current"],
        running=state["running"],
        elapsed=elapsed,
        started=state["started"],
        finished=state["finished"],
        now=now,
        message=message,
        finished_at=state["finished_at"],
        extras={k: v for k, v in (meeting.guide or {}).items() if k not in _OWN_KEYS},
    )


# --- Services -----------------------------------------------------------------------------------


def require_guide(actor: User, meeting: Meeting) -> None:
    """Who runs the guide: whoever may write the minutes (coaches and coachees who may read
    them), as for `meeting_record`. 403 otherwise; call after the 404 check."""
    if not policy.allowed(actor, Action.ADD_NOTE, meeting.engagement):
        raise DomainError(
            _("Only the engagement's coaches and coachees run the meeting guide."), status=403
        )
    if not policy.meeting_minutes_visible_to(actor).filter(pk=meeting.pk).exists():
        raise DomainError(
            _("Only those who may read this meeting's minutes run its guide."), status=403
        )


def guide_state(meeting: Meeting, now: datetime.datetime | None = None) -> GuideState:
    """The guide's state at `now` (no access check: callers have made it)."""
    return state_of(meeting, now)


@transaction.atomic
def guide_act(
    *,
    actor: User,
    meeting: Meeting,
    action: str,
    elapsed: float | str | None = None,
    minutes: int | None = None,
    stage: int | None = None,
    now: datetime.datetime | None = None,
) -> GuideState:
    """Start, pause, resume, move (next, previous, goto `stage`), skip, extend (`minutes`) or
    finish. `elapsed` is the client's seconds on the current stage, trusted from 0 to 6 hours;
    without it the server's clock counts."""
    require_guide(actor, meeting)
    now = now or timezone.now()
    client_elapsed = check_elapsed(elapsed) if elapsed not in (None, "") else None
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled; its guide can't run."), status=409)
    was_finished = bool((locked.guide or {}).get("finished"))
    state, message = advance(
        locked.guide,
        list(locked.agenda or []),
        action,
        now=now,
        elapsed=client_elapsed,
        minutes=minutes,
        stage=stage,
    )
    guide = {k: v for k, v in (locked.guide or {}).items() if k not in _OWN_KEYS}
    guide.update(state)
    locked.guide = guide
    locked.save(update_fields=["guide"])
    meeting.guide = guide
    if action == "finish" and not was_finished:
        audit.record(
            actor=actor,
            action="meeting.guide.finish",
            target=locked,
            data={
                "spent": [round(s["spent"]) for s in state["stages"]],
                "extra": [s["extra"] for s in state["stages"]],
                "skipped": [i for i, s in enumerate(state["stages"]) if s["skipped"]],
            },
        )
    return state_of(locked, now, message=message)


@transaction.atomic
def guide_note(
    *, actor: User, meeting: Meeting, stage: int, note: str, base: int | None
) -> Meeting:
    """Save one stage's note into the minutes, with the minutes' revision lock: when someone
    saved the minutes since `base`, nothing is saved (409) and the caller keeps the text."""
    require_guide(actor, meeting)
    agenda = list(meeting.agenda or [])
    if not 0 <= stage < len(agenda):
        raise DomainError(_("Choose a stage from 1 to %d.") % len(agenda), field="stage")
    if len(note) > 20_000:
        raise DomainError(_("A stage's note can be at most 20,000 characters long."), field="note")
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    notes = [str(n) for n in (current.stage_notes or [])][: len(agenda)]
    notes += [""] * (len(agenda) - len(notes))
    notes[stage] = note
    return services.meeting_record(
        actor=actor,
        meeting=current,
        stage_notes=notes,
        summary=current.summary,
        held=False,
        base=base,
    )


@transaction.atomic
def guide_record_held(
    *, actor: User, meeting: Meeting, summary: str | None = None, base: int | None = None
) -> Meeting:
    """Record the meeting as held from the finished guide (its notes as they are, with the
    summary if given): fires meeting_held, which closes the coaching cycle."""
    require_guide(actor, meeting)
    current = Meeting.objects.select_for_update().get(pk=meeting.pk)
    return services.meeting_record(
        actor=actor,
        meeting=current,
        stage_notes=[str(n) for n in current.stage_notes],
        summary=current.summary if summary is None else summary,
        held=True,
        base=base,
    )


@dataclass(frozen=True)
class PlannedCycle:
    study_on: datetime.date | None
    observation_on: datetime.date | None
    next_meeting: Meeting | None


def planned_cycle(meeting: Meeting) -> PlannedCycle:
    """What the Plan stage planned: the next cycle's dates and its feedback meeting."""
    from coachloop.actionsteps.cycles import planned_dates

    guide = meeting.guide or {}
    study_on, observation_on = planned_dates(meeting)
    next_id = guide.get("next_meeting")
    next_meeting = (
        Meeting.objects.filter(pk=next_id, engagement_id=meeting.engagement_id).first()
        if isinstance(next_id, int)
        else None
    )
    return PlannedCycle(
        study_on=study_on,
        observation_on=observation_on,
        next_meeting=next_meeting,
    )


def next_meeting_type(meeting: Meeting) -> str:
    spec = meeting.engagement.spec
    if spec is not None and spec.cycle is not None:
        return spec.cycle.meeting
    return meeting.meeting_type


@transaction.atomic
def guide_plan(
    *,
    actor: User,
    meeting: Meeting,
    study_on: datetime.date | None,
    observation_on: datetime.date | None,
    starts_at: datetime.datetime | None,
    mode: str,
    location: str = "",
) -> PlannedCycle:
    """The Plan stage: the next cycle's study and observation dates (kept on the meeting for
    the cycle its holding opens) and the next feedback meeting, in one transaction. Without
    `starts_at`, when a next meeting was already planned here, only the dates change."""
    from coachloop.actionsteps.cycles import plan_next

    require_guide(actor, meeting)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    locked.engagement = meeting.engagement
    if locked.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled; plan from another one."), status=409)
    day = timezone.localdate(locked.starts_at)
    errors: dict[str, str] = {}
    for name, value, words in (
        ("study_on", study_on, _("the study")),
        ("observation_on", observation_on, _("the observation")),
    ):
        if value is not None and value < day:
            errors[name] = _("Plan %(what)s on or after this meeting (%(day)s).") % {
                "what": words,
                "day": date_format(day),
            }
    if errors:
        raise DomainError(next(iter(errors.values())), errors=errors)
    already = planned_cycle(locked).next_meeting
    if already is not None and already.status == MeetingStatus.CANCELLED:
        already = None
    if starts_at is None and already is None:
        raise DomainError(_("Enter when the next feedback meeting starts."), field="starts_at")
    if starts_at is not None and already is not None:
        raise DomainError(
            _(
                "The next feedback meeting is already planned for %s. Leave the date and time "
                "empty to change only the study and observation dates, or cancel that meeting "
                "from its page first."
            )
            % date_format(timezone.localtime(already.starts_at), "DATETIME_FORMAT"),
            field="starts_at",
        )
    if starts_at is not None:
        from coachloop.meetings import times

        zone = times.zone_of(actor)
        if timezone.is_naive(starts_at):  # typed on the planner's own clock
            starts_at = times.to_aware(starts_at, zone)
        if starts_at <= locked.starts_at:
            raise DomainError(
                _("The next feedback meeting comes after this one: choose a later date."),
                field="starts_at",
            )
        if observation_on is not None and times.local(starts_at, zone).date() < observation_on:
            raise DomainError(
                _("Plan the next feedback meeting on or after the observation (%s).")
                % date_format(observation_on),
                field="starts_at",
            )
    plan_next(locked, study_on=study_on, observation_on=observation_on)
    if starts_at is not None:
        try:
            scheduled = services.meeting_schedule(
                actor=actor,
                engagement=meeting.engagement,
                meeting_type=next_meeting_type(locked),
                starts_at=starts_at,
                mode=mode,
                location=location,
            )
        except PermissionDenied:
            raise DomainError(
                _("Only the engagement's coaches and coachees plan its meetings."), status=403
            ) from None
        guide = dict(locked.guide or {})
        guide["next_meeting"] = scheduled.pk
        locked.guide = guide
        locked.save(update_fields=["guide"])
    audit.record(
        actor=actor,
        action="meeting.guide.plan",
        target=locked,
        data={
            "study_on": study_on.isoformat() if study_on else None,
            "observation_on": observation_on.isoformat() if observation_on else None,
        },
    )
    meeting.guide = locked.guide
    return planned_cycle(locked)
