"""OneRoster 1.1 CSV import: good files, a second import that changes nothing, and bad files
that are reported by file and line with nothing applied."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from coachloop.access.models import AuditEvent
from coachloop.accounts.models import User
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role
from coachloop.organisations.oneroster import RosterFiles, roster_import
from coachloop.testing.factories import MembershipFactory, OrganisationFactory, UserFactory

ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,active,2026-09-01,Riverbend Unified,district,RUSD,
s1,active,2026-09-01,Oak Elementary,school,S001,d1
s2,active,2026-09-01,Elm Middle,school,S002,d1
"""
USERS = """sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.coachloop.role
u1,active,2026-09-01,true,s1,teacher,tom,,Tom,Teach,,,tom@rusd.test,,,,,,
u2,active,2026-09-01,true,s1,administrator,lena,,Lena,Lead,,,lena@rusd.test,,,,,,
u3,active,2026-09-01,true,d1,administrator,dan,,Dan,Rep,,,dan@rusd.test,,,,,,
u4,active,2026-09-01,true,"s1,s2",teacher,cora,,Cora,Coach,,,cora@rusd.test,,,,,,coach
u5,active,2026-09-01,true,s2,student,kid,,Kim,Kid,,,,,,,,,
"""
ROLES = """sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId
r1,active,2026-09-01,u1,secondary,aide,,,s2
"""


def files(orgs=ORGS, users=USERS, roles=None) -> RosterFiles:
    result = RosterFiles({"orgs.csv": orgs.encode(), "users.csv": users.encode()})
    if roles is not None:
        result["roles.csv"] = roles.encode()
    return result


@pytest.fixture
def provider(db):
    return OrganisationFactory(name="Northstar", kind=OrganisationKind.PROVIDER)


@pytest.fixture
def admin(provider):
    user = UserFactory(email="admin@northstar.test")
    MembershipFactory(user=user, organisation=provider, role=Role.PROGRAMME_ADMIN)
    return user


def test_a_good_roster_creates_organisations_people_and_roles(admin, provider):
    report = roster_import(actor=admin, root=provider, files=files(roles=ROLES))
    assert report.ok, report.problems
    assert (report.organisations.created, report.people.created) == (3, 4)
    oak = Organisation.objects.get(sourced_id="s1")
    assert oak.parent.sourced_id == "d1"
    assert oak.parent.parent == provider
    roles = {
        (m.user.email, m.organisation.sourced_id, m.role)
        for m in Membership.objects.exclude(user=admin).select_related("user", "organisation")
    }
    assert roles == {
        ("tom@rusd.test", "s1", Role.TEACHER),
        ("tom@rusd.test", "s2", Role.STAFF),  # from roles.csv
        ("lena@rusd.test", "s1", Role.SCHOOL_LEADER),  # administrator at a school
        ("dan@rusd.test", "d1", Role.DISTRICT_REP),  # administrator at a district
        ("cora@rusd.test", "s1", Role.COACH),  # metadata.coachloop.role
        ("cora@rusd.test", "s2", Role.COACH),
    }
    assert report.skipped_rows == 1  # the student
    assert AuditEvent.objects.filter(action="roster.import").count() == 1


def test_a_second_import_of_the_same_files_changes_nothing(admin, provider):
    roster_import(actor=admin, root=provider, files=files(roles=ROLES))
    before = list(Membership.objects.values_list("pk", "updated_at"))
    report = roster_import(actor=admin, root=provider, files=files(roles=ROLES))
    assert report.ok
    assert not report.changed
    assert report.organisations.unchanged == 3
    assert report.people.unchanged == 4
    assert list(Membership.objects.values_list("pk", "updated_at")) == before


def test_a_changed_row_updates_in_place(admin, provider):
    roster_import(actor=admin, root=provider, files=files())
    changed = USERS.replace("Tom,Teach", "Thomas,Teach").replace(
        "u2,active,2026-09-01,true", "u2,active,2026-09-01,false"
    )
    report = roster_import(actor=admin, root=provider, files=files(users=changed))
    assert report.people.updated == 1
    assert report.memberships.updated == 1
    assert User.objects.get(email="tom@rusd.test").given_name == "Thomas"
    assert not Membership.objects.get(user__email="lena@rusd.test").is_active


def test_importing_into_the_district_itself_links_it_to_its_roster_row(admin, provider):
    district = OrganisationFactory(
        name="Riverbend", kind=OrganisationKind.DISTRICT, parent=provider
    )
    report = roster_import(actor=admin, root=district, files=files())
    assert report.ok, report.problems
    district.refresh_from_db()
    assert district.sourced_id == "d1"
    assert district.name == "Riverbend Unified"
    assert Organisation.objects.filter(kind=OrganisationKind.DISTRICT).count() == 1


BAD_CASES = [
    (
        "wrong columns",
        files(orgs="id,name\nd1,Riverbend\n"),
        "orgs.csv",
        1,
        "Missing column(s): sourcedId, type, parentSourcedId",
    ),
    (
        "duplicate org id",
        files(orgs=ORGS + "s1,active,,Oak again,school,,d1\n"),
        "orgs.csv",
        5,
        "Duplicate sourcedId s1",
    ),
    (
        "unknown parent",
        files(orgs=ORGS + "s9,active,,Lost,school,,nowhere\n"),
        "orgs.csv",
        5,
        "Unknown parent organisation nowhere",
    ),
    (
        "school over district",
        files(orgs=ORGS + "d9,active,,Odd,district,,s1\n"),
        "orgs.csv",
        5,
        "A district cannot sit under a school",
    ),
    (
        "unknown type",
        files(orgs=ORGS + "x1,active,,Dept,department,,d1\n"),
        "orgs.csv",
        5,
        "Unknown type department",
    ),
    (
        "duplicate user id",
        files(users=USERS + "u1,active,,true,s1,teacher,,,T,T,,,t2@rusd.test,,,,,,\n"),
        "users.csv",
        7,
        "Duplicate sourcedId u1",
    ),
    (
        "duplicate email",
        files(users=USERS + "u9,active,,true,s1,teacher,,,T,T,,,tom@rusd.test,,,,,,\n"),
        "users.csv",
        7,
        "Email tom@rusd.test is also on line 2",
    ),
    (
        "bad email",
        files(users=USERS + "u9,active,,true,s1,teacher,,,T,T,,,not-an-email,,,,,,\n"),
        "users.csv",
        7,
        "not a valid address",
    ),
    (
        "unknown org of user",
        files(users=USERS + "u9,active,,true,s7,teacher,,,T,T,,,t9@rusd.test,,,,,,\n"),
        "users.csv",
        7,
        "Unknown organisation s7",
    ),
    (
        "unknown role",
        files(users=USERS + "u9,active,,true,s1,janitor,,,T,T,,,t9@rusd.test,,,,,,\n"),
        "users.csv",
        7,
        "Unknown role janitor",
    ),
    (
        "bad coachloop role",
        files(users=USERS + "u9,active,,true,s1,teacher,,,T,T,,,t9@rusd.test,,,,,,wizard\n"),
        "users.csv",
        7,
        "Unknown Coachloop role wizard",
    ),
    (
        "roles for unknown user",
        files(roles=ROLES + "r2,active,,u77,primary,teacher,,,s1\n"),
        "roles.csv",
        3,
        "Unknown userSourcedId u77",
    ),
    (
        "bad encoding",
        RosterFiles(
            {
                "orgs.csv": ORGS.encode(),
                "users.csv": USERS.encode("utf-8")
                + "u9,active,,true,s1,teacher,,,Zoë,T,,,z@rusd.test,,,,,,\n".encode("latin-1"),
            }
        ),
        "users.csv",
        7,
        "not UTF-8",
    ),
    (
        "binary file",
        RosterFiles({"orgs.csv": b"\x89PNG\x00\x00", "users.csv": USERS.encode()}),
        "orgs.csv",
        0,
        "not a CSV text file",
    ),
    ("missing users.csv", RosterFiles({"orgs.csv": ORGS.encode()}), "users.csv", 0, "required"),
]


@pytest.mark.parametrize(
    ("case", "roster", "file", "line", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
def test_a_bad_roster_is_reported_by_file_and_line_and_nothing_is_applied(
    admin, provider, case, roster, file, line, message
):
    orgs_before, people_before = Organisation.objects.count(), User.objects.count()
    report = roster_import(actor=admin, root=provider, files=roster)
    assert not report.ok
    assert any(
        p.file == file and p.line == line and message in p.message for p in report.problems
    ), [str(p) for p in report.problems]
    assert Organisation.objects.count() == orgs_before
    assert User.objects.count() == people_before
    assert not AuditEvent.objects.filter(action="roster.import").exists()


def test_a_zip_bundle_is_read(admin, provider):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("export/orgs.csv", ORGS)
        bundle.writestr("export/users.csv", USERS)
    report = roster_import(
        actor=admin, root=provider, files=RosterFiles.from_zip(buffer.getvalue())
    )
    assert report.ok
    assert report.people.created == 4


def test_only_an_administrator_of_the_organisation_may_import(admin, provider):
    from django.core.exceptions import PermissionDenied

    teacher = UserFactory()
    MembershipFactory(user=teacher, organisation=provider, role=Role.TEACHER)
    with pytest.raises(PermissionDenied):
        roster_import(actor=teacher, root=provider, files=files())
    assert not Organisation.objects.filter(sourced_id="d1").exists()


names = st.text(
    alphabet=st.characters(categories=["L"], max_codepoint=0x24F), min_size=1, max_size=12
)


class ImportProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        schools=st.lists(names, min_size=1, max_size=5),
        people=st.lists(
            st.tuples(
                names,
                names,
                st.sampled_from(["teacher", "aide", "administrator"]),
                st.integers(0, 4),
            ),
            min_size=1,
            max_size=12,
        ),
    )
    def test_any_valid_roster_imports_once_and_then_changes_nothing(self, schools, people):
        provider = OrganisationFactory(kind=OrganisationKind.PROVIDER)
        admin = UserFactory()
        MembershipFactory(user=admin, organisation=provider, role=Role.PROGRAMME_ADMIN)
        orgs = "sourcedId,name,type,parentSourcedId\nd,District,district,\n" + "".join(
            f's{i},"{name}",school,d\n' for i, name in enumerate(schools)
        )
        users = "sourcedId,enabledUser,orgSourcedIds,role,givenName,familyName,email\n" + "".join(
            f'u{i},true,s{school % len(schools)},{role},"{given}","{family}",p{i}@x.test\n'
            for i, (given, family, role, school) in enumerate(people)
        )
        roster = RosterFiles({"orgs.csv": orgs.encode(), "users.csv": users.encode()})
        first = roster_import(actor=admin, root=provider, files=roster)
        assert first.ok, first.problems
        assert first.people.created == len(people)
        second = roster_import(actor=admin, root=provider, files=roster)
        assert second.ok
        assert not second.changed


def test_moving_an_organisation_moves_everything_below_it(admin, provider):
    """The tree paths behind tenancy stay true when a roster moves a school to another district."""
    from coachloop.access import policy

    roster_import(actor=admin, root=provider, files=files())
    two_districts = ORGS + "d2,active,,Hillside,district,,\n"
    roster_import(actor=admin, root=provider, files=files(orgs=two_districts))
    teacher = User.objects.get(email="tom@rusd.test")
    oak_moved = two_districts.replace(
        "s1,active,2026-09-01,Oak Elementary,school,S001,d1",
        "s1,active,2026-09-01,Oak Elementary,school,S001,d2",
    )
    report = roster_import(actor=admin, root=provider, files=files(orgs=oak_moved))
    assert report.organisations.updated == 1
    oak, d2 = Organisation.objects.get(sourced_id="s1"), Organisation.objects.get(sourced_id="d2")
    assert oak.path == f"{d2.path}{oak.pk}/"
    hillside_rep = UserFactory()
    MembershipFactory(user=hillside_rep, organisation=d2, role=Role.DISTRICT_REP)
    assert teacher in policy.people_visible_to(hillside_rep)


def test_moving_a_district_moves_its_schools(db):
    a = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    b = OrganisationFactory(kind=OrganisationKind.PROVIDER)
    district = OrganisationFactory(kind=OrganisationKind.DISTRICT, parent=a)
    school = OrganisationFactory(kind=OrganisationKind.SCHOOL, parent=district)
    district.parent = b
    district.save()
    school.refresh_from_db()
    assert school.path == f"{b.path}{district.pk}/{school.pk}/"
    assert school.depth == 2


def test_an_email_that_belongs_to_someone_else_is_reported_not_a_crash(admin, provider):
    roster_import(actor=admin, root=provider, files=files())
    UserFactory(email="taken@rusd.test")
    renamed = USERS.replace("tom@rusd.test", "taken@rusd.test")
    report = roster_import(actor=admin, root=provider, files=files(users=renamed))
    assert not report.ok
    assert report.problems[0].file == "users.csv"
    assert report.problems[0].line == 2
    assert "already belongs to another person" in report.problems[0].message
    assert User.objects.filter(email="tom@rusd.test").exists()
