"""Input and output shapes of the API."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from coachloop.api.engagement_schemas import ParticipantOut


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]] = []


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    identifier: str
    sourced_id: str | None
    is_active: bool


class MembershipOut(Schema):
    id: int
    user_id: int
    organisation_id: int
    organisation_name: str = Field(alias="organisation.name")
    role: str
    is_active: bool
    source: str


class PersonOut(Schema):
    id: int
    email: str
    given_name: str
    family_name: str
    is_active: bool


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut]


class MeOut(PersonOut):
    roles: list[str]
    memberships: list[MembershipOut]
    second_factor_required: bool


class PersonIn(Schema):
    email: str = Field(max_length=254)
    given_name: str = Field(min_length=1, max_length=150)
    family_name: str = Field(min_length=1, max_length=150)
    organisation_id: int
    role: str


class PersonPatch(Schema):
    email: str | None = Field(default=None, max_length=254)
    given_name: str | None = Field(default=None, min_length=1, max_length=150)
    family_name: str | None = Field(default=None, min_length=1, max_length=150)
    is_active: bool | None = None


class MembershipIn(Schema):
    user_id: int
    organisation_id: int
    role: str


class EngagementOut(Schema):
    id: int
    title: str
    organisation_id: int
    programme_id: int
    starts_on: str
    ends_on: str | None
    status: str
    current_phase: str
    playbook_version: int | None = Field(description="The playbook version it runs.")
    steps_done: int | None = Field(None, description="Steps done or not needed.")
    steps_total: int | None = None
    steps_overdue: int | None = None
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_starts_on(obj: object) -> str:
        return obj.starts_on.isoformat()  # type: ignore[attr-defined]

    @staticmethod
    def resolve_ends_on(obj: object) -> str | None:
        ends = obj.ends_on  # type: ignore[attr-defined]
        return ends.isoformat() if ends else None

    @staticmethod
    def resolve_playbook_version(obj: object) -> int | None:
        return getattr(obj, "playbook_version_number", None)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    read_only: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
