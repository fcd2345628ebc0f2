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
from coachloop.engagements.models import (
    SPONSOR_ROLES,
    TEAM_ROLES,
    Engagement,
    Note,
    Participant,
    Programme,
)
from coachloop.organisations.models import Membership, Organisation, Role

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
    ADD_NOTE = "add_note"


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


def audit_events_visible_to(user: AnyUser) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(_under(_paths(user, admin=True), "organisation__path"))


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


def _add_note_rule(user: AnyUser) -> QuerySet[Engagement]:
    """Coaches and coachees of an engagement write its notes."""
    if not user.is_authenticated:
        return Engagement.objects.none()
    return engagements_visible_to(user).filter(
        participants__user=user, participants__role__in=TEAM_ROLES
    )


_RULES[(Engagement, Action.ADD_NOTE)] = _add_note_rule


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
