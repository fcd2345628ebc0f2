"""Peer coaching (seed 001): a team's summary, goals, monthly assignments and their completion,
and effectiveness ratings. The same services, selectors and policy as the pages; goals and
ratings are content at their visibility, assignments and completion are metadata."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from coachloop.access import policy
from coachloop.accounts.models import User
from coachloop.api.common import engagement_or_404, user_of
from coachloop.engagements.models import Engagement, Programme
from coachloop.lib.errors import DomainError
from coachloop.peer import selectors, services
from coachloop.peer.models import Assignment, AssignmentCompletion, EffectivenessRating, Goal

router = Router(tags=["peer"])


# --- Shapes ---------------------------------------------------------------------------------------


class Person(Schema):
    id: int
    name: str


def _person(user: User) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user)}


class GoalOut(Schema):
    id: int
    engagement_id: int
    member: Person
    title: str
    source: str
    measure: str
    evidence: str
    status: str = Field(description="active, accomplished or dropped")
    accomplished_on: datetime.date | None
    visibility: str
    revision: int

    @staticmethod
    def resolve_member(obj: Goal) -> dict[str, Any]:
        return _person(obj.member)


class GoalIn(Schema):
    member_id: int | None = Field(None, description="Whose goal; empty: your own.")
    title: str
    source: str = Field(description="One of the playbook's goal sources.")
    measure: str = ""
    evidence: str = ""
    status: str = "active"
    visibility: str | None = None


class GoalUpdateIn(Schema):
    title: str
    source: str
    measure: str = ""
    evidence: str = ""
    status: str = "active"
    visibility: str | None = None
    base: int | None = Field(
        None, description="The revision you read; a later change by someone else answers 409."
    )


class AssignmentOut(Schema):
    id: int
    programme_id: int
    engagement_id: int | None = Field(description="Empty: for every team.")
    month: datetime.date
    title: str
    description: str
    interaction: str
    due_on: datetime.date | None


class AssignmentIn(Schema):
    month: datetime.date = Field(description="Any day of the month.")
    title: str
    description: str = ""
    interaction: str = "none"
    engagement_id: int | None = None
    due_on: datetime.date | None = None


class CompletionIn(Schema):
    interaction_done: bool = False


class CompletionOut(Schema):
    assignment_id: int
    engagement_id: int
    member_id: int
    interaction_done: bool
    completed_at: datetime.datetime


class RatingOut(Schema):
    id: int
    engagement_id: int
    subject: Person
    rater: Person
    perspective: str
    point: str
    levels: dict[str, Any]
    reached: int
    comment: str
    visibility: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_subject(obj: EffectivenessRating) -> dict[str, Any]:
        return _person(obj.subject)

    @staticmethod
    def resolve_rater(obj: EffectivenessRating) -> dict[str, Any]:
        return _person(obj.rater)


class RatingIn(Schema):
    subject_id: int
    point: str
    levels: dict[str, Any] = Field(
        description='Per level key: {"rating": 3, "indicators": [true, true, false]}.'
    )
    comment: str = ""
    visibility: str | None = None


class MemberOut(Schema):
    person: Person
    roles: list[str]
    goals: list[GoalOut]


class AssignmentRowOut(Schema):
    assignment: AssignmentOut
    done_by: list[CompletionOut]


class PointOut(Schema):
    point: str
    title: str
    ratings: list[dict[str, Any]]


class MeetingOut(Schema):
    id: int
    meeting_type: str
    title: str
    starts_at: datetime.datetime
    minutes: int
    mode: str
    status: str
    attendance: list[dict[str, Any]]


class TeamOut(Schema):
    id: int
    title: str
    members: list[MemberOut]
    others: list[dict[str, Any]]
    agreement: list[dict[str, Any]]
    assignments: list[AssignmentRowOut]
    effectiveness: list[PointOut]
    upcoming: list[MeetingOut]
    recent: list[MeetingOut]
    cadence_status: str
    cadence_reasons: list[Any]


# --- Helpers --------------------------------------------------------------------------------------


def _team(request: HttpRequest, pk: int) -> Engagement:
    engagement = engagement_or_404(request, pk)
    spec = engagement.spec
    if spec is None or not spec.peer:
        raise Http404
    return engagement


def _member(engagement: Engagement, pk: int | None, fallback: User, field: str) -> User:
    if pk is None:
        return fallback
    found = next((m for m in services.members_of(engagement) if m.pk == pk), None)
    if found is None:
        raise DomainError(_("Choose a member of this team."), field=field)
    return found


def _meetings(rows: list[selectors.MeetingRow]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.meeting.pk,
            "meeting_type": r.meeting.meeting_type,
            "title": r.meeting.title,
            "starts_at": r.meeting.starts_at,
            "minutes": r.meeting.minutes,
            "mode": r.meeting.mode,
            "status": r.meeting.status,
            "attendance": [{"person": _person(u), "attended": a} for u, a in r.attendance],
        }
        for r in rows
    ]


# --- Team -----------------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/team",
    response=TeamOut,
    summary="A peer team: members, goals you may read, assignments, effectiveness, sessions",
)
def team_summary(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = user_of(request)
    engagement = _team(request, pk)
    page = selectors.team_page(user=user, engagement=engagement)
    points = []
    for prow in page.points:
        out = []
        for member, cells in prow.members:
            for perspective, cell in cells.items():
                out.append(
                    {
                        "subject": _person(member),
                        "perspective": perspective,
                        "rated": cell.rating is not None,
                        "reached": cell.rating.reached if cell.rating else None,
                        "levels": cell.rating.levels if cell.rating else {},
                    }
                )
        points.append({"point": prow.point.key, "title": prow.point.title, "ratings": out})
    return {
        "id": engagement.pk,
        "title": engagement.title,
        "members": [
            {"person": _person(row.user), "roles": row.roles, "goals": row.goals}
            for row in page.members
        ],
        "others": [{"person": _person(u), "role": label} for u, label in page.others],
        "agreement": [
            {"person": _person(r["user"]), "state": r["state"], "signed_at": r["signed_at"]}
            for r in page.agreement
        ],
        "assignments": [
            {
                "assignment": row.assignment,
                "done_by": [c for _u, c in row.done if c is not None],
            }
            for row in page.assignments
        ],
        "effectiveness": points,
        "upcoming": _meetings(page.upcoming),
        "recent": _meetings(page.recent),
        "cadence_status": engagement.cadence_status,
        "cadence_reasons": engagement.cadence_reasons or [],
    }


# --- Goals ----------------------------------------------------------------------------------------


@router.get("/engagements/{pk}/goals", response=list[GoalOut], summary="Goals you may read")
def goal_list(request: HttpRequest, pk: int) -> Any:
    return selectors.goals(user=user_of(request), engagement=_team(request, pk))


@router.post(
    "/engagements/{pk}/goals",
    response={201: GoalOut},
    summary="Add a goal for yourself or a partner (the team's members)",
)
def goal_create(request: HttpRequest, pk: int, payload: GoalIn) -> Status[Goal]:
    user = user_of(request)
    engagement = _team(request, pk)
    goal = services.goal_create(
        actor=user,
        engagement=engagement,
        member=_member(engagement, payload.member_id, user, "member_id"),
        title=payload.title,
        source=payload.source,
        measure=payload.measure,
        evidence=payload.evidence,
        status=payload.status,
        visibility=payload.visibility,
    )
    return Status(201, goal)


@router.put(
    "/engagements/{pk}/goals/{goal_id}",
    response=GoalOut,
    summary="Change a goal; name the revision you read in `base`",
)
def goal_update(request: HttpRequest, pk: int, goal_id: int, payload: GoalUpdateIn) -> Goal:
    user = user_of(request)
    engagement = _team(request, pk)
    goal = policy.get_visible_or_404(user, Goal, goal_id, engagement=engagement)
    return services.goal_update(
        actor=user,
        goal=goal,
        title=payload.title,
        source=payload.source,
        measure=payload.measure,
        evidence=payload.evidence,
        status=payload.status,
        visibility=payload.visibility,
        base=payload.base,
    )


# --- Assignments ----------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/assignments",
    response=list[AssignmentOut],
    summary="The programme's assignments for this team (every team's and its own)",
)
def team_assignments(request: HttpRequest, pk: int) -> Any:
    return selectors.assignments_for_team(user=user_of(request), engagement=_team(request, pk))


@router.get(
    "/programmes/{pk}/assignments",
    response=list[AssignmentOut],
    summary="A programme's monthly assignments (its administrators)",
)
def programme_assignments(request: HttpRequest, pk: int) -> Any:
    user = user_of(request)
    programme = policy.get_visible_or_404(user, Programme, pk)
    policy.require(user, policy.Action.MANAGE, programme)
    return selectors.programme_assignments(user=user, programme=programme)


@router.post(
    "/programmes/{pk}/assignments",
    response={201: AssignmentOut},
    summary="Set a monthly assignment for every team or one (the programme's administrators)",
)
def assignment_create(request: HttpRequest, pk: int, payload: AssignmentIn) -> Status[Assignment]:
    user = user_of(request)
    programme = policy.get_visible_or_404(user, Programme, pk)
    engagement = None
    if payload.engagement_id is not None:
        engagement = (
            policy.engagements_managed_by(user)
            .filter(pk=payload.engagement_id, programme=programme)
            .first()
        )
        if engagement is None:
            raise DomainError(_("Choose a team of this programme."), field="engagement_id")
    try:
        assignment = services.assignment_create(
            actor=user,
            programme=programme,
            month=payload.month,
            title=payload.title,
            description=payload.description,
            interaction=payload.interaction,
            engagement=engagement,
            due_on=payload.due_on,
        )
    except DomainError as error:
        error.errors = {
            ("engagement_id" if k == "engagement" else k): v for k, v in error.errors.items()
        }
        raise
    return Status(201, assignment)


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    return policy.get_visible_or_404(user_of(request), Assignment, assignment_id)


@router.post(
    "/engagements/{pk}/assignments/{assignment_id}/completion",
    response=CompletionOut,
    summary="Mark an assignment done for yourself, with the interaction it asks for",
)
def assignment_complete(
    request: HttpRequest, pk: int, assignment_id: int, payload: CompletionIn
) -> AssignmentCompletion:
    return services.assignment_complete(
        actor=user_of(request),
        assignment=_assignment(request, assignment_id),
        engagement=_team(request, pk),
        interaction_done=payload.interaction_done,
    )


@router.delete(
    "/engagements/{pk}/assignments/{assignment_id}/completion",
    response={204: None},
    summary="Take back your completion of an assignment",
)
def assignment_undo(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    services.assignment_undo(
        actor=user_of(request),
        assignment=_assignment(request, assignment_id),
        engagement=_team(request, pk),
    )
    return HttpResponse(status=204)


# --- Effectiveness --------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/ratings",
    response=list[RatingOut],
    summary="Effectiveness ratings you may read",
)
def rating_list(request: HttpRequest, pk: int) -> Any:
    return selectors.ratings(user=user_of(request), engagement=_team(request, pk)).order_by(
        "point", "subject_id", "perspective", "rater_id"
    )


@router.put(
    "/engagements/{pk}/ratings",
    response=RatingOut,
    summary="Rate yourself or a partner at a point (saving again replaces your rating)",
)
def rating_save(request: HttpRequest, pk: int, payload: RatingIn) -> EffectivenessRating:
    user = user_of(request)
    engagement = _team(request, pk)
    return services.rating_save(
        actor=user,
        engagement=engagement,
        subject=_member(engagement, payload.subject_id, user, "subject_id"),
        point=payload.point,
        levels=payload.levels,
        comment=payload.comment,
        visibility=payload.visibility,
    )
