"""One shared world of personas, one per role, in two tenants.

Tenant A: provider "North" > district "Riverbend" > schools "Oak" and "Elm".
Tenant B: district "Faraway" > school "Pine" (another customer entirely).
An engagement at Oak, running the built-in "Performance coaching" playbook from 1 September 2026:
coach Cora coaches teacher Tom (the performer), sponsored by leader Lena, followed by district
representative Dan; programme administrator Ada administers its programme. Cora has
written one note at each visibility level.
"""

import datetime
from dataclasses import dataclass

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import (
    Engagement,
    Note,
    ParticipantRole,
    Programme,
    StepProgress,
)
from coachloop.engagements.services import steps_for
from coachloop.organisations.models import Organisation, OrganisationKind, Role
from coachloop.playbooks.models import Playbook
from coachloop.surveys.models import Instrument
from coachloop.testing.factories import (
    EngagementFactory,
    MembershipFactory,
    NoteFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    UserFactory,
)


@dataclass
class World:
    provider: Organisation
    district: Organisation
    oak: Organisation
    elm: Organisation
    faraway: Organisation
    pine: Organisation
    ada: User  # programme administrator, district A
    cora: User  # coach, district A (author of the notes)
    lena: User  # school leader at Oak, sponsor
    tom: User  # teacher at Oak, coachee
    dan: User  # district representative, district A
    sam: User  # staff at Oak, no part in the engagement
    tina: User  # teacher at Elm, no part in the engagement
    bea: User  # programme administrator, district B
    ben: User  # teacher at Pine, district B
    engagement: Engagement
    notes: dict[str, Note]

    @property
    def people(self) -> dict[str, User]:
        return {
            name: getattr(self, name)
            for name in ("ada", "cora", "lena", "tom", "dan", "sam", "tina", "bea", "ben")
        }


def builtin_playbook(key: str) -> Playbook:
    """A built-in playbook, loaded at migrate time (and again after a test flushes the tables)."""
    from coachloop.playbooks.services import sync_all_builtin

    found = Playbook.objects.filter(organisation=None, key=key).first()
    if found is None:
        sync_all_builtin()
        found = Playbook.objects.get(organisation=None, key=key)
    return found


def person(email: str, org: Organisation, role: str) -> User:
    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


def build_world() -> World:
    provider = OrganisationFactory(name="North", kind=OrganisationKind.PROVIDER)
    district = OrganisationFactory(
        name="Riverbend", kind=OrganisationKind.DISTRICT, parent=provider
    )
    oak = OrganisationFactory(name="Oak", kind=OrganisationKind.SCHOOL, parent=district)
    elm = OrganisationFactory(name="Elm", kind=OrganisationKind.SCHOOL, parent=district)
    faraway = OrganisationFactory(name="Faraway", kind=OrganisationKind.DISTRICT)
    pine = OrganisationFactory(name="Pine", kind=OrganisationKind.SCHOOL, parent=faraway)
    ada = person("ada@a.test", district, Role.PROGRAMME_ADMIN)
    cora = person("cora@a.test", district, Role.COACH)
    lena = person("lena@a.test", oak, Role.SCHOOL_LEADER)
    tom = person("tom@a.test", oak, Role.TEACHER)
    dan = person("dan@a.test", district, Role.DISTRICT_REP)
    sam = person("sam@a.test", oak, Role.STAFF)
    tina = person("tina@a.test", elm, Role.TEACHER)
    bea = person("bea@b.test", faraway, Role.PROGRAMME_ADMIN)
    ben = person("ben@b.test", pine, Role.TEACHER)
    playbook = builtin_playbook("performance-coaching")
    programme = ProgrammeFactory(
        organisation=district, name="Leadership performance coaching", playbook=playbook
    )
    programme.administrators.add(ada)
    programme.coaches.add(cora)
    version = playbook.current
    assert version is not None
    assert version.spec.agreement is not None
    engagement = EngagementFactory(
        programme=programme,
        organisation=oak,
        title="Coaching Tom",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=version,
        current_phase=version.spec.phases[0].key,
        agreement_text=version.spec.agreement.text,
    )
    StepProgress.objects.bulk_create(steps_for(engagement, version.spec))
    for user, role in (
        (cora, ParticipantRole.COACH),
        (tom, ParticipantRole.COACHEE),
        (lena, ParticipantRole.SPONSOR),
        (dan, ParticipantRole.DISTRICT_REP),
    ):
        ParticipantFactory(engagement=engagement, user=user, role=role)
    notes = {
        level: NoteFactory(
            engagement=engagement,
            author=cora,
            visibility=level,
            title=f"{level} note",
            body=f"Secret text at {level} level",
        )
        for level in Visibility.values
    }
    return World(
        provider,
        district,
        oak,
        elm,
        faraway,
        pine,
        ada,
        cora,
        lena,
        tom,
        dan,
        sam,
        tina,
        bea,
        ben,
        engagement,
        notes,
    )


def build_instructional(world: World) -> Engagement:
    """An instructional coaching engagement at Oak from 1 September 2026 (seed 004): coach Cora
    and teacher Tom, principal Lena as sponsor and Dan as district representative; Ada
    administers its programme. Its steps exist; no action step, observation or cycle yet."""
    playbook = builtin_playbook("instructional-coaching")
    programme = ProgrammeFactory(
        organisation=world.district, name="Instructional coaching", playbook=playbook
    )
    programme.administrators.add(world.ada)
    programme.coaches.add(world.cora)
    version = playbook.current
    assert version is not None
    assert version.spec.agreement is not None
    engagement = EngagementFactory(
        programme=programme,
        organisation=world.oak,
        title="Instructional coaching: Tom",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=version,
        current_phase=version.spec.phases[0].key,
        agreement_text=version.spec.agreement.text,
    )
    StepProgress.objects.bulk_create(steps_for(engagement, version.spec))
    for user, role in (
        (world.cora, ParticipantRole.COACH),
        (world.tom, ParticipantRole.COACHEE),
        (world.lena, ParticipantRole.SPONSOR),
        (world.dan, ParticipantRole.DISTRICT_REP),
    ):
        ParticipantFactory(engagement=engagement, user=user, role=role)
    return engagement


@dataclass
class PeerTeam:
    """A peer coaching team (seed 001) in `world`: principals Pia (Oak) and Paul (Elm), each
    both peer coach and peer coachee, with their direct supervisor Sue (district) as sponsor and
    Dan as district representative; Ada administers the programme. From 1 September 2026, its
    steps made; nothing signed, no goal, meeting or rating yet."""

    engagement: Engagement
    pia: User
    paul: User
    sue: User


def build_peer(world: World) -> PeerTeam:
    playbook = builtin_playbook("peer-coaching")
    programme = ProgrammeFactory(
        organisation=world.district, name="Peer coaching for school leaders", playbook=playbook
    )
    programme.administrators.add(world.ada)
    # Principals of two schools: a team across schools lives at the district, so each member
    # holds a role there too (the engagement form says so when one is missing).
    pia = person("pia@a.test", world.oak, Role.SCHOOL_LEADER)
    paul = person("paul@a.test", world.elm, Role.SCHOOL_LEADER)
    for leader in (pia, paul):
        MembershipFactory(user=leader, organisation=world.district, role=Role.SCHOOL_LEADER)
    sue = person("sue@a.test", world.district, Role.DISTRICT_REP)
    for user, given, family in (
        (pia, "Pia", "Park"),
        (paul, "Paul", "Quinn"),
        (sue, "Sue", "Reid"),
    ):
        user.given_name, user.family_name = given, family
        user.save(update_fields=["given_name", "family_name"])
    version = playbook.current
    assert version is not None
    assert version.spec.agreement is not None
    engagement = EngagementFactory(
        programme=programme,
        organisation=world.district,
        title="Peer team: Pia and Paul",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=version,
        current_phase=version.spec.phases[0].key,
        agreement_text=version.spec.agreement.text,
    )
    StepProgress.objects.bulk_create(steps_for(engagement, version.spec))
    for user, role in (
        (pia, ParticipantRole.COACH),
        (pia, ParticipantRole.COACHEE),
        (paul, ParticipantRole.COACH),
        (paul, ParticipantRole.COACHEE),
        (sue, ParticipantRole.SPONSOR),
        (world.dan, ParticipantRole.DISTRICT_REP),
    ):
        ParticipantFactory(engagement=engagement, user=user, role=role)
    return PeerTeam(engagement=engagement, pia=pia, paul=paul, sue=sue)


@dataclass
class LeadershipForLearning:
    """A Leadership for learning engagement at Oak (seed 002) in `world`, from 1 September 2026:
    coach Cora, school leader Lena as coachee, Dan as district representative; Ada administers
    the programme. Oak's staff: Lena (leader), Tom and eight more teachers, Sam and three more
    staff. The built-in survey instrument is loaded; no administration yet."""

    engagement: Engagement
    teachers: list[User]
    staff: list[User]
    instrument: Instrument

    @property
    def respondents(self) -> list[tuple[User, str]]:
        """Everyone at Oak the survey can be given to, with the role they answer as."""
        leader = self.engagement.participants.get(role=ParticipantRole.COACHEE).user
        return [
            (leader, "leader"),
            *((t, "teacher") for t in self.teachers),
            *((s, "staff") for s in self.staff),
        ]


def build_lfl(world: World) -> LeadershipForLearning:
    from coachloop.surveys.library import sync_all_builtin

    playbook = builtin_playbook("leadership-for-learning")
    if not Instrument.objects.filter(organisation=None, key="leadership-for-learning").exists():
        sync_all_builtin()
    instrument = Instrument.objects.get(organisation=None, key="leadership-for-learning")
    programme = ProgrammeFactory(
        organisation=world.district, name="Leadership for learning", playbook=playbook
    )
    programme.administrators.add(world.ada)
    programme.coaches.add(world.cora)
    version = playbook.current
    assert version is not None
    assert version.spec.agreement is not None
    engagement = EngagementFactory(
        programme=programme,
        organisation=world.oak,
        title="Leadership for learning: Oak",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=version,
        current_phase=version.spec.phases[0].key,
        agreement_text=version.spec.agreement.text,
    )
    StepProgress.objects.bulk_create(steps_for(engagement, version.spec))
    for user, role in (
        (world.cora, ParticipantRole.COACH),
        (world.lena, ParticipantRole.COACHEE),
        (world.dan, ParticipantRole.DISTRICT_REP),
    ):
        ParticipantFactory(engagement=engagement, user=user, role=role)
    teachers = [world.tom] + [
        person(f"teacher{i}@a.test", world.oak, Role.TEACHER) for i in range(1, 9)
    ]
    staff = [world.sam] + [person(f"staff{i}@a.test", world.oak, Role.STAFF) for i in range(1, 4)]
    return LeadershipForLearning(engagement, teachers, staff, instrument)


@dataclass
class CoachDevelopment:
    """Coaching the coaches (seed 003), in `world`: Ada's "Instructional coaching" programme where
    Cora coaches five teachers (Tom, Tina and three more) and Carl coaches two; and Ada's "Coach
    development" programme where lead coach Lola coaches Cora (Cora is that engagement's
    coachee)."""

    programme: Programme
    #: Cora's instructional engagements, one per teacher, Tom's first
    engagements: list[Engagement]
    teachers: list[User]
    carl: User
    carl_engagements: list[Engagement]
    lola: User
    development_programme: Programme
    #: Lola (coach) develops Cora (coachee)
    development: Engagement


def _engagement(
    programme: Programme, organisation: Organisation, title: str, people: list[tuple[User, str]]
) -> Engagement:
    playbook = programme.playbook
    assert playbook is not None
    assert playbook.current is not None
    version = playbook.current
    engagement = EngagementFactory(
        programme=programme,
        organisation=organisation,
        title=title,
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=version,
        current_phase=version.spec.phases[0].key,
        agreement_text=version.spec.agreement.text if version.spec.agreement else "",
    )
    StepProgress.objects.bulk_create(steps_for(engagement, version.spec))
    for user, role in people:
        ParticipantFactory(engagement=engagement, user=user, role=role)
    return engagement


def build_coach_development(world: World) -> CoachDevelopment:
    coach, coachee = ParticipantRole.COACH, ParticipantRole.COACHEE
    programme = ProgrammeFactory(
        organisation=world.district,
        name="Instructional coaching",
        playbook=builtin_playbook("instructional-coaching"),
    )
    programme.administrators.add(world.ada)
    carl = person("carl@a.test", world.district, Role.COACH)
    lola = person("lola@a.test", world.district, Role.COACH)
    programme.coaches.add(world.cora, carl)
    teachers = [world.tom, world.tina] + [
        person(f"{name}@a.test", world.oak, Role.TEACHER) for name in ("tess", "ted", "tia")
    ]
    engagements = [
        _engagement(
            programme,
            world.elm if teacher == world.tina else world.oak,
            f"Instructional coaching: {teacher.email.split('@')[0].title()}",
            [(world.cora, coach), (teacher, coachee), (world.lena, ParticipantRole.SPONSOR)],
        )
        for teacher in teachers
    ]
    carl_teachers = [person(f"{name}@a.test", world.elm, Role.TEACHER) for name in ("uma", "uri")]
    carl_engagements = [
        _engagement(
            programme,
            world.elm,
            f"Instructional coaching: {t.email}",
            [(carl, coach), (t, coachee)],
        )
        for t in carl_teachers
    ]
    development_programme = ProgrammeFactory(
        organisation=world.district,
        name="Coach development",
        playbook=builtin_playbook("coach-development"),
    )
    development_programme.administrators.add(world.ada)
    development_programme.coaches.add(lola)
    development = _engagement(
        development_programme,
        world.district,
        "Developing Cora",
        [(lola, coach), (world.cora, coachee)],
    )
    return CoachDevelopment(
        programme,
        engagements,
        teachers,
        carl,
        carl_engagements,
        lola,
        development_programme,
        development,
    )
