"""Writes for organisations, people and memberships. Each runs in one transaction, checks the
acting user's rights through the policy, and writes the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.lib.errors import DomainError
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role

ALLOWED_CHILDREN = {
    OrganisationKind.PROVIDER: {OrganisationKind.DISTRICT, OrganisationKind.SCHOOL},
    OrganisationKind.DISTRICT: {OrganisationKind.SCHOOL},
    OrganisationKind.SCHOOL: set(),
}


def parent_problem(*, kind: str, parent_kind: str) -> str | None:
    """Why an organisation of `kind` cannot sit under one of `parent_kind`, or None if it can."""
    if kind in ALLOWED_CHILDREN[OrganisationKind(parent_kind)]:
        return None
    return _("A %(kind)s cannot sit under a %(parent)s.") % {
        "kind": OrganisationKind(kind).label.lower(),
        "parent": OrganisationKind(parent_kind).label.lower(),
    }


def check_parent(*, kind: str, parent: Organisation | None) -> None:
    if parent is not None and (problem := parent_problem(kind=kind, parent_kind=parent.kind)):
        raise DomainError(problem, field="parent")


@transaction.atomic
def organisation_create(
    *, actor: User, name: str, kind: str, parent: Organisation, identifier: str = ""
) -> Organisation:
    policy.require(actor, Action.MANAGE, parent)
    check_parent(kind=kind, parent=parent)
    org = Organisation.objects.create(
        name=name.strip(), kind=kind, parent=parent, identifier=identifier.strip()
    )
    audit.record(actor=actor, action="organisation.create", target=org, data={"name": org.name})
    policy.forget(actor)
    return org


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    identifier: str,
    require_mfa_for_all: bool,
) -> Organisation:
    policy.require(actor, Action.MANAGE, organisation)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {"name": org.name, "require_mfa_for_all": org.require_mfa_for_all}
    org.name, org.identifier = name.strip(), identifier.strip()
    org.require_mfa_for_all = require_mfa_for_all
    org.save(update_fields=["name", "identifier", "require_mfa_for_all", "updated_at"])
    after = {"name": org.name, "require_mfa_for_all": org.require_mfa_for_all}
    audit.record(
        actor=actor,
        action="organisation.update",
        target=org,
        data={"before": before, "after": after},
    )
    return org


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid email address."), field="email") from None
    return email


@transaction.atomic
def person_create(
    *,
    actor: User,
    email: str,
    given_name: str,
    family_name: str,
    organisation: Organisation,
    role: str,
) -> User:
    """Add a person with a first role. If the email is already known, the role is added to that
    person instead of making a second account."""
    policy.require(actor, Action.MANAGE, organisation)
    email = _clean_email(email)
    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        person = User.objects.create_user(
            email=email, given_name=given_name.strip(), family_name=family_name.strip()
        )
        person.set_unusable_password()
        person.save(update_fields=["password"])
        audit.record(actor=actor, action="person.create", target=person, organisation=organisation)
    membership_add(actor=actor, person=person, organisation=organisation, role=role)
    return person


@transaction.atomic
def person_update(
    *, actor: User, person: User, email: str, given_name: str, family_name: str, is_active: bool
) -> User:
    policy.require(actor, Action.MANAGE, person)
    if person.pk == actor.pk and not is_active:
        raise DomainError(_("You cannot deactivate your own account."), field="is_active")
    person = User.objects.select_for_update().get(pk=person.pk)
    email = _clean_email(email)
    if email != person.email and User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("Another person already uses this email address."), field="email")
    changes: dict[str, Any] = {}
    for field, value in (
        ("email", email),
        ("given_name", given_name.strip()),
        ("family_name", family_name.strip()),
        ("is_active", is_active),
    ):
        if getattr(person, field) != value:
            changes[field] = {"before": getattr(person, field), "after": value}
            setattr(person, field, value)
    if changes:
        person.save(update_fields=[*changes, "updated_at"])
        audit.record(actor=actor, action="person.update", target=person, data=changes)
    return person


@transaction.atomic
def membership_add(
    *,
    actor: User,
    person: User,
    organisation: Organisation,
    role: str,
    source: str = Membership.Source.MANUAL,
) -> Membership:
    policy.require(actor, Action.MANAGE, organisation)
    if role not in Role.values:
        raise DomainError(_("Choose a role from the list."), field="role")
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                user=person, organisation=organisation, role=role, defaults={"source": source}
            )
    except IntegrityError:  # a concurrent add of the same role
        membership, created = (
            Membership.objects.get(user=person, organisation=organisation, role=role),
            False,
        )
    if not created and membership.is_active:
        raise DomainError(
            _("%(person)s is already %(role)s in %(org)s.")
            % {"person": person, "role": Role(role).label.lower(), "org": organisation},
            field="role",
        )
    if not created:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor,
        action="membership.add",
        target=membership,
        organisation=organisation,
        data={"person": person.pk, "role": role},
    )
    policy.forget(person)
    return membership


@transaction.atomic
def membership_end(*, actor: User, membership: Membership) -> Membership:
    """End a role (kept, inactive, as the record that it existed)."""
    policy.require(actor, Action.MANAGE, membership)
    if (
        membership.user_id == actor.pk
        and membership.role == Role.PROGRAMME_ADMIN
        and not Membership.objects.filter(
            organisation=membership.organisation, role=Role.PROGRAMME_ADMIN, is_active=True
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise DomainError(
            _("You are the last programme administrator here; add another before leaving.")
        )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=actor,
            action="membership.end",
            target=membership,
            organisation=membership.organisation,
            data={"person": membership.user_id, "role": membership.role},
        )
    policy.forget(membership.user)
    return membership
