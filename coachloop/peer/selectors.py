"""Reads for peer coaching: the team page's summary, goals, assignments with their completion,
and the effectiveness table. Content (goals, ratings) is read only through the policy's
querysets; assignments, completions, meetings and attendance are metadata."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.engagements.models import TEAM_ROLES, Engagement, Participant, Programme
from coachloop.engagements.services import agreement_status
from coachloop.meetings.models import Meeting, MeetingParticipant, MeetingStatus
from coachloop.peer.models import (
    Assignment,
    AssignmentCompletion,
    EffectivenessRating,
    Goal,
    Perspective,
)
from coachloop.peer.services import members_of, peer_spec
from coachloop.playbooks import schema


def goals(*, user: User, engagement: Engagement) -> QuerySet[Goal]:
    return (
        policy.goals_visible_to(user)
        .filter(engagement=engagement)
        .select_related("member", "author")
        .order_by("member_id", "created_at", "id")
    )


def ratings(*, user: User, engagement: Engagement) -> QuerySet[EffectivenessRating]:
    return (
        policy.effectiveness_ratings_visible_to(user)
        .filter(engagement=engagement)
        .select_related("subject", "rater")
    )


def assignments_for_team(*, user: User, engagement: Engagement) -> QuerySet[Assignment]:
    """The programme's assignments for every team and for this one, newest month first."""
    return (
        policy.assignments_visible_to(user)
        .filter(programme_id=engagement.programme_id)
        .filter(Q(engagement__isnull=True) | Q(engagement=engagement))
        .order_by("-month", "title", "id")
    )


def programme_assignments(*, user: User, programme: Programme) -> QuerySet[Assignment]:
    """A programme's assignments for its managers, each with how many members completed it
    (one aggregate query)."""
    return (
        policy.assignments_managed_by(user)
        .filter(programme=programme)
        .select_related("engagement")
        .annotate(
            completed=Count("completions", distinct=True),
            with_interaction=Count(
                "completions", filter=Q(completions__interaction_done=True), distinct=True
            ),
        )
        .order_by("-month", "title", "id")
    )


@dataclass
class MemberRow:
    user: User
    roles: list[str]
    goals: list[Goal] = field(default_factory=list)


@dataclass
class AssignmentRow:
    assignment: Assignment
    #: per member, in the members' order: the completion or None
    done: list[tuple[User, AssignmentCompletion | None]]
    mine: AssignmentCompletion | None = None
    current: bool = False


@dataclass
class RatingCell:
    rating: EffectivenessRating | None
    #: per level: (level spec, rating or None, indicators seen, indicators in all)
    levels: list[tuple[schema.EffectivenessLevelSpec, int | None, int, int]]


@dataclass
class PointRow:
    point: schema.EffectivenessPointSpec
    #: per member: {perspective: RatingCell}
    members: list[tuple[User, dict[str, RatingCell]]]


@dataclass
class MeetingRow:
    meeting: Meeting
    attendance: list[tuple[User, bool | None]]


@dataclass
class TeamPage:
    engagement: Engagement
    spec: schema.Playbook
    members: list[MemberRow]
    others: list[tuple[User, str]]
    agreement: list[dict[str, Any]]
    assignments: list[AssignmentRow]
    points: list[PointRow]
    upcoming: list[MeetingRow]
    recent: list[MeetingRow]
    is_member: bool
    hidden_goals: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _cell(eff: schema.EffectivenessSpec, rating: EffectivenessRating | None) -> RatingCell:
    levels = []
    for level in eff.levels:
        entry = (rating.levels or {}).get(level.key) if rating else None
        value = entry.get("rating") if isinstance(entry, dict) else None
        seen = sum(1 for i in (entry or {}).get("indicators", []) if i) if entry else 0
        levels.append((level, value, seen, len(level.indicators)))
    return RatingCell(rating, levels)


def _meeting_rows(meetings: list[Meeting], members: list[User]) -> list[MeetingRow]:
    ids = [m.pk for m in meetings]
    attendance: dict[tuple[int, int], bool | None] = {
        (row.meeting_id, row.user_id): row.attended
        for row in MeetingParticipant.objects.filter(meeting_id__in=ids)
    }
    return [MeetingRow(m, [(u, attendance.get((m.pk, u.pk))) for u in members]) for m in meetings]


def _agreement_by_person(engagement: Engagement) -> list[dict[str, Any]]:
    """Each signer once (a member signs as coach and as coachee): signed only when every one of
    their signatures is of the current text."""
    order = {"unsigned": 0, "stale": 1, "signed": 2}
    people: dict[int, dict[str, Any]] = {}
    for row in agreement_status(engagement):
        user = row["participant"].user
        found = people.setdefault(user.pk, {"user": user, "state": "signed", "signed_at": None})
        if order[row["state"]] < order[found["state"]]:
            found["state"] = row["state"]
        if row["signature"] is not None:
            found["signed_at"] = max(filter(None, [found["signed_at"], row["signature"].signed_at]))
    return list(people.values())


def team_page(*, user: User, engagement: Engagement, limit: int = 6) -> TeamPage:
    """Everything the team page shows, as far as `user` may read it."""
    spec = peer_spec(engagement)
    members = members_of(engagement)
    member_ids = {m.pk for m in members}
    participants = list(
        Participant.objects.filter(engagement=engagement).select_related("user").order_by("id")
    )
    roles: dict[int, list[str]] = {}
    others: list[tuple[User, str]] = []
    for p in participants:
        if p.user_id in member_ids:
            roles.setdefault(p.user_id, []).append(spec.role_label(p.role))
        else:
            others.append((p.user, spec.role_label(p.role)))
    rows = [MemberRow(m, roles.get(m.pk, [])) for m in members]
    by_member = {row.user.pk: row for row in rows}
    visible_goals = list(goals(user=user, engagement=engagement))
    for goal in visible_goals:
        if goal.member_id in by_member:
            by_member[goal.member_id].goals.append(goal)
    all_goals = Goal.objects.filter(engagement=engagement).count()

    # Assignments: this month's and past ones (one query for completions).
    today = timezone.localdate()
    this_month = today.replace(day=1)
    assignments = [
        a for a in assignments_for_team(user=user, engagement=engagement) if a.month <= this_month
    ][:24]
    completions = {
        (c.assignment_id, c.member_id): c
        for c in policy.assignment_completions_visible_to(user).filter(
            engagement=engagement, assignment__in=[a.pk for a in assignments]
        )
    }
    assignment_rows = [
        AssignmentRow(
            a,
            [(m, completions.get((a.pk, m.pk))) for m in members],
            completions.get((a.pk, user.pk)),
            a.month == this_month,
        )
        for a in assignments
    ]

    # Effectiveness per point, self and partner.
    points: list[PointRow] = []
    eff = spec.effectiveness
    if eff is not None:
        found: dict[tuple[str, int, str], EffectivenessRating] = {}
        for r in ratings(user=user, engagement=engagement).order_by("updated_at", "id"):
            found[(r.point, r.subject_id, r.perspective)] = r  # the latest partner's wins
        for point in eff.points:
            points.append(
                PointRow(
                    point,
                    [
                        (
                            m,
                            {
                                perspective: _cell(eff, found.get((point.key, m.pk, perspective)))
                                for perspective in eff.rated_by
                            },
                        )
                        for m in members
                    ],
                )
            )

    # Sessions: metadata, never their minutes.
    meetings = policy.meetings_visible_to(user).filter(engagement=engagement)
    now = timezone.now()
    upcoming = list(
        meetings.filter(starts_at__gte=now - datetime.timedelta(hours=2))
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.HELD])
        .order_by("starts_at")[:limit]
    )
    recent = list(
        meetings.filter(
            Q(starts_at__lt=now - datetime.timedelta(hours=2)) | Q(status="held")
        ).order_by("-starts_at")[:limit]
    )
    return TeamPage(
        engagement=engagement,
        spec=spec,
        members=rows,
        others=others,
        agreement=_agreement_by_person(engagement),
        assignments=assignment_rows,
        points=points,
        upcoming=_meeting_rows(upcoming, members),
        recent=_meeting_rows(recent, members),
        is_member=bool(policy.participant_roles(user, engagement) & set(TEAM_ROLES)),
        hidden_goals=all_goals > len(visible_goals),
    )


def my_rating(
    *, user: User, engagement: Engagement, subject: User, point: str
) -> EffectivenessRating | None:
    return (
        policy.effectiveness_ratings_visible_to(user)
        .filter(engagement=engagement, subject=subject, rater=user, point=point)
        .first()
    )


def rated_perspective(user: User, subject: User) -> str:
    return Perspective.SELF if user.pk == subject.pk else Perspective.PARTNER
