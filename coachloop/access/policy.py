"""The confidentiality policy: the one place that answers "may this user see or do this?".

Every door asks here: pages, the API, form choice lists, exports, notifications. Each rule is
written once, as a queryset of the rows a user may see or act on; the object check `allowed()` is
derived from that same queryset, so a list and a detail page can never disagree.

Rules (DESIGN.md, invariants 1 and 3):

- Tenancy: a person's scope is every organisation they hold an active membership in, and
  everything below it in the tree. Nothing outside that scope is visible, whatever the role.
- Administration: programme administrators manage the organisations, people and memberships in
  their own administrative scope (their programme-administrator memberships and below) and read
  the audit trail's metadata there.
- Content: every piece of confidential content has a visibility. private: its author; team: also
  the engagement's coaches and coachees; sponsors: also its sponsor and district representative;
  programme: also the programme's administrators. Administrators otherwise see metadata only.
- A record you may not see answers 404 (`get_visible_or_404`), so ids reveal nothing; a record
  you may see but not change answers 403 (`require`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from coachloop.access.models import AuditEvent, Visibility
from coachloop.accounts.models import User
from coachloop.actionsteps.models import (
    ActionStep,
    Cycle,
    LibraryCategory,
    LibraryStep,
    PracticeAttempt,
)
from coachloop.coaches.models import FeedbackReply, FeedbackRound
from coachloop.engagements.models import (
    SPONSOR_ROLES,
    TEAM_ROLES,
    AgreementSignature,
    Engagement,
    FormResponse,
    Note,
    Participant,
    ParticipantRole,
    Programme,
    Resource,
    StepProgress,
)
from coachloop.feedback.models import FeedbackCollection
from coachloop.improvement.models import CheckIn, ImprovementPlan, SchoolActionStep, TargetArea
from coachloop.meetings.models import FollowUp, Meeting, MeetingParticipant
from coachloop.messaging.models import Contact, Message, Question, Thread
from coachloop.notifications.models import Notification
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role
from coachloop.peer.models import Assignment, AssignmentCompletion, EffectivenessRating, Goal
from coachloop.plans.models import Plan
from coachloop.playbooks.models import Playbook
from coachloop.portfolios.models import PortfolioEntry
from coachloop.rubrics.models import RubricScore
from coachloop.surveys.models import Administration, Instrument

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    AnyUser = User | AnonymousUser
else:
    AnyUser = Any

M = TypeVar("M", bound=Model)


class Action(StrEnum):
    VIEW = "view"
    MANAGE = "manage"  # change people, memberships, an organisation's settings
    IMPORT_ROSTER = "import_roster"
    VIEW_AUDIT = "view_audit"
    ADD_NOTE = "add_note"  # write the engagement's team content: notes, forms, meetings
    WORK = "work"  # take part in an engagement's steps (any participant)
    EDIT_PLAN = "edit_plan"  # coaches and coachees draft the plan
    APPROVE_PLAN = "approve_plan"  # sponsors approve or return it
    COACH = "coach"  # what only the engagement's coaches do: score, review, collect feedback
    SUBMIT_PORTFOLIO = "submit_portfolio"  # coachees submit entries
    CREATE_ENGAGEMENT = "create_engagement"  # on a programme
    SURVEY = "survey"  # start an administration for an engagement (its coaches, administrators)
    FOLLOW_COACH = "follow_coach"  # see a coach's development page (themself, leads, admins)


# --- Scope --------------------------------------------------------------------------------------


def _paths(user: AnyUser, *, admin: bool = False) -> tuple[str, ...]:
    """Tree paths of the organisations the user belongs to (or administers), cached per request."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cache: dict[bool, tuple[str, ...]] = user.__dict__.setdefault("_coachloop_paths", {})
    if admin not in cache:
        memberships = Membership.objects.filter(user=user, is_active=True)
        memberships = memberships.filter(organisation__is_active=True)
        if admin:
            memberships = memberships.filter(role=Role.PROGRAMME_ADMIN)
        paths = sorted(set(memberships.values_list("organisation__path", flat=True)))
        # Drop paths inside another path: "/1/" already covers "/1/7/".
        cache[admin] = tuple(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
    return cache[admin]


def _under(paths: tuple[str, ...], field: str = "path") -> Q:
    """Rows whose organisation path lies at or below one of `paths`; nothing when none."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def forget(user: AnyUser) -> None:
    """Drop the cached scope, after memberships change within a request."""
    user.__dict__.pop("_coachloop_paths", None)
    user.__dict__.pop("_coachloop_role_paths", None)


def scope_includes(user: AnyUser, organisation: Organisation) -> bool:
    """Whether the organisation lies in the user's scope (their organisations and below)."""
    return any(organisation.path.startswith(p) for p in _paths(user))


def roles_of(user: AnyUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cache: set[str] | None = user.__dict__.get("_coachloop_roles")
    if cache is None:
        cache = set(
            Membership.objects.filter(user=user, is_active=True).values_list("role", flat=True)
        )
        user.__dict__["_coachloop_roles"] = cache
    return cache


# --- Querysets: who sees which rows -------------------------------------------------------------


def organisations_visible_to(user: AnyUser) -> QuerySet[Organisation]:
    return Organisation.objects.filter(_under(_paths(user)))


def organisations_administered_by(user: AnyUser) -> QuerySet[Organisation]:
    return Organisation.objects.filter(_under(_paths(user, admin=True)))


def memberships_visible_to(user: AnyUser) -> QuerySet[Membership]:
    return Membership.objects.filter(_under(_paths(user), "organisation__path"))


def memberships_managed_by(user: AnyUser) -> QuerySet[Membership]:
    return Membership.objects.filter(_under(_paths(user, admin=True), "organisation__path"))


def _people_with_membership_in(paths: tuple[str, ...]) -> QuerySet[User]:
    inside = Membership.objects.filter(_under(paths, "organisation__path"), user=OuterRef("pk"))
    return User.objects.filter(Exists(inside))


def people_visible_to(user: AnyUser) -> QuerySet[User]:
    """People with a membership in the user's scope, and the user themself."""
    people = _people_with_membership_in(_paths(user))
    if user.is_authenticated:
        people = people | User.objects.filter(pk=user.pk)
    return people


def people_managed_by(user: AnyUser) -> QuerySet[User]:
    return _people_with_membership_in(_paths(user, admin=True))


def engagements_visible_to(user: AnyUser) -> QuerySet[Engagement]:
    """Engagements a user may know exist (metadata): participants, the programme's administrators
    and the programme administrators of the engagement's organisation."""
    if not user.is_authenticated:
        return Engagement.objects.none()
    participant = Exists(Participant.objects.filter(engagement=OuterRef("pk"), user=user))
    admin = Exists(
        Programme.administrators.through.objects.filter(programme=OuterRef("programme"), user=user)
    )
    in_admin_scope = _under(_paths(user, admin=True), "organisation__path")
    return Engagement.objects.filter(_under(_paths(user), "organisation__path")).filter(
        participant | admin | in_admin_scope
    )


def content_q(user: AnyUser, *, engagement: str = "engagement", author: str = "author") -> Q:
    """The visibility rule for any content row that has an engagement, an author and a
    visibility. Later kinds of content (plans, observations, meeting notes) reuse it."""
    if not user.is_authenticated:
        return Q(pk__in=[])

    def holds(roles: tuple[str, ...]) -> Exists:
        return Exists(
            Participant.objects.filter(engagement=OuterRef(engagement), user=user, role__in=roles)
        )

    administers = Exists(
        Programme.administrators.through.objects.filter(
            programme=OuterRef(f"{engagement}__programme"), user=user
        )
    )
    levels_for_team = [Visibility.TEAM, Visibility.SPONSORS, Visibility.PROGRAMME]
    levels_for_sponsors = [Visibility.SPONSORS, Visibility.PROGRAMME]
    readers = (
        Q(**{author: user})
        | (Q(visibility__in=levels_for_team) & Q(holds(TEAM_ROLES)))
        | (Q(visibility__in=levels_for_sponsors) & Q(holds(SPONSOR_ROLES)))
        | (Q(visibility=Visibility.PROGRAMME) & Q(administers))
    )
    return _under(_paths(user), "organisation__path") & readers


def notes_visible_to(user: AnyUser) -> QuerySet[Note]:
    return Note.objects.filter(content_q(user))


def form_responses_visible_to(user: AnyUser) -> QuerySet[FormResponse]:
    return FormResponse.objects.filter(content_q(user))


def resources_visible_to(user: AnyUser) -> QuerySet[Resource]:
    return Resource.objects.filter(content_q(user))


def plans_visible_to(user: AnyUser) -> QuerySet[Plan]:
    return Plan.objects.filter(content_q(user))


def scores_visible_to(user: AnyUser) -> QuerySet[RubricScore]:
    return RubricScore.objects.filter(content_q(user))


def portfolio_entries_visible_to(user: AnyUser) -> QuerySet[PortfolioEntry]:
    return PortfolioEntry.objects.filter(content_q(user))


def meetings_visible_to(user: AnyUser) -> QuerySet[Meeting]:
    """That a meeting exists, when and how: metadata, for whoever sees the engagement."""
    return Meeting.objects.filter(engagement__in=engagements_visible_to(user))


def meeting_minutes_visible_to(user: AnyUser) -> QuerySet[Meeting]:
    """Meetings whose minutes (stage notes, summary) the user may read: content."""
    return Meeting.objects.filter(content_q(user))


def meetings_in_calendar_of(user: AnyUser) -> QuerySet[Meeting]:
    """The meetings a person is invited to, in engagements they still take part in, in their
    scope: their calendar feed. Metadata only (when, where, how, which engagement). Only
    participants are invited, so this is a narrower form of `engagements_visible_to` that reads
    from the person's own invitations rather than every engagement in scope."""
    if not user.is_authenticated:
        return Meeting.objects.none()
    invited = MeetingParticipant.objects.filter(user=user).values("meeting")
    takes_part = Exists(Participant.objects.filter(engagement=OuterRef("engagement"), user=user))
    return Meeting.objects.filter(
        _under(_paths(user), "organisation__path"), takes_part, pk__in=invited
    )


def follow_ups_visible_to(user: AnyUser) -> QuerySet[FollowUp]:
    """Next steps agreed in a meeting: content, at the visibility of the minutes they came from."""
    return FollowUp.objects.filter(content_q(user))


def goals_visible_to(user: AnyUser) -> QuerySet[Goal]:
    """A peer coachee's goals: content (the built-in playbook shares them with supervisors)."""
    return Goal.objects.filter(content_q(user))


def effectiveness_ratings_visible_to(user: AnyUser) -> QuerySet[EffectivenessRating]:
    """Ratings on the four levels of coaching effectiveness: content; the rater is the author."""
    return EffectivenessRating.objects.filter(content_q(user, author="rater"))


def assignments_visible_to(user: AnyUser) -> QuerySet[Assignment]:
    """A programme's monthly assignments: to its managers, and to the teams they are set for
    (every team, or one) and whoever sees those teams."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    teams = engagements_visible_to(user)
    in_programme = Exists(teams.filter(programme=OuterRef("programme")))
    return Assignment.objects.filter(
        Q(programme__in=programmes_managed_by(user))
        | (Q(engagement__isnull=True) & Q(in_programme))
        | Q(engagement__in=teams)
    )


def assignments_managed_by(user: AnyUser) -> QuerySet[Assignment]:
    return Assignment.objects.filter(programme__in=programmes_managed_by(user))


def assignment_completions_visible_to(user: AnyUser) -> QuerySet[AssignmentCompletion]:
    """Who completed which assignment: metadata, for whoever sees the team."""
    return AssignmentCompletion.objects.filter(engagement__in=engagements_visible_to(user))


def notifications_of(user: AnyUser) -> QuerySet[Notification]:
    """A person's own reminders and notices; nobody reads another's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def feedback_collections_visible_to(user: AnyUser) -> QuerySet[FeedbackCollection]:
    """Anonymous feedback results: content at the collection's visibility."""
    return FeedbackCollection.objects.filter(content_q(user))


def action_steps_visible_to(user: AnyUser) -> QuerySet[ActionStep]:
    return ActionStep.objects.filter(content_q(user))


def observations_visible_to(user: AnyUser) -> QuerySet[Observation]:
    """Finished observations at their visibility; a draft only to the coach writing it."""
    if not user.is_authenticated:
        return Observation.objects.none()
    return Observation.objects.filter(content_q(user)).filter(
        Q(status=ObservationStatus.FINAL) | Q(author=user)
    )


def practice_attempts_visible_to(user: AnyUser) -> QuerySet[PracticeAttempt]:
    """Practice attempts are part of their meeting's minutes, and read with them."""
    return PracticeAttempt.objects.filter(meeting__in=meeting_minutes_visible_to(user))


def cycles_visible_to(user: AnyUser) -> QuerySet[Cycle]:
    """That cycles happen and how long they take is metadata, like step progress."""
    return Cycle.objects.filter(engagement__in=engagements_visible_to(user))


def library_visible_to(user: AnyUser) -> QuerySet[LibraryCategory]:
    """An organisation's action-step library is read by everyone in or below it: a school's
    coaches pick from their district's library as well as their school's."""
    if not user.is_authenticated:
        return LibraryCategory.objects.none()
    paths = _paths(user)
    above = _ancestor_ids(paths)
    exact_above = Q(organisation__path__in=above) if above else Q(pk__in=[])
    return LibraryCategory.objects.filter(_under(paths, "organisation__path") | exact_above)


def library_steps_visible_to(user: AnyUser) -> QuerySet[LibraryStep]:
    return LibraryStep.objects.filter(category__in=library_visible_to(user))


def library_managed_by(user: AnyUser) -> QuerySet[LibraryCategory]:
    """Programme administrators keep the libraries of the organisations they administer."""
    return LibraryCategory.objects.filter(_under(_paths(user, admin=True), "organisation__path"))


def steps_visible_to(user: AnyUser) -> QuerySet[StepProgress]:
    """Step progress is metadata: whoever sees the engagement sees how far it is."""
    return StepProgress.objects.filter(engagement__in=engagements_visible_to(user))


def signatures_visible_to(user: AnyUser) -> QuerySet[AgreementSignature]:
    return AgreementSignature.objects.filter(engagement__in=engagements_visible_to(user))


def programmes_visible_to(user: AnyUser) -> QuerySet[Programme]:
    """Programmes in the user's administrative scope, and those they administer, coach in or
    take part in."""
    if not user.is_authenticated:
        return Programme.objects.none()
    administers = Exists(
        Programme.administrators.through.objects.filter(programme=OuterRef("pk"), user=user)
    )
    coaches = Exists(Programme.coaches.through.objects.filter(programme=OuterRef("pk"), user=user))
    takes_part = Exists(Participant.objects.filter(engagement__programme=OuterRef("pk"), user=user))
    above = _ancestor_ids(_paths(user))
    in_scope = _under(_paths(user), "organisation__path") | (
        Q(organisation__path__in=above) if above else Q(pk__in=[])
    )
    return Programme.objects.filter(
        _under(_paths(user, admin=True), "organisation__path")
        | (Q(in_scope) & (Q(administers) | Q(coaches) | Q(takes_part)))
    )


def programmes_managed_by(user: AnyUser) -> QuerySet[Programme]:
    """Programme administrators in scope, and the programme's own administrators."""
    if not user.is_authenticated:
        return Programme.objects.none()
    administers = Exists(
        Programme.administrators.through.objects.filter(programme=OuterRef("pk"), user=user)
    )
    return programmes_visible_to(user).filter(
        _under(_paths(user, admin=True), "organisation__path") | Q(administers)
    )


def _ancestor_ids(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The paths of every organisation above the user's own ("/1/7/" gives "/1/")."""
    out: set[str] = set()
    for path in paths:
        ids = [part for part in path.split("/") if part]
        out.update("/" + "/".join(ids[:n]) + "/" for n in range(1, len(ids)))
    return tuple(sorted(out))


def playbooks_visible_to(user: AnyUser) -> QuerySet[Playbook]:
    """The built-in playbooks, and those of the organisations in or above the user's scope."""
    if not user.is_authenticated:
        return Playbook.objects.none()
    paths = _paths(user)
    above = tuple(p for p in _ancestor_ids(paths))
    exact_above = Q(organisation__path__in=above) if above else Q(pk__in=[])
    return Playbook.objects.filter(
        Q(organisation__isnull=True) | _under(paths, "organisation__path") | exact_above
    )


def playbooks_managed_by(user: AnyUser) -> QuerySet[Playbook]:
    return Playbook.objects.filter(_under(_paths(user, admin=True), "organisation__path"))


def programme_steps_followed_by(user: AnyUser, programme: Programme) -> QuerySet[StepProgress]:
    """Every step of a programme its manager follows. Whoever manages a programme sees each of
    its engagements within their tenancy (as its administrator, or as a programme administrator
    above its organisation), so this equals the steps of `engagements_managed_by` in the
    programme, written as one plain filter for large programmes."""
    if not allowed(user, Action.MANAGE, programme):
        return StepProgress.objects.none()
    return StepProgress.objects.filter(engagement__programme=programme).filter(
        _under(_paths(user), "engagement__organisation__path")
    )


def programme_cycles_followed_by(user: AnyUser, programme: Programme) -> QuerySet[Cycle]:
    """Every coaching cycle of a programme its manager follows: metadata, by the same argument
    and in the same plain form as `programme_steps_followed_by`."""
    if not allowed(user, Action.MANAGE, programme):
        return Cycle.objects.none()
    return Cycle.objects.filter(engagement__programme=programme).filter(
        _under(_paths(user), "engagement__organisation__path")
    )


def engagements_managed_by(user: AnyUser) -> QuerySet[Engagement]:
    """Programme administrators (of the programme, or in scope) manage engagements."""
    return engagements_visible_to(user).filter(programme__in=programmes_managed_by(user))


def _engagements_where(user: AnyUser, roles: tuple[str, ...]) -> QuerySet[Engagement]:
    if not user.is_authenticated:
        return Engagement.objects.none()
    holds = Exists(Participant.objects.filter(engagement=OuterRef("pk"), user=user, role__in=roles))
    return engagements_visible_to(user).filter(holds)


def in_team(user: AnyUser, engagement: Engagement) -> bool:
    """Whether the user is one of the engagement's coaches or coachees (team-level readers)."""
    return bool(participant_roles(user, engagement) & set(TEAM_ROLES))


def participant_roles(user: AnyUser, engagement: Engagement) -> set[str]:
    """The user's roles in one engagement, cached on the engagement for the request."""
    if not user.is_authenticated:
        return set()
    cache: dict[int, set[str]] = engagement.__dict__.setdefault("_coachloop_roles", {})
    if user.pk not in cache:
        cache[user.pk] = set(
            Participant.objects.filter(engagement=engagement, user=user).values_list(
                "role", flat=True
            )
        )
    return cache[user.pk]


def audit_events_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(_under(_paths(user, admin=True), "organisation__path"))


# --- Surveys, reports and school improvement (issue 6) --------------------------------------------


def _role_paths(
    user: AnyUser, roles: tuple[str, ...], *, kind: str | None = None
) -> tuple[str, ...]:
    """Tree paths where the user holds one of `roles` (a district representative's district;
    with `kind`, only at organisations of that kind: a school leader's own school, not the
    district where a peer coaching team lives), cached per request like `_paths`."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cache: dict[tuple[tuple[str, ...], str | None], tuple[str, ...]] = user.__dict__.setdefault(
        "_coachloop_role_paths", {}
    )
    if (roles, kind) not in cache:
        rows = Membership.objects.filter(
            user=user, is_active=True, organisation__is_active=True, role__in=roles
        )
        if kind is not None:
            rows = rows.filter(organisation__kind=kind)
        paths = rows.values_list("organisation__path", flat=True)
        cache[(roles, kind)] = tuple(sorted(set(paths)))
    return cache[(roles, kind)]


def instruments_visible_to(user: AnyUser) -> QuerySet[Instrument]:
    """The built-in instruments, and those of the organisations in or above the user's scope."""
    if not user.is_authenticated:
        return Instrument.objects.none()
    paths = _paths(user)
    above = _ancestor_ids(paths)
    exact_above = Q(organisation__path__in=above) if above else Q(pk__in=[])
    return Instrument.objects.filter(
        Q(organisation__isnull=True) | _under(paths, "organisation__path") | exact_above
    )


def instruments_managed_by(user: AnyUser) -> QuerySet[Instrument]:
    """Programme administrators adapt the instruments of their organisations."""
    return Instrument.objects.filter(_under(_paths(user, admin=True), "organisation__path"))


def administrations_visible_to(user: AnyUser) -> QuerySet[Administration]:
    """Who may see an administration, its response rate and its report. Reports are aggregates
    that the anonymity engine has already made safe (surveys.engine), so beyond the engagement's
    readers at the administration's visibility they reach: the programme administrators in scope,
    the school's leaders and the district representatives above it (school-wide surveys), and the
    subject of a 360."""
    if not user.is_authenticated:
        return Administration.objects.none()
    school_wide = Q(subject__isnull=True)
    overseers = _role_paths(user, (Role.DISTRICT_REP,)) + _role_paths(
        user, (Role.SCHOOL_LEADER,), kind=OrganisationKind.SCHOOL
    )
    readers = (
        content_q(user, author="created_by")
        | _under(_paths(user, admin=True), "organisation__path")
        | (school_wide & _under(overseers, "organisation__path"))
        | Q(subject=user)
    )
    return Administration.objects.filter(_under(_paths(user), "organisation__path") & readers)


def administrations_managed_by(user: AnyUser) -> QuerySet[Administration]:
    """Who runs an administration (invites, reminds, closes, extends): the engagement's coaches
    and the programme administrators in scope. Nobody sees who has or has not answered."""
    if not user.is_authenticated:
        return Administration.objects.none()
    coach = Exists(
        Participant.objects.filter(
            engagement=OuterRef("engagement"), user=user, role=ParticipantRole.COACH
        )
    )
    return Administration.objects.filter(
        _under(_paths(user), "organisation__path")
        & (Q(coach) | _under(_paths(user, admin=True), "organisation__path"))
    )


def engagements_surveyed_by(user: AnyUser) -> QuerySet[Engagement]:
    """Engagements in which the user may start an administration: as its coach, or as a
    programme administrator in scope."""
    return _engagements_where(user, (ParticipantRole.COACH,)) | engagements_managed_by(user)


def organisations_overseen_by(user: AnyUser) -> QuerySet[Organisation]:
    """Where the user may see district views (aggregates across schools): as a programme
    administrator or a district representative, at that organisation and below."""
    paths = _paths(user, admin=True) + _role_paths(user, (Role.DISTRICT_REP,))
    return Organisation.objects.filter(_under(paths))


def improvement_plans_visible_to(user: AnyUser) -> QuerySet[ImprovementPlan]:
    """A school improvement plan is the school's document: everyone in scope of the school."""
    return ImprovementPlan.objects.filter(_under(_paths(user), "organisation__path"))


def improvement_plans_managed_by(user: AnyUser) -> QuerySet[ImprovementPlan]:
    """The school's leaders, the coaches of engagements at the school, and programme
    administrators in scope enter and change it."""
    if not user.is_authenticated:
        return ImprovementPlan.objects.none()
    coaches_here = Exists(
        Participant.objects.filter(
            user=user,
            role=ParticipantRole.COACH,
            engagement__organisation=OuterRef("organisation"),
        )
    )
    return improvement_plans_visible_to(user).filter(
        _under(_paths(user, admin=True), "organisation__path")
        | _under(
            _role_paths(user, (Role.SCHOOL_LEADER,), kind=OrganisationKind.SCHOOL),
            "organisation__path",
        )
        | Q(coaches_here)
    )


def organisations_planned_by(user: AnyUser) -> QuerySet[Organisation]:
    """Schools where the user may start an improvement plan: the same people as
    `improvement_plans_managed_by`, asked of the school rather than of a plan."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    coaches_here = Exists(
        Participant.objects.filter(
            user=user, role=ParticipantRole.COACH, engagement__organisation=OuterRef("pk")
        )
    )
    return Organisation.objects.filter(
        _under(_paths(user))
        & (
            _under(_paths(user, admin=True))
            | _under(_role_paths(user, (Role.SCHOOL_LEADER,), kind=OrganisationKind.SCHOOL))
            | Q(coaches_here)
        )
    )


def target_areas_visible_to(user: AnyUser) -> QuerySet[TargetArea]:
    return TargetArea.objects.filter(content_q(user))


def school_action_steps_visible_to(user: AnyUser) -> QuerySet[SchoolActionStep]:
    return SchoolActionStep.objects.filter(content_q(user))


def check_ins_visible_to(user: AnyUser) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(action_step__in=school_action_steps_visible_to(user))


# --- Coaching the coaches (seed 003) ------------------------------------------------------------

#: engagements whose playbook coaches the coaches (it names a practice profile)
DEVELOPMENT = Q(playbook_version__definition__coach_development__profile__isnull=False)


def threads_visible_to(user: AnyUser) -> QuerySet[Thread]:
    """Message threads are team content: the engagement's coaches and coachees."""
    return Thread.objects.filter(content_q(user))


def messages_visible_to(user: AnyUser) -> QuerySet[Message]:
    return Message.objects.filter(thread__in=threads_visible_to(user))


def contacts_visible_to(user: AnyUser) -> QuerySet[Contact]:
    return Contact.objects.filter(content_q(user))


def questions_visible_to(user: AnyUser) -> QuerySet[Question]:
    """A question's timing is metadata (never its text): the engagement's team, and the
    programme administrators who follow the coach's responsiveness."""
    return Question.objects.filter(
        engagement__in=_engagements_where(user, TEAM_ROLES) | engagements_managed_by(user)
    )


def coaches_led_by(user: AnyUser) -> QuerySet[User]:
    """The coaches whose lead coach the user is: the coachees of the coach-development
    engagements the user coaches."""
    if not user.is_authenticated:
        return User.objects.none()
    led = _engagements_where(user, (ParticipantRole.COACH,)).filter(DEVELOPMENT)
    return User.objects.filter(
        participations__engagement__in=led, participations__role=ParticipantRole.COACHEE
    ).distinct()


def coaches_followed_by(user: AnyUser) -> QuerySet[User]:
    """Whose development page (profile ratings, responsiveness, feedback results, growth plan)
    the user may open: their own, the coaches they lead, and, for programme administrators, the
    coaches of the programmes they manage (within their tenancy)."""
    if not user.is_authenticated:
        return User.objects.none()
    managed = programmes_managed_by(user)
    coaching_there = Exists(
        Participant.objects.filter(
            user=OuterRef("pk"), role=ParticipantRole.COACH, engagement__programme__in=managed
        )
    )
    listed = Exists(
        Programme.coaches.through.objects.filter(user=OuterRef("pk"), programme__in=managed)
    )
    return User.objects.filter(
        Q(pk=user.pk) | Q(pk__in=coaches_led_by(user).values("pk")) | Q(coaching_there) | Q(listed)
    )


def feedback_rounds_visible_to(user: AnyUser) -> QuerySet[FeedbackRound]:
    """A round's existence and response rate: the coach it is about, their leads, and the
    programme's administrators. Its results go through the anonymity engine (surveys.engine)."""
    if not user.is_authenticated:
        return FeedbackRound.objects.none()
    return FeedbackRound.objects.filter(
        _under(_paths(user), "organisation__path")
        & (
            Q(coach=user)
            | Q(coach__in=coaches_led_by(user))
            | Q(programme__in=programmes_managed_by(user))
        )
    )


def feedback_replies_visible_to(user: AnyUser) -> QuerySet[FeedbackReply]:
    """The coach's reply reaches whoever sees the round, and the coachees the coach works with
    in the programme, who gave the feedback."""
    if not user.is_authenticated:
        return FeedbackReply.objects.none()
    coached_by = Exists(
        Participant.objects.filter(
            engagement__programme=OuterRef("round__programme"),
            engagement__participants__user=OuterRef("round__coach"),
            engagement__participants__role=ParticipantRole.COACH,
            user=user,
            role=ParticipantRole.COACHEE,
        )
        # the coachee's engagement lies in their own organisations (a school below the
        # programme's district): the round's organisation is the programme's, above them
        .filter(_under(_paths(user), "engagement__organisation__path"))
    )
    return FeedbackReply.objects.filter(
        Q(round__in=feedback_rounds_visible_to(user)) | Q(coached_by)
    )


# --- Object checks, derived from the querysets above --------------------------------------------

_RULES: dict[tuple[type[Model], Action], Callable[[AnyUser], QuerySet[Any]]] = {
    (Organisation, Action.VIEW): organisations_visible_to,
    (Organisation, Action.MANAGE): organisations_administered_by,
    (Organisation, Action.IMPORT_ROSTER): organisations_administered_by,
    (Organisation, Action.VIEW_AUDIT): organisations_administered_by,
    (User, Action.VIEW): people_visible_to,
    (User, Action.MANAGE): people_managed_by,
    (Membership, Action.VIEW): memberships_visible_to,
    (Membership, Action.MANAGE): memberships_managed_by,
    (Engagement, Action.VIEW): engagements_visible_to,
    (Note, Action.VIEW): notes_visible_to,
    (AuditEvent, Action.VIEW): audit_events_visible_to,
}


ALL_ROLES = tuple(ParticipantRole.values)

_RULES.update(
    {
        # coaches and coachees write the team's content: notes, forms, meetings, resources
        (Engagement, Action.ADD_NOTE): lambda user: _engagements_where(user, TEAM_ROLES),
        (Engagement, Action.MANAGE): engagements_managed_by,
        (Engagement, Action.WORK): lambda user: _engagements_where(user, ALL_ROLES),
        (Engagement, Action.EDIT_PLAN): lambda user: _engagements_where(user, TEAM_ROLES),
        (Engagement, Action.APPROVE_PLAN): lambda user: _engagements_where(user, SPONSOR_ROLES),
        (Engagement, Action.COACH): lambda user: _engagements_where(user, (ParticipantRole.COACH,)),
        (Engagement, Action.SUBMIT_PORTFOLIO): lambda user: _engagements_where(
            user, (ParticipantRole.COACHEE,)
        ),
        (Programme, Action.VIEW): programmes_visible_to,
        (Programme, Action.MANAGE): programmes_managed_by,
        (Programme, Action.CREATE_ENGAGEMENT): programmes_managed_by,
        (Playbook, Action.VIEW): playbooks_visible_to,
        (Playbook, Action.MANAGE): playbooks_managed_by,
        (FormResponse, Action.VIEW): form_responses_visible_to,
        (Resource, Action.VIEW): resources_visible_to,
        (Plan, Action.VIEW): plans_visible_to,
        (RubricScore, Action.VIEW): scores_visible_to,
        (PortfolioEntry, Action.VIEW): portfolio_entries_visible_to,
        (Meeting, Action.VIEW): meetings_visible_to,
        (FeedbackCollection, Action.VIEW): feedback_collections_visible_to,
        (StepProgress, Action.VIEW): steps_visible_to,
        (ActionStep, Action.VIEW): action_steps_visible_to,
        (Observation, Action.VIEW): observations_visible_to,
        (PracticeAttempt, Action.VIEW): practice_attempts_visible_to,
        (Cycle, Action.VIEW): cycles_visible_to,
        (LibraryCategory, Action.VIEW): library_visible_to,
        (LibraryCategory, Action.MANAGE): library_managed_by,
        (LibraryStep, Action.VIEW): library_steps_visible_to,
        (FollowUp, Action.VIEW): follow_ups_visible_to,
        (Goal, Action.VIEW): goals_visible_to,
        (EffectivenessRating, Action.VIEW): effectiveness_ratings_visible_to,
        (Assignment, Action.VIEW): assignments_visible_to,
        (Assignment, Action.MANAGE): assignments_managed_by,
        (AssignmentCompletion, Action.VIEW): assignment_completions_visible_to,
        (Notification, Action.VIEW): notifications_of,
        (Instrument, Action.VIEW): instruments_visible_to,
        (Instrument, Action.MANAGE): instruments_managed_by,
        (Administration, Action.VIEW): administrations_visible_to,
        (Administration, Action.MANAGE): administrations_managed_by,
        (Engagement, Action.SURVEY): engagements_surveyed_by,
        (ImprovementPlan, Action.VIEW): improvement_plans_visible_to,
        (ImprovementPlan, Action.MANAGE): improvement_plans_managed_by,
        (TargetArea, Action.VIEW): target_areas_visible_to,
        (SchoolActionStep, Action.VIEW): school_action_steps_visible_to,
        (CheckIn, Action.VIEW): check_ins_visible_to,
        (Thread, Action.VIEW): threads_visible_to,
        (Message, Action.VIEW): messages_visible_to,
        (Contact, Action.VIEW): contacts_visible_to,
        (Question, Action.VIEW): questions_visible_to,
        (User, Action.FOLLOW_COACH): coaches_followed_by,
        (FeedbackRound, Action.VIEW): feedback_rounds_visible_to,
        (FeedbackReply, Action.VIEW): feedback_replies_visible_to,
    }
)


def visible[M: Model](user: AnyUser, model: type[M], action: Action = Action.VIEW) -> QuerySet[M]:
    """The rows of `model` the user may see (or act on, for another action)."""
    return _RULES[(model, action)](user)


def allowed(user: AnyUser, action: Action, obj: Model) -> bool:
    rule = _RULES.get((type(obj), action))
    if rule is None:
        raise LookupError(f"No policy rule for {action} on {type(obj).__name__}.")
    return rule(user).filter(pk=obj.pk).exists()


def get_visible_or_404[M: Model](user: AnyUser, model: type[M], pk: Any, **filters: Any) -> M:
    """The row if the user may see it; otherwise 404, the same answer as for a missing id."""
    try:
        return visible(user, model).filter(**filters).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None


def require(user: AnyUser, action: Action, obj: Model) -> None:
    """403 when the user may see `obj` but not do `action` to it (call after the 404 check)."""
    if not allowed(user, action, obj):
        raise PermissionDenied


# --- Sign-in requirements -----------------------------------------------------------------------


def second_factor_required(user: AnyUser) -> bool:
    """Administrators, coaches and sponsors (school leaders, district representatives) must use
    a second factor; so must everyone in an organisation that requires it of all."""
    if not user.is_authenticated:
        return False
    required_roles = set(settings.COACHLOOP_MFA_REQUIRED_ROLES)
    if roles_of(user) & required_roles:
        return True
    if Participant.objects.filter(user=user, role__in=SPONSOR_ROLES).exists():
        return True
    strict = Organisation.objects.filter(require_mfa_for_all=True, is_active=True)
    paths = list(strict.values_list("path", flat=True))
    if not paths:
        return False
    return Membership.objects.filter(
        Q(user=user, is_active=True) & _under(tuple(paths), "organisation__path")
    ).exists()
