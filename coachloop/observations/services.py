"""Writes for observations (seed 004, "Observe"): a coach opens a quick observation of the
teacher's current action step in one tap, saves it as they type (each save names the revision it
started from, so two tabs or devices never silently overwrite each other), and finishes it, which
marks the cycle observed and completes the playbook's observation steps.

Draft saves are the hot path (a phone autosaving every few seconds): one locked read of the row's
revision and one UPDATE, no audit row. Starting, finishing and discarding are audited, with
metadata only: what was observed never goes into the audit trail.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps import cycles
from coachloop.actionsteps.models import ActionStep, ActionStepStatus
from coachloop.engagements.models import Engagement, Participant, ParticipantRole
from coachloop.engagements.services import (
    check_visibility,
    default_visibility,
    record_event,
    require_active,
)
from coachloop.lib.errors import DomainError
from coachloop.observations.models import Evidence, Observation, ObservationStatus
from coachloop.playbooks.schema import RubricSpec
from coachloop.rubrics.services import rubric_for

#: a coach who taps "observe" again within this time reopens their draft instead of a new one
DRAFT_REUSE = datetime.timedelta(hours=12)
MAX_MOMENTS = 500
MAX_MOMENT_TEXT = 2000
MAX_NOTES = 50_000
MAX_MINUTES = 600

_AT = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})$")


class StaleDraft(DomainError):
    """Someone (another tab, another device) saved since this writer's revision: 409, with the
    stored revision so the writer can tell how far behind they are."""

    def __init__(self, revision: int) -> None:
        super().__init__(
            _(
                "This observation was saved elsewhere (another tab or device) since you opened "
                "it. Your text was not saved here, and it is kept: copy it, reload the page to "
                "see the saved version, then add your text again."
            ),
            status=409,
        )
        self.revision = revision


# --- Reading the input --------------------------------------------------------------------------


def parse_at(value: object) -> int | None:
    """Seconds from an "HH:MM:SS" or "MM:SS" offset; None when it is not one."""
    if not isinstance(value, str):
        return None
    match = _AT.match(value.strip())
    if match is None:
        return None
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if seconds > 59 or (match.group(1) is not None and minutes > 59):
        return None
    return hours * 3600 + minutes * 60 + seconds


def format_at(seconds: int) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def criteria_of(step: ActionStep | None) -> list[str]:
    """The success criteria of an action step, as text."""
    if step is None or not isinstance(step.success_criteria, list):
        return []
    return [str(c) for c in step.success_criteria]


def clean_moments(raw: object, criteria: list[str]) -> list[dict[str, Any]]:
    """The moments as stored: each {"at": "HH:MM:SS", "text", "criterion", "evidence"}. Every
    problem is refused with the moment's number and what to fix."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DomainError(_("Send the moments as a list."), field="moments")
    if len(raw) > MAX_MOMENTS:
        raise DomainError(
            _("An observation holds at most %(max)d moments; this one has %(n)d.")
            % {"max": MAX_MOMENTS, "n": len(raw)},
            field="moments",
        )
    cleaned = []
    for number, item in enumerate(raw, start=1):

        def refuse(message: str, number: int = number) -> DomainError:
            return DomainError(
                _("Moment %(n)d: %(problem)s") % {"n": number, "problem": message},
                field="moments",
            )

        if not isinstance(item, dict):
            raise refuse(_("send it as an object with at, text, criterion and evidence."))
        seconds = parse_at(item.get("at"))
        if seconds is None:
            raise refuse(
                _("the time “%s” is not a time from the start like 12:30 or 1:02:30.")
                % str(item.get("at", ""))[:20]
            )
        text = item.get("text") or ""
        if not isinstance(text, str):
            raise refuse(_("the note must be text."))
        text = text.replace("\x00", "")
        text = text.strip()
        if len(text) > MAX_MOMENT_TEXT:
            raise refuse(
                _("the note is %(n)d characters long; keep it to %(max)d.")
                % {"n": len(text), "max": MAX_MOMENT_TEXT}
            )
        criterion = item.get("criterion")
        if criterion == "":
            criterion = None
        if isinstance(criterion, str) and criterion.isdigit():
            criterion = int(criterion)
        if criterion is not None:
            if not criteria:
                raise refuse(
                    _(
                        "this observation has no action step with success criteria, so a moment "
                        "can't be tagged with one."
                    )
                )
            if (
                not isinstance(criterion, int)
                or isinstance(criterion, bool)
                or not 0 <= criterion < len(criteria)
            ):
                raise refuse(
                    _("choose one of the action step's %d success criteria, or none.")
                    % len(criteria)
                )
        evidence = item.get("evidence") or None
        if evidence is not None:
            if evidence not in Evidence.values:
                raise refuse(_("evidence is “for” (seen), “against” (not yet) or empty."))
            if criterion is None:
                raise refuse(_("choose the success criterion this is evidence for or against."))
        cleaned.append(
            {"at": format_at(seconds), "text": text, "criterion": criterion, "evidence": evidence}
        )
    return cleaned


def clean_notes(notes: object) -> str:
    if notes is None:
        return ""
    if not isinstance(notes, str):
        raise DomainError(_("The notes must be text."), field="notes")
    if len(notes) > MAX_NOTES:
        raise DomainError(
            _("The notes are %(n)d characters long; keep them to %(max)d.")
            % {"n": len(notes), "max": MAX_NOTES},
            field="notes",
        )
    # A NUL character can't be stored (PostgreSQL refuses it) and is never typed: drop it.
    return notes.replace("\x00", "")


def clean_duration(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
        raise DomainError(
            _("The duration is a whole number of minutes from 1 to %d, or empty.") % MAX_MINUTES,
            field="duration_minutes",
        )
    return value


def observation_rubric(observation: Observation) -> RubricSpec | None:
    """The rubric the observation may be scored on, if its playbook names one."""
    if not observation.rubric_key:
        return None
    try:
        return rubric_for(observation.engagement, observation.rubric_key)
    except DomainError:
        return None


def clean_scores(
    raw: object, rubric: RubricSpec | None, *, complete: bool = False
) -> dict[str, int]:
    """{criterion key: level} on the rubric; unscored criteria are left out. With `complete`,
    a partly scored rubric is refused (score every criterion, or none)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DomainError(_("Send the scores as {criterion: level}."), field="scores")
    given = {k: v for k, v in raw.items() if v not in (None, "")}
    if not given:
        return {}
    if rubric is None:
        raise DomainError(
            _("This observation has no rubric to score on; leave the scores empty."),
            field="scores",
        )
    titles = {c.key: c.title for c in rubric.criteria}
    levels = sorted(level.score for level in rubric.levels)
    scores: dict[str, int] = {}
    for key, value in given.items():
        if key not in titles:
            raise DomainError(
                _("The rubric “%(rubric)s” has no criterion “%(key)s”.")
                % {"rubric": rubric.title, "key": str(key)[:60]},
                field="scores",
            )
        try:
            level = int(value)
        except (TypeError, ValueError):
            level = -1
        if isinstance(value, bool) or level not in levels:
            raise DomainError(
                _("“%(criterion)s”: choose one of the levels %(levels)s.")
                % {"criterion": titles[key], "levels": ", ".join(str(s) for s in levels)},
                field="scores",
            )
        scores[key] = level
    if complete:
        missing = [c.title for c in rubric.criteria if c.key not in scores]
        if missing:
            raise DomainError(
                _("Score every criterion of the rubric, or none. Not scored yet: %s.")
                % ", ".join(f"“{t}”" for t in missing),
                field="scores",
            )
    return {c.key: scores[c.key] for c in rubric.criteria if c.key in scores}


@dataclass
class DraftContent:
    notes: str
    moments: list[dict[str, Any]]
    duration_minutes: int | None
    scores: dict[str, int] | None


def _clean(
    observation: Observation,
    *,
    notes: object,
    moments: object,
    duration_minutes: object,
    scores: object,
    complete: bool = False,
) -> DraftContent:
    return DraftContent(
        notes=clean_notes(notes),
        moments=clean_moments(moments, criteria_of(observation.action_step)),
        duration_minutes=clean_duration(duration_minutes),
        scores=None
        if scores is None
        else clean_scores(scores, observation_rubric(observation), complete=complete),
    )


# --- Starting -----------------------------------------------------------------------------------


def _coachees(engagement: Engagement) -> list[User]:
    return [
        p.user
        for p in Participant.objects.filter(
            engagement=engagement, role=ParticipantRole.COACHEE
        ).select_related("user")
    ]


def _coachee_for(coachees: list[User], coachee: User | None) -> User:
    if coachee is not None:
        if all(c.pk != coachee.pk for c in coachees):
            raise DomainError(
                _("%s is not a teacher in this engagement; choose one of its teachers.") % coachee,
                field="coachee",
            )
        return coachee
    if not coachees:
        raise DomainError(_("This engagement has no teacher to observe."), status=409)
    if len(coachees) > 1:
        raise DomainError(
            _("This engagement has several teachers: choose whom you observe (%s).")
            % ", ".join(str(c) for c in coachees),
            field="coachee",
        )
    return coachees[0]


@transaction.atomic
def observation_start(
    *, actor: User, engagement: Engagement, coachee: User | None = None
) -> Observation:
    """A draft observation of the teacher's current action step, in the open cycle; the coach's
    own draft for this teacher from the last 12 hours is reopened instead of making another."""
    coachees = _coachees(engagement)
    if not policy.allowed(actor, Action.COACH, engagement):
        named = coachee or (coachees[0] if len(coachees) == 1 else None)
        raise DomainError(
            _("You don't coach %s in this engagement, so you can't observe them.") % named
            if named
            else _("You don't coach in this engagement, so you can't observe its teachers."),
            status=403,
        )
    teacher = _coachee_for(coachees, coachee)
    require_active(engagement)
    spec = engagement.spec
    if spec is None or spec.cycle is None:
        raise DomainError(
            _(
                "This engagement's playbook has no coaching cycles, so it has no quick "
                "observations. Use its steps and notes instead."
            ),
            status=409,
        )
    recent = (
        Observation.objects.filter(
            engagement=engagement,
            coachee=teacher,
            author=actor,
            status=ObservationStatus.DRAFT,
            started_at__gte=timezone.now() - DRAFT_REUSE,
        )
        .order_by("-started_at", "-id")
        .first()
    )
    if recent is not None:
        return recent
    step = (
        ActionStep.objects.filter(
            engagement=engagement, coachee=teacher, status=ActionStepStatus.CURRENT
        )
        .order_by("-started_on", "-id")
        .first()
    )
    cycle = cycles.ensure_open_cycle(engagement)
    now = timezone.now()
    observation = Observation.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        coachee=teacher,
        action_step=step,
        cycle=cycle,
        author=actor,
        visibility=default_visibility(engagement, "observation"),
        status=ObservationStatus.DRAFT,
        started_at=now,
        created_at=now,
        updated_at=now,
        rubric_key=spec.cycle.observation_rubric or "",
    )
    audit.record(
        actor=actor,
        action="observation.start",
        target=observation,
        data={"action_step": step.pk if step else None},
    )
    return observation


# --- Saving and finishing -----------------------------------------------------------------------


def _require_author(actor: User, observation: Observation) -> None:
    if observation.author_id != actor.pk:
        raise DomainError(_("Only the coach who wrote this observation can change it."), status=403)


def _lock(observation: Observation, base: int | None) -> None:
    """Lock the row and check it is still a draft at revision `base` (one small read)."""
    row = (
        Observation.objects.select_for_update()
        .filter(pk=observation.pk)
        .order_by()
        .values_list("status", "revision")
        .first()
    )
    if row is None:
        raise DomainError(_("This observation was discarded."), status=404)
    status, revision = row
    if status != ObservationStatus.DRAFT:
        raise DomainError(
            _("This observation is already finished; it can no longer change."), status=409
        )
    if base is None:
        raise DomainError(
            _("Send the revision you started from (base), to make sure nothing is overwritten."),
            field="base",
        )
    if base != revision:
        raise StaleDraft(revision)


@transaction.atomic
def observation_save(
    *,
    actor: User,
    observation: Observation,
    notes: object,
    moments: object,
    duration_minutes: object,
    scores: object = None,
    base: int | None,
) -> Observation:
    """Save the draft as typed so far. `base` is the revision the writer started from: when
    someone saved since, nothing is saved (409) and the writer keeps their text. Scores left
    as None are kept as they are."""
    _require_author(actor, observation)
    require_active(observation.engagement)
    content = _clean(
        observation,
        notes=notes,
        moments=moments,
        duration_minutes=duration_minutes,
        scores=scores,
    )
    _lock(observation, base)
    assert base is not None
    now = timezone.now()
    changes: dict[str, Any] = {
        "notes": content.notes,
        "moments": content.moments,
        "duration_minutes": content.duration_minutes,
        "revision": base + 1,
        "updated_at": now,
    }
    if content.scores is not None:
        changes["scores"] = content.scores
    Observation.objects.filter(pk=observation.pk).update(**changes)
    for name, value in changes.items():
        setattr(observation, name, value)
    return observation


def default_duration(observation: Observation, now: datetime.datetime | None = None) -> int:
    """Whole minutes since the observation started, from 1 to the maximum."""
    elapsed = ((now or timezone.now()) - observation.started_at).total_seconds()
    return int(min(max(1, round(elapsed / 60)), MAX_MINUTES))


@transaction.atomic
def observation_finish(
    *,
    actor: User,
    observation: Observation,
    notes: object,
    moments: object,
    duration_minutes: object,
    scores: object = None,
    base: int | None,
    visibility: str | None = None,
) -> Observation:
    """Save and finish: from now on the observation is read at its visibility. Its cycle is
    marked observed and the playbook's observation steps are done."""
    _require_author(actor, observation)
    engagement = observation.engagement
    if not policy.allowed(actor, Action.COACH, engagement):
        raise DomainError(
            _("You no longer coach in this engagement, so you can't finish this observation."),
            status=403,
        )
    require_active(engagement)
    content = _clean(
        observation,
        notes=notes,
        moments=moments,
        duration_minutes=duration_minutes,
        scores=observation.scores if scores is None else scores,
        complete=True,
    )
    chosen = check_visibility(visibility, observation.visibility)
    _lock(observation, base)
    assert base is not None
    now = timezone.now()
    observation.notes = content.notes
    observation.moments = content.moments
    observation.duration_minutes = content.duration_minutes or default_duration(observation, now)
    observation.scores = content.scores or {}
    observation.visibility = chosen
    observation.status = ObservationStatus.FINAL
    observation.finished_at = now
    observation.updated_at = now
    observation.revision = base + 1
    observation.save(
        update_fields=[
            "notes",
            "moments",
            "duration_minutes",
            "scores",
            "visibility",
            "status",
            "finished_at",
            "updated_at",
            "revision",
        ]
    )
    cycles.mark_observed(engagement, timezone.localdate(observation.started_at))
    record_event(engagement, "observation", actor=actor)
    audit.record(
        actor=actor,
        action="observation.finish",
        target=observation,
        data={
            "visibility": observation.visibility,
            "moments": len(observation.moments),
            "scored": bool(observation.scores),
            "minutes": observation.duration_minutes,
        },
    )
    return observation


@transaction.atomic
def observation_discard(*, actor: User, observation: Observation) -> None:
    """Throw a draft away (a finished observation is evidence and stays)."""
    _require_author(actor, observation)
    locked = Observation.objects.select_for_update().filter(pk=observation.pk).first()
    if locked is None:
        return
    if locked.status != ObservationStatus.DRAFT:
        raise DomainError(
            _("A finished observation can't be discarded; it is part of the coaching record."),
            status=409,
        )
    audit.record(
        actor=actor,
        action="observation.discard",
        target=locked,
        data={"started_at": locked.started_at.isoformat()},
    )
    locked.delete()
