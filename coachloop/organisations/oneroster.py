"""OneRoster 1.1 CSV import of organisations, staff and their roles.

Reads orgs.csv and users.csv (the role is users.csv's `role` column, as in OneRoster 1.1), and an
optional roles.csv (OneRoster 1.2's separate role rows) for people with roles in several
organisations. A `metadata.coachloop.role` column in users.csv may name Coachloop roles directly
(for coaches and programme administrators, whom OneRoster has no word for).

Everything is checked before anything is written. Any problem yields a report naming the file, the
line and the problem, and nothing is applied. A second import of the same files changes nothing.
The rules are written out for administrators in docs/oneroster.md.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role
from coachloop.organisations.services import parent_problem

ORGS, USERS, ROLES = "orgs.csv", "users.csv", "roles.csv"
REQUIRED_COLUMNS = {
    ORGS: ("sourcedId", "name", "type", "parentSourcedId"),
    USERS: ("sourcedId", "orgSourcedIds", "role", "givenName", "familyName", "email"),
    ROLES: ("userSourcedId", "orgSourcedId", "role"),
}
ORG_TYPES = {
    "national": OrganisationKind.PROVIDER,
    "state": OrganisationKind.PROVIDER,
    "local": OrganisationKind.DISTRICT,
    "district": OrganisationKind.DISTRICT,
    "school": OrganisationKind.SCHOOL,
}
# OneRoster roles that are not staff (students, families) are not Coachloop users.
NOT_STAFF = {"student", "parent", "guardian", "relative"}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1 is the header row; 0 means the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    organisations: Counts = field(default_factory=Counts)
    people: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    skipped_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return any(
            c.created or c.updated for c in (self.organisations, self.people, self.memberships)
        )

    def as_dict(self) -> dict[str, Any]:
        counts = {
            name: vars(getattr(self, name)) for name in ("organisations", "people", "memberships")
        }
        return {
            **counts,
            "skipped_rows": self.skipped_rows,
            "problems": [vars(p) for p in self.problems],
        }


class RosterFiles(dict[str, bytes]):
    """The uploaded files by name (orgs.csv, users.csv, roles.csv)."""

    @classmethod
    def from_zip(cls, data: bytes) -> RosterFiles:
        files = cls()
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            for info in bundle.infolist():
                name = info.filename.rsplit("/", 1)[-1].lower()
                if name in REQUIRED_COLUMNS:
                    if info.file_size > settings.COACHLOOP_MAX_UPLOAD_BYTES:
                        raise ValueError(_("%(name)s in the zip is too large.") % {"name": name})
                    files[name] = bundle.read(info)
        return files


# --- Parsing ------------------------------------------------------------------------------------


def _rows(name: str, data: bytes, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line number, row); problems for encoding and missing columns."""
    if b"\x00" in data[:4096]:
        problems.append(Problem(name, 0, _("This is not a CSV text file.")))
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.append(
            Problem(name, line, _("The file is not UTF-8 text. Save it as CSV UTF-8 and retry."))
        )
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    if missing:
        problems.append(
            Problem(name, 1, _("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)})
        )
        return []
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            extra = row.pop(None, None)
            if extra:
                problems.append(Problem(name, reader.line_num, _("More values than columns.")))
            rows.append(
                (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None})
            )
    except csv.Error as err:
        problems.append(Problem(name, reader.line_num, _("Unreadable CSV: %(err)s") % {"err": err}))
    return rows


@dataclass
class _OrgRow:
    line: int
    sourced_id: str
    name: str
    kind: str
    parent: str
    identifier: str
    active: bool


@dataclass
class _Role:
    file: str
    line: int
    org: str
    role: str
    active: bool


@dataclass
class _UserRow:
    line: int
    sourced_id: str
    email: str
    given_name: str
    family_name: str
    active: bool
    roles: list[_Role] = field(default_factory=list)


def _coachloop_roles(
    raw_role: str, override: str, org_kind: str | None
) -> tuple[list[str], str | None]:
    """Map a OneRoster role (or the metadata override) to Coachloop roles; error text or None."""
    if override:
        roles = [r.strip() for r in override.split(",") if r.strip()]
        bad = [r for r in roles if r not in Role.values]
        if bad:
            return [], _(
                "Unknown Coachloop role %(bad)s in metadata.coachloop.role; use %(ok)s."
            ) % {
                "bad": ", ".join(bad),
                "ok": ", ".join(Role.values),
            }
        return roles, None
    role = raw_role.lower()
    if role == "teacher":
        return [Role.TEACHER], None
    if role in {"aide", "proctor"}:
        return [Role.STAFF], None
    if role == "administrator":
        if org_kind == OrganisationKind.SCHOOL:
            return [Role.SCHOOL_LEADER], None
        return [Role.DISTRICT_REP], None
    return [], _(
        "Unknown role %(role)s; OneRoster staff roles are teacher, aide, proctor and administrator."
    ) % {"role": raw_role or "(empty)"}


def _truthy(value: str, default: bool = True) -> bool:
    return default if value == "" else value.lower() in {"true", "1", "yes"}


class _Plan:
    """Everything the files ask for, checked against each other and the existing tree."""

    def __init__(self, root: Organisation, files: RosterFiles) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.skipped = 0
        for required in (ORGS, USERS):
            if required not in files:
                self.problems.append(Problem(required, 0, _("This file is required.")))
        self.existing_orgs: dict[str, Organisation] = {
            str(o.sourced_id): o
            for o in Organisation.objects.filter(path__startswith=root.path).exclude(
                sourced_id=None
            )
        }
        self.orgs: dict[str, _OrgRow] = {}
        self.root_sid: str | None = root.sourced_id
        self.users: dict[str, _UserRow] = {}
        if ORGS in files:
            self._read_orgs(_rows(ORGS, files[ORGS], self.problems))
        if USERS in files:
            self._read_users(_rows(USERS, files[USERS], self.problems))
        if ROLES in files:
            self._read_roles(_rows(ROLES, files[ROLES], self.problems))

    def problem(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def org_kind(self, sourced_id: str) -> str | None:
        if sourced_id in self.orgs:
            return self.orgs[sourced_id].kind
        if sourced_id in self.existing_orgs:
            return self.existing_orgs[sourced_id].kind
        return None

    def _read_orgs(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        for line, row in rows:
            sid = row["sourcedId"]
            if not sid:
                self.problem(ORGS, line, _("sourcedId is empty."))
                continue
            if sid in self.orgs:
                self.problem(
                    ORGS,
                    line,
                    _("Duplicate sourcedId %(id)s (first on line %(first)s).")
                    % {"id": sid, "first": self.orgs[sid].line},
                )
                continue
            kind = ORG_TYPES.get(row["type"].lower())
            if kind is None:
                self.problem(
                    ORGS,
                    line,
                    _("Unknown type %(type)s; use district, school, local, state or national.")
                    % {"type": row["type"] or "(empty)"},
                )
                continue
            if not row["name"]:
                self.problem(ORGS, line, _("name is empty."))
                continue
            self.orgs[sid] = _OrgRow(
                line=line,
                sourced_id=sid,
                name=row["name"][:200],
                kind=kind,
                parent=row["parentSourcedId"],
                identifier=row.get("identifier", ""),
                active=row.get("status", "").lower() != "tobedeleted",
            )
        if self.root_sid is None:
            # The import's own organisation, not yet linked to the roster: the one top-level row
            # of the same kind is taken to be it.
            tops = [o for o in self.orgs.values() if not o.parent and o.kind == self.root.kind]
            if len(tops) == 1:
                self.root_sid = tops[0].sourced_id
        for org in self.orgs.values():
            self._check_parent(org)

    def _check_parent(self, org: _OrgRow) -> None:
        if org.sourced_id == self.root_sid:
            return  # the root itself: its place in the tree does not change
        if not org.parent:
            parent_kind: str = self.root.kind
        elif org.parent in self.orgs or org.parent in self.existing_orgs:
            parent_kind = self.org_kind(org.parent) or ""
        else:
            self.problem(
                ORGS,
                org.line,
                _("Unknown parent organisation %(id)s: it is neither in orgs.csv nor in %(root)s.")
                % {"id": org.parent, "root": self.root},
            )
            return
        if problem := parent_problem(kind=org.kind, parent_kind=parent_kind):
            self.problem(ORGS, org.line, problem)
            return
        seen, current = {org.sourced_id}, org.parent
        while current in self.orgs:
            if current in seen:
                self.problem(ORGS, org.line, _("The parent chain of this organisation loops."))
                return
            seen.add(current)
            current = self.orgs[current].parent

    def _read_users(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        emails: dict[str, int] = {}
        for line, row in rows:
            sid, email = row["sourcedId"], row["email"].lower()
            if row["role"].lower() in NOT_STAFF:
                self.skipped += 1
                continue
            if not sid:
                self.problem(USERS, line, _("sourcedId is empty."))
                continue
            if sid in self.users:
                self.problem(
                    USERS,
                    line,
                    _("Duplicate sourcedId %(id)s (first on line %(first)s).")
                    % {"id": sid, "first": self.users[sid].line},
                )
                continue
            try:
                validate_email(email)
            except Exception:
                self.problem(
                    USERS,
                    line,
                    _("Email %(email)s is not a valid address; staff sign in with it.")
                    % {"email": row["email"] or "(empty)"},
                )
                continue
            if email in emails:
                self.problem(
                    USERS,
                    line,
                    _("Email %(email)s is also on line %(first)s.")
                    % {"email": email, "first": emails[email]},
                )
                continue
            emails[email] = line
            user = _UserRow(
                line=line,
                sourced_id=sid,
                email=email,
                given_name=row["givenName"][:150],
                family_name=row["familyName"][:150],
                active=_truthy(row.get("enabledUser", ""))
                and row.get("status", "").lower() != "tobedeleted",
            )
            org_ids = [o.strip() for o in row["orgSourcedIds"].split(",") if o.strip()]
            if not org_ids:
                self.problem(USERS, line, _("orgSourcedIds is empty."))
                continue
            for org_id in org_ids:
                self._add_role(
                    user,
                    USERS,
                    line,
                    org_id,
                    row["role"],
                    row.get("metadata.coachloop.role", ""),
                    user.active,
                )
            self.users[sid] = user

    def _add_role(
        self,
        user: _UserRow,
        file: str,
        line: int,
        org_id: str,
        raw: str,
        override: str,
        active: bool,
    ) -> None:
        kind = self.org_kind(org_id)
        if kind is None:
            self.problem(
                file,
                line,
                _("Unknown organisation %(id)s: it is neither in orgs.csv nor in %(root)s.")
                % {"id": org_id, "root": self.root},
            )
            return
        roles, error = _coachloop_roles(raw, override, kind)
        if error:
            self.problem(file, line, error)
            return
        user.roles.extend(_Role(file, line, org_id, r, active) for r in roles)

    def _read_roles(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        for line, row in rows:
            user = self.users.get(row["userSourcedId"])
            if user is None:
                self.problem(
                    ROLES,
                    line,
                    _("Unknown userSourcedId %(id)s: it is not in users.csv.")
                    % {"id": row["userSourcedId"] or "(empty)"},
                )
                continue
            if row["role"].lower() in NOT_STAFF:
                self.skipped += 1
                continue
            active = user.active and row.get("status", "").lower() != "tobedeleted"
            self._add_role(
                user,
                ROLES,
                line,
                row["orgSourcedId"],
                row["role"],
                row.get("metadata.coachloop.role", ""),
                active,
            )


# --- Applying -----------------------------------------------------------------------------------


class _Abort(Exception):
    """A problem only the database could reveal; the import's transaction is rolled back."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def roster_import(*, actor: User, root: Organisation, files: RosterFiles) -> ImportReport:
    """Check the files against each other and the tree under `root`; apply them only if every row
    is sound, in one transaction."""
    policy.require(actor, Action.IMPORT_ROSTER, root)
    plan = _Plan(root, files)
    report = ImportReport(problems=plan.problems, skipped_rows=plan.skipped)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            orgs = _apply_orgs(plan, report)
            people = _apply_people(plan, report)
            _apply_memberships(plan, report, orgs, people)
            audit.record(
                actor=actor,
                action="roster.import",
                target=root,
                data={k: v for k, v in report.as_dict().items() if k != "problems"},
            )
    except _Abort as abort:
        return ImportReport(problems=[abort.problem], skipped_rows=plan.skipped)
    policy.forget(actor)
    return report


def _apply_orgs(plan: _Plan, report: ImportReport) -> dict[str, Organisation]:
    known = dict(plan.existing_orgs)
    if plan.root_sid:
        if plan.root.sourced_id != plan.root_sid:
            plan.root.sourced_id = plan.root_sid
            plan.root.save(update_fields=["sourced_id", "updated_at"])
        known[plan.root_sid] = plan.root
    pending = list(plan.orgs.values())
    while pending:  # parents before children; _check_parent ruled out loops
        ready = [
            o for o in pending if not o.parent or o.parent in known or o.sourced_id == plan.root_sid
        ]
        for row in ready:
            parent = known.get(row.parent, plan.root) if row.parent else plan.root
            org = known.get(row.sourced_id)
            if org is None:
                org = Organisation.objects.create(
                    name=row.name,
                    kind=row.kind,
                    parent=parent,
                    sourced_id=row.sourced_id,
                    identifier=row.identifier,
                    is_active=row.active,
                )
                report.organisations.created += 1
            else:
                wanted = {"name": row.name, "identifier": row.identifier, "is_active": row.active}
                if org.pk != plan.root.pk:
                    wanted |= {"kind": row.kind, "parent_id": parent.pk}
                changed = [k for k, v in wanted.items() if getattr(org, k) != v]
                if changed:
                    for k in changed:
                        setattr(org, k, wanted[k])
                    org.save()
                    report.organisations.updated += 1
                else:
                    report.organisations.unchanged += 1
            known[row.sourced_id] = org
        pending = [o for o in pending if o not in ready]
    return known


def _apply_people(plan: _Plan, report: ImportReport) -> dict[str, User]:
    by_email = {
        u.email: u for u in User.objects.filter(email__in=[r.email for r in plan.users.values()])
    }
    by_external: dict[str, User] = {}
    linked = Membership.objects.filter(
        organisation__path__startswith=plan.root.path, external_id__in=list(plan.users)
    ).select_related("user")
    for m in linked:
        by_external.setdefault(m.external_id or "", m.user)
    people: dict[str, User] = {}
    for row in plan.users.values():
        person = by_external.get(row.sourced_id) or by_email.get(row.email)
        if person is None:
            person = User(email=row.email, given_name=row.given_name, family_name=row.family_name)
            person.set_unusable_password()
            person.save()
            report.people.created += 1
        else:
            wanted = {
                "email": row.email,
                "given_name": row.given_name,
                "family_name": row.family_name,
            }
            changed = [k for k, v in wanted.items() if getattr(person, k) != v]
            if (
                "email" in changed
                and User.objects.filter(email=row.email).exclude(pk=person.pk).exists()
            ):
                raise _Abort(
                    Problem(
                        USERS,
                        row.line,
                        _("Email %(email)s already belongs to another person in Coachloop.")
                        % {"email": row.email},
                    )
                )
            if changed:
                for k in changed:
                    setattr(person, k, wanted[k])
                person.save(update_fields=[*changed, "updated_at"])
                report.people.updated += 1
            else:
                report.people.unchanged += 1
        people[row.sourced_id] = person
    return people


def _apply_memberships(
    plan: _Plan, report: ImportReport, orgs: dict[str, Organisation], people: dict[str, User]
) -> None:
    existing: dict[tuple[int, int, str], Membership] = {
        (m.user_id, m.organisation_id, m.role): m
        for m in Membership.objects.filter(user__in=list(people.values()))
    }
    wanted: dict[tuple[int, int, str], bool] = defaultdict(bool)
    external: dict[tuple[int, int, str], str] = {}
    for sid, row in plan.users.items():
        for role in row.roles:
            key = (people[sid].pk, orgs[role.org].pk, role.role)
            wanted[key] = wanted[key] or role.active
            external[key] = sid
    for key, active in wanted.items():
        m = existing.get(key)
        if m is None:
            Membership.objects.create(
                user_id=key[0],
                organisation_id=key[1],
                role=key[2],
                is_active=active,
                source=Membership.Source.ONEROSTER,
                external_id=external[key],
            )
            report.memberships.created += 1
        elif m.is_active != active or m.external_id != external[key]:
            m.is_active, m.external_id = active, external[key]
            m.save(update_fields=["is_active", "external_id", "updated_at"])
            report.memberships.updated += 1
        else:
            report.memberships.unchanged += 1
