"""Writes for peer coaching (seed 001): teams, goals, monthly assignments and ratings on the
levels of coaching effectiveness.

Every function checks the policy first, validates everything before writing and writes in one
transaction; a refusal is a DomainError with a message the user can act on. Goals and ratings
are content at a visibility (the playbook's defaults: sponsors); assignments and their
completion are metadata."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.engagements.models import (
    TEAM_ROLES,
    Engagement,
    Participant,
    ParticipantRole,
    Programme,
)
from coachloop.engagements.services import (
    People,
    check_visibility,
    default_visibility,
    engagement_create,
    record_event,
    require_active,
)
from coachloop.lib.errors import DomainError
from coachloop.peer.models import (
    Assignment,
    AssignmentCompletion,
    EffectivenessRating,
    Goal,
    GoalStatus,
    Interaction,
    Perspective,
)
from coachloop.playbooks import schema

MAX_MEMBERS = 3

# --- Helpers --------------------------------------------------------------------------------------


def peer_spec(engagement: Engagement) -> schema.Playbook:
    """The engagement's playbook, which must be a peer coaching playbook (404 otherwise)."""
    spec = engagement.spec
    if spec is None or not spec.peer:
        raise DomainError(_("This engagement is not a peer coaching team."), status=404)
    return spec


def members_of(engagement: Engagement) -> list[User]:
    """The team's members (its coachees, who are also its coaches), in a stable order."""
    rows = (
        Participant.objects.filter(engagement=engagement, role=ParticipantRole.COACHEE)
        .select_related("user")
        .order_by("user__given_name", "user__family_name", "user_id")
    )
    seen: dict[int, User] = {}
    for row in rows:
        seen.setdefault(row.user_id, row.user)
    return list(seen.values())


def _require_member(actor: User, engagement: Engagement, message: str) -> None:
    """The actor takes part as peer coach or coachee: 404 if they may not see the team at all,
    403 if they see it but are not a member."""
    policy.get_visible_or_404(actor, Engagement, engagement.pk)
    if not policy.participant_roles(actor, engagement) & set(TEAM_ROLES):
        raise DomainError(message, status=403)


def _member_or_error(engagement: Engagement, member: User, field: str = "member") -> User:
    if member.pk not in {m.pk for m in members_of(engagement)}:
        raise DomainError(_("Choose a member of this team."), field=field)
    return member


# --- Teams ----------------------------------------------------------------------------------------


@transaction.atomic
def team_create(
    *,
    actor: User,
    programme: Programme,
    members: Sequence[User],
    supervisors: Sequence[User] = (),
    starts_on: datetime.date | None,
    title: str = "",
    ends_on: datetime.date | None = None,
) -> Engagement:
    """A peer coaching team of two or three members, each both peer coach and peer coachee,
    with their direct supervisors as sponsors. For the programme's administrators."""
    policy.require(actor, Action.CREATE_ENGAGEMENT, programme)
    version = programme.playbook.current if programme.playbook else None
    if version is None or not version.spec.peer:
        raise DomainError(
            _(
                "This programme's playbook is not a peer coaching playbook; choose a programme "
                "that runs peer coaching."
            ),
            status=409,
        )
    members = list(members)
    supervisors = list(supervisors)
    ids = [m.pk for m in members]
    if len(set(ids)) != len(ids):
        raise DomainError(_("Choose each member once."), field="members")
    if len(members) < 2:
        raise DomainError(
            _("A peer coaching team has two or three members; choose at least two."),
            field="members",
        )
    if len(members) > MAX_MEMBERS:
        raise DomainError(
            _("A peer coaching team has two or three members; choose at most three."),
            field="members",
        )
    if len({s.pk for s in supervisors}) != len(supervisors):
        raise DomainError(_("Choose each supervisor once."), field="supervisors")
    both = [s for s in supervisors if s.pk in set(ids)]
    if both:
        raise DomainError(
            _("%s is a member of the team, so they can't also be its supervisor.") % both[0],
            field="supervisors",
        )
    if not title.strip():
        names = [m.given_name or str(m) for m in members]
        title = _("Peer team: %s") % get_text_list(names, _("and"))
    engagement = engagement_create(
        actor=actor,
        programme=programme,
        people=People(coachees=members, coaches=members, sponsors=supervisors),
        starts_on=starts_on,
        ends_on=ends_on,
        title=title,
    )
    audit.record(
        actor=actor,
        action="peer.team_create",
        target=engagement,
        data={"members": ids, "supervisors": [s.pk for s in supervisors]},
    )
    return engagement


# --- Goals ----------------------------------------------------------------------------------------


def _clean_goal(
    spec: schema.Playbook,
    *,
    title: str,
    source: str,
    status: str,
    evidence: str,
) -> None:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Write the goal.")
    elif len(title.strip()) > 300:
        errors["title"] = _("Keep the goal to 300 characters; put the detail in the measure.")
    sources = spec.goals.sources if spec.goals else []
    if source not in sources:
        errors["source"] = _("Choose where the goal comes from: %s.") % ", ".join(sources)
    if status not in GoalStatus.values:
        errors["status"] = _("Choose the goal's status.")
    elif status == GoalStatus.ACCOMPLISHED and not evidence.strip():
        errors["evidence"] = _("Add the evidence of accomplishment.")
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], field=first, errors=errors)


def _goals_event(actor: User, engagement: Engagement) -> None:
    """Every member has at least one goal (not dropped): the "goals" step is done."""
    members = {m.pk for m in members_of(engagement)}
    with_goals = set(
        Goal.objects.filter(engagement=engagement)
        .exclude(status=GoalStatus.DROPPED)
        .values_list("member_id", flat=True)
    )
    if members and members <= with_goals:
        record_event(engagement, "goals", actor=actor)


@transaction.atomic
def goal_create(
    *,
    actor: User,
    engagement: Engagement,
    member: User,
    title: str,
    source: str,
    measure: str = "",
    evidence: str = "",
    status: str = GoalStatus.ACTIVE,
    visibility: str | None = None,
) -> Goal:
    """A goal of one member, written by themself or by a partner in the team."""
    spec = peer_spec(engagement)
    _require_member(actor, engagement, _("The team's members write its goals."))
    require_active(engagement)
    _member_or_error(engagement, member)
    _clean_goal(spec, title=title, source=source, status=status, evidence=evidence)
    goal = Goal.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        member=member,
        title=title.strip(),
        source=source,
        measure=measure.strip(),
        evidence=evidence.strip(),
        status=status,
        accomplished_on=timezone.localdate() if status == GoalStatus.ACCOMPLISHED else None,
        author=actor,
        visibility=check_visibility(visibility, default_visibility(engagement, "goal")),
    )
    audit.record(
        actor=actor,
        action="goal.create",
        target=goal,
        data={"member": member.pk, "source": source, "status": status},
    )
    _goals_event(actor, engagement)
    return goal


def _goal_for_writer(actor: User, goal: Goal) -> Goal:
    """The goal, locked, if the actor may read it (404 otherwise) and writes the team's goals."""
    if not policy.goals_visible_to(actor).filter(pk=goal.pk).exists():
        raise DomainError(_("No such goal."), status=404)
    engagement = goal.engagement
    peer_spec(engagement)
    _require_member(actor, engagement, _("The team's members write its goals."))
    require_active(engagement)
    return Goal.objects.select_for_update().select_related("engagement").get(pk=goal.pk)


def _check_base(goal: Goal, base: int | None) -> None:
    if base is not None and base != goal.revision:
        raise DomainError(
            _(
                "Someone changed this goal after you opened it. Your text was not saved; it is "
                "still in the form. Read their version, then save again."
            ),
            status=409,
        )


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: Goal,
    title: str,
    source: str,
    measure: str = "",
    evidence: str = "",
    status: str = GoalStatus.ACTIVE,
    visibility: str | None = None,
    base: int | None = None,
) -> Goal:
    """Change a goal. `base` is the revision the writer opened: a later save by someone else
    refuses this one (409) and nothing is written."""
    goal = _goal_for_writer(actor, goal)
    spec = peer_spec(goal.engagement)
    _check_base(goal, base)
    _clean_goal(spec, title=title, source=source, status=status, evidence=evidence)
    before = goal.status
    goal.title = title.strip()
    goal.source = source
    goal.measure = measure.strip()
    goal.evidence = evidence.strip()
    goal.status = status
    if status == GoalStatus.ACCOMPLISHED:
        goal.accomplished_on = goal.accomplished_on or timezone.localdate()
    else:
        goal.accomplished_on = None
    goal.visibility = check_visibility(visibility, goal.visibility)
    goal.revision += 1
    goal.updated_at = timezone.now()
    goal.save()
    audit.record(
        actor=actor,
        action="goal.update",
        target=goal,
        data={"from": before, "status": status, "visibility": goal.visibility},
    )
    _goals_event(actor, goal.engagement)
    return goal


@transaction.atomic
def goal_accomplish(*, actor: User, goal: Goal, evidence: str, base: int | None = None) -> Goal:
    """Mark a goal accomplished with its evidence."""
    goal = _goal_for_writer(actor, goal)
    _check_base(goal, base)
    return goal_update(
        actor=actor,
        goal=goal,
        title=goal.title,
        source=goal.source,
        measure=goal.measure,
        evidence=evidence,
        status=GoalStatus.ACCOMPLISHED,
        base=goal.revision,
    )


# --- Monthly assignments --------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    programme: Programme,
    month: datetime.date | None,
    title: str,
    description: str = "",
    interaction: str = Interaction.NONE,
    engagement: Engagement | None = None,
    due_on: datetime.date | None = None,
) -> Assignment:
    """A monthly assignment for every team of the programme, or for one team."""
    policy.require(actor, Action.MANAGE, programme)
    version = programme.playbook.current if programme.playbook else None
    if version is None or not version.spec.peer:
        raise DomainError(_("Monthly assignments are for peer coaching programmes."), status=409)
    errors: dict[str, str] = {}
    if month is None:
        errors["month"] = _("Choose the month of the assignment.")
    if not title.strip():
        errors["title"] = _("Give the assignment a title.")
    if interaction not in Interaction.values:
        errors["interaction"] = _("Choose the interaction the assignment asks for.")
    if month is not None and due_on is not None and due_on < first_of_month(month):
        errors["due_on"] = _("The due date is before the month of the assignment.")
    if engagement is not None and (
        engagement.programme_id != programme.pk
        or not policy.engagements_managed_by(actor).filter(pk=engagement.pk).exists()
    ):
        errors["engagement"] = _("Choose a team of this programme.")
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], field=first, errors=errors)
    assert month is not None
    assignment = Assignment.objects.create(
        organisation_id=programme.organisation_id,
        programme=programme,
        engagement=engagement,
        month=first_of_month(month),
        title=title.strip(),
        description=description.strip(),
        interaction=interaction,
        due_on=due_on,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="assignment.create",
        target=assignment,
        data={"month": assignment.month.isoformat(), "engagement": engagement and engagement.pk},
    )
    return assignment


def _assignment_for_member(actor: User, assignment: Assignment, engagement: Engagement) -> None:
    if not policy.assignments_visible_to(actor).filter(pk=assignment.pk).exists():
        raise DomainError(_("No such assignment."), status=404)
    peer_spec(engagement)
    _require_member(actor, engagement, _("Members complete their own assignments."))
    require_active(engagement)
    if assignment.programme_id != engagement.programme_id or (
        assignment.engagement_id is not None and assignment.engagement_id != engagement.pk
    ):
        raise DomainError(_("This assignment is not set for this team."), status=404)


@transaction.atomic
def assignment_complete(
    *,
    actor: User,
    assignment: Assignment,
    engagement: Engagement,
    interaction_done: bool = False,
) -> AssignmentCompletion:
    """A member marks an assignment done for themself (saving again updates the tick)."""
    _assignment_for_member(actor, assignment, engagement)
    if assignment.interaction != Interaction.NONE and not interaction_done:
        message = {
            Interaction.SUPERVISOR: _(
                "This assignment asks you to review it with your supervisor; tick when you have."
            ),
            Interaction.TEAM: _(
                "This assignment asks you to review it with your team members; tick when you have."
            ),
            Interaction.BOTH: _(
                "This assignment asks you to review it with your supervisor and your team; "
                "tick when you have."
            ),
        }[Interaction(assignment.interaction)]
        raise DomainError(message, field="interaction_done")
    completion, created = AssignmentCompletion.objects.get_or_create(
        assignment=assignment,
        engagement=engagement,
        member=actor,
        defaults={"interaction_done": interaction_done},
    )
    if not created and completion.interaction_done != interaction_done:
        completion.interaction_done = interaction_done
        completion.save(update_fields=["interaction_done"])
    audit.record(
        actor=actor,
        action="assignment.complete",
        target=assignment,
        data={"engagement": engagement.pk, "interaction_done": interaction_done},
    )
    return completion


@transaction.atomic
def assignment_undo(*, actor: User, assignment: Assignment, engagement: Engagement) -> bool:
    """A member takes back their completion; False when there was none."""
    _assignment_for_member(actor, assignment, engagement)
    deleted, _rows = AssignmentCompletion.objects.filter(
        assignment=assignment, engagement=engagement, member=actor
    ).delete()
    if deleted:
        audit.record(
            actor=actor,
            action="assignment.undo",
            target=assignment,
            data={"engagement": engagement.pk},
        )
    return bool(deleted)


# --- Effectiveness --------------------------------------------------------------------------------


def level_reached(spec: schema.EffectivenessSpec, levels: Mapping[str, Any]) -> int:
    """The highest level L such that every level up to L is rated at least `reached_at`
    (0: none). A level that is not rated is not reached."""
    reached = 0
    for position, level in enumerate(spec.levels, start=1):
        entry = levels.get(level.key)
        rating = entry.get("rating") if isinstance(entry, Mapping) else None
        if not isinstance(rating, int) or isinstance(rating, bool) or rating < spec.reached_at:
            break
        reached = position
    return reached


def clean_levels(
    spec: schema.EffectivenessSpec, levels: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Validate ratings per level: a whole number on the scale, and one tick per indicator."""
    low, high = spec.scale
    known = {level.key for level in spec.levels}
    errors: dict[str, str] = {}
    for key in levels:
        if key not in known:
            errors[key] = _("There is no level “%s” in this playbook.") % key
    cleaned: dict[str, dict[str, Any]] = {}
    for level in spec.levels:
        entry = levels.get(level.key)
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            errors[level.key] = _("Rate “%s” with a number and its indicators.") % level.title
            continue
        rating = entry.get("rating")
        if rating is None or rating == "":
            if any(entry.get("indicators") or []):
                errors[level.key] = _("Rate “%s” from %d to %d.") % (level.title, low, high)
            continue
        if isinstance(rating, bool) or not isinstance(rating, int) or not low <= rating <= high:
            errors[level.key] = _("Rate “%s” from %d to %d.") % (level.title, low, high)
            continue
        indicators = entry.get("indicators")
        if indicators is None:
            indicators = [False] * len(level.indicators)
        if not isinstance(indicators, list) or len(indicators) != len(level.indicators):
            errors[level.key] = _("“%s” has %d indicators; tick each one seen.") % (
                level.title,
                len(level.indicators),
            )
            continue
        if not all(isinstance(i, bool) for i in indicators):
            errors[level.key] = _("Tick each indicator of “%s” or leave it.") % level.title
            continue
        cleaned[level.key] = {"rating": rating, "indicators": list(indicators)}
    if not cleaned and not errors:
        errors["levels"] = _("Rate at least the first level.")
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], field=first, errors=errors)
    return cleaned


def _effectiveness_event(
    actor: User, engagement: Engagement, spec: schema.Playbook, point: str
) -> None:
    """Every member has the ratings the playbook asks for at this point: the step is done."""
    assert spec.effectiveness is not None
    members = {m.pk for m in members_of(engagement)}
    rows = EffectivenessRating.objects.filter(engagement=engagement, point=point).values_list(
        "subject_id", "perspective"
    )
    have: dict[str, set[int]] = {Perspective.SELF: set(), Perspective.PARTNER: set()}
    for subject, perspective in rows:
        have[perspective].add(subject)
    if members and all(members <= have[p] for p in spec.effectiveness.rated_by):
        record_event(engagement, "effectiveness", actor=actor, ref=point)


@transaction.atomic
def rating_save(
    *,
    actor: User,
    engagement: Engagement,
    subject: User,
    point: str,
    levels: Mapping[str, Any],
    comment: str = "",
    visibility: str | None = None,
) -> EffectivenessRating:
    """A member rates themself (self) or a partner (partner) on the levels at one point.
    Saving again replaces the rater's earlier rating of that member at that point."""
    spec = peer_spec(engagement)
    eff = spec.effectiveness
    if eff is None:
        raise DomainError(_("This playbook does not rate coaching effectiveness."), status=404)
    _require_member(actor, engagement, _("Only the team's members rate its effectiveness."))
    require_active(engagement)
    _member_or_error(engagement, subject, field="subject")
    perspective = Perspective.SELF if actor.pk == subject.pk else Perspective.PARTNER
    if perspective not in eff.rated_by:
        raise DomainError(
            _("In this playbook members rate themselves only.")
            if perspective == Perspective.PARTNER
            else _("In this playbook partners rate each other; you can't rate yourself."),
            status=403,
        )
    if point not in {p.key for p in eff.points}:
        raise DomainError(
            _("Choose a rating point: %s.") % ", ".join(p.title for p in eff.points),
            field="point",
        )
    cleaned = clean_levels(eff, levels)
    reached = level_reached(eff, cleaned)
    now = timezone.now()
    values = {
        "organisation_id": engagement.organisation_id,
        "perspective": perspective,
        "levels": cleaned,
        "reached": reached,
        "comment": comment.strip(),
        "updated_at": now,
    }
    existing = (
        EffectivenessRating.objects.select_for_update()
        .filter(engagement=engagement, subject=subject, rater=actor, point=point)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                rating = EffectivenessRating.objects.create(
                    engagement=engagement,
                    subject=subject,
                    rater=actor,
                    point=point,
                    visibility=check_visibility(
                        visibility, default_visibility(engagement, "effectiveness")
                    ),
                    created_at=now,
                    **values,
                )
        except IntegrityError:  # a double submit: the other request saved first
            existing = EffectivenessRating.objects.select_for_update().get(
                engagement=engagement, subject=subject, rater=actor, point=point
            )
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.visibility = check_visibility(visibility, existing.visibility)
        existing.save()
        rating = existing
    audit.record(
        actor=actor,
        action="effectiveness.rate",
        target=rating,
        data={
            "subject": subject.pk,
            "point": point,
            "perspective": perspective,
            "reached": reached,
        },
    )
    _effectiveness_event(actor, engagement, spec, point)
    return rating
