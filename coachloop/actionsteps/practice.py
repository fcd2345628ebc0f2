"""Practice attempts in a feedback meeting's Practice stage: the teacher practises the action
step, the coach gives feedback on each success criterion, and the teacher re-practises to
correct errors and build fluency. Attempts are part of the meeting's minutes and read with them
(policy.practice_attempts_visible_to); only the engagement's coaches log them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep, PracticeAttempt
from coachloop.lib.errors import DomainError
from coachloop.meetings.models import Meeting, MeetingStatus


@transaction.atomic
def practice_attempt_add(
    *,
    actor: User,
    meeting: Meeting,
    action_step: ActionStep,
    met: list[bool],
    feedback: str = "",
) -> PracticeAttempt:
    """Log the next attempt at `action_step` in `meeting`: one `met` per success criterion of
    the step, in order, and the coach's feedback. The first is attempt 1; later ones are
    re-practices."""
    engagement = meeting.engagement
    if not policy.allowed(actor, Action.COACH, engagement):
        raise DomainError(_("Only the engagement's coaches log practice attempts."), status=403)
    if not policy.meeting_minutes_visible_to(actor).filter(pk=meeting.pk).exists():
        raise DomainError(
            _("Practice attempts belong to the minutes, which are not shared with you."),
            status=403,
        )
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status == MeetingStatus.CANCELLED:
        raise DomainError(_("This meeting was cancelled."), status=409)
    if action_step.engagement_id != engagement.pk:
        raise DomainError(
            _("Choose an action step of this engagement: this one belongs to another."),
            field="action_step",
        )
    criteria = [str(c) for c in (action_step.success_criteria or [])]
    if len(met) != len(criteria) or any(not isinstance(m, bool) for m in met):
        raise DomainError(
            ngettext(
                "Say for the step's %(n)d success criterion whether it was met (got %(got)d "
                "answers); reload the page if the step's criteria changed.",
                "Say for each of the step's %(n)d success criteria whether it was met (got "
                "%(got)d answers); reload the page if the step's criteria changed.",
                len(criteria),
            )
            % {"n": len(criteria), "got": len(met)},
            field="met",
        )
    if len(feedback) > 20_000:
        raise DomainError(_("Feedback can be at most 20,000 characters long."), field="feedback")
    last = (
        PracticeAttempt.objects.filter(meeting=locked, action_step=action_step)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    attempt = PracticeAttempt.objects.create(
        organisation_id=locked.organisation_id,
        meeting=locked,
        action_step=action_step,
        number=(last or 0) + 1,
        criteria=[{"criterion": c, "met": m} for c, m in zip(criteria, met, strict=True)],
        feedback=feedback.strip(),
        author=actor,
    )
    audit.record(
        actor=actor,
        action="practice.attempt",
        target=attempt,
        data={"meeting": locked.pk, "action_step": action_step.pk, "number": attempt.number},
    )
    return attempt


def practice_attempts(meeting: Meeting, *, actor: User | None = None) -> QuerySet[PracticeAttempt]:
    """The meeting's attempts in order (through the policy when `actor` is given)."""
    rows = (
        policy.practice_attempts_visible_to(actor)
        if actor is not None
        else PracticeAttempt.objects.all()
    )
    return (
        rows.filter(meeting=meeting)
        .select_related("action_step", "author")
        .order_by("action_step_id", "number")
    )


@dataclass(frozen=True)
class PracticeSummary:
    attempts: int
    #: attempts after the first
    repractices: int


def practice_summary(
    attempts: list[PracticeAttempt], action_step: ActionStep | None = None
) -> PracticeSummary:
    """How many attempts (of one step, when given) and how many of them were re-practices."""
    chosen = [a for a in attempts if action_step is None or a.action_step_id == action_step.pk]
    steps = {a.action_step_id for a in chosen}
    return PracticeSummary(attempts=len(chosen), repractices=len(chosen) - len(steps))


def met_count(attempt: PracticeAttempt) -> int:
    return sum(1 for c in attempt.criteria if isinstance(c, dict) and c.get("met"))
