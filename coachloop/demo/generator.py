"""A realistic, deterministic demo district, and the same at benchmark scale.

`demo`: one district of 6 schools and about 150 staff (programme administrator, coaches, school
leaders, teachers, district representatives, staff), with coaching engagements and notes, for the
first run. `large`: 200 schools and 12,000 staff, 3,000 engagements, for benchmarks. The same seed
gives the same data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Note, Participant, ParticipantRole, Programme
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role

DEMO_PASSWORD = "coachloop-demo"  # noqa: S105 - published on purpose: demo accounts only
DEMO_DOMAIN = "demo.coachloop.test"
# The demo accounts that must use a second factor share this published TOTP secret, so that
# `coachloop demo_code` can print the current code. Never used outside the demo data.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPCOACHLOOPDEMO234"  # noqa: S105


@dataclass(frozen=True)
class Size:
    schools: int
    leaders: int  # per school
    teachers: int  # per school
    staff: int  # per school
    coaches: int
    district_reps: int
    engagements: int
    notes_per_engagement: int


SIZES = {
    "demo": Size(6, 2, 20, 2, 4, 2, 24, 3),
    "large": Size(200, 2, 54, 4, 40, 5, 3000, 2),
}

# Word lists, kept compact: one string each, split once.
GIVEN = (
    "Amara Ben Chloe Dev Elena Farid Grace Hana Ibrahim Jade Kofi Lena Mateo Nadia Omar Priya "
    "Quinn Rosa Sami Tara Uma Victor Wen Yusuf Zoe Aisha Bruno Carmen Diego Esther Felix Gita "
    "Hugo Iris Jonah Kemi Luca Maya Noah Olga Pablo Rhea Sofia Theo Vera Will Xena Yara Zane"
).split()
FAMILY = (
    "Adams Bailey Chen Diaz Evans Fischer Garcia Hughes Ito Jensen Khan Lopez Murphy Nguyen "
    "Okafor Patel Quist Rossi Singh Tanaka Usman Vargas Walsh Xu Young Zimmer Abbott Brennan "
    "Costa Dubois Ekwueme Flores Gallagher Haddad Ivanova Kowalski Larsen Moreau Novak Ortiz"
).split()
SCHOOL_NAMES = (
    "Oakridge Elementary|Riverside Middle|Maple Grove Primary|Hillcrest High|Cedar Park Academy|"
    "Lakeview Elementary|Pine Hollow Middle|Brookside Primary|Summit High|Willow Creek"
).split("|")
NOTE_TITLES = [
    "Observation debrief",
    "Planning the next action step",
    "Reflections after practice",
    "Check-in on progress",
    "Barriers to address",
]


@dataclass
class DemoResult:
    organisations: int
    people: int
    engagements: int


def demo_accounts() -> list[tuple[str, str]]:
    """(email, what it shows) for the named demo sign-ins."""
    return [
        (f"admin@{DEMO_DOMAIN}", "programme administrator of the district"),
        (f"coach@{DEMO_DOMAIN}", "instructional coach with coachees"),
        (f"leader@{DEMO_DOMAIN}", "school leader (principal), sponsor of coaching"),
        (f"teacher@{DEMO_DOMAIN}", "teacher being coached"),
        (f"district@{DEMO_DOMAIN}", "district representative"),
        (f"staff@{DEMO_DOMAIN}", "school staff member"),
    ]


def current_demo_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


@transaction.atomic
def generate(*, size: str = "demo", seed: int = 2026) -> DemoResult:
    spec = SIZES[size]
    rnd = random.Random(seed)
    password = make_password(DEMO_PASSWORD)
    today = timezone.localdate()

    provider = Organisation.objects.create(
        name="Northstar Coaching Partners",
        kind=OrganisationKind.PROVIDER,
        sourced_id="demo-provider",
    )
    district = Organisation.objects.create(
        name="Riverbend Unified School District"
        if size == "demo"
        else "Greater Metro School District",
        kind=OrganisationKind.DISTRICT,
        parent=provider,
        sourced_id=f"demo-district-{size}",
        identifier="RUSD" if size == "demo" else "GMSD",
    )
    schools = []
    for i in range(spec.schools):
        base = SCHOOL_NAMES[i % len(SCHOOL_NAMES)]
        name = base if i < len(SCHOOL_NAMES) else f"{base} {i // len(SCHOOL_NAMES) + 1}"
        schools.append(
            Organisation.objects.create(
                name=name,
                kind=OrganisationKind.SCHOOL,
                parent=district,
                sourced_id=f"demo-{size}-school-{i + 1}",
                identifier=f"S{i + 1:03d}",
            )
        )

    used_emails: set[str] = set()
    users: list[User] = []
    roles: list[tuple[int, Organisation, str]] = []  # (user index, organisation, role)

    def person(org: Organisation, role: str, email: str | None = None) -> int:
        given, family = rnd.choice(GIVEN), rnd.choice(FAMILY)
        if email is None:
            stem = f"{given}.{family}".lower()
            email, n = f"{stem}@{DEMO_DOMAIN}", 1
            while email in used_emails:
                n += 1
                email = f"{stem}{n}@{DEMO_DOMAIN}"
        used_emails.add(email)
        users.append(User(email=email, given_name=given, family_name=family, password=password))
        roles.append((len(users) - 1, org, role))
        return len(users) - 1

    admin = person(district, Role.PROGRAMME_ADMIN, f"admin@{DEMO_DOMAIN}")
    coaches = [person(district, Role.COACH, f"coach@{DEMO_DOMAIN}")]
    coaches += [person(district, Role.COACH) for _ in range(spec.coaches - 1)]
    reps = [person(district, Role.DISTRICT_REP, f"district@{DEMO_DOMAIN}")]
    reps += [person(district, Role.DISTRICT_REP) for _ in range(spec.district_reps - 1)]
    leaders_by_school: list[list[int]] = []
    teachers_by_school: list[list[int]] = []
    for i, school in enumerate(schools):
        first = i == 0
        leaders = [person(school, Role.SCHOOL_LEADER, f"leader@{DEMO_DOMAIN}" if first else None)]
        leaders += [person(school, Role.SCHOOL_LEADER) for _ in range(spec.leaders - 1)]
        teachers = [person(school, Role.TEACHER, f"teacher@{DEMO_DOMAIN}" if first else None)]
        teachers += [person(school, Role.TEACHER) for _ in range(spec.teachers - 1)]
        person(school, Role.STAFF, f"staff@{DEMO_DOMAIN}" if first else None)
        for _ in range(spec.staff - 1):
            person(school, Role.STAFF)
        leaders_by_school.append(leaders)
        teachers_by_school.append(teachers)

    # PostgreSQL and SQLite both return the new ids from bulk_create, so `users` keeps its order.
    User.objects.bulk_create(users, batch_size=2000)
    by_email = {u.email: u for u in users}
    Membership.objects.bulk_create(
        [
            Membership(user=users[i], organisation=org, role=role, source=Membership.Source.DEMO)
            for i, org, role in roles
        ],
        batch_size=2000,
    )
    u_admin = users[admin]

    instructional = Programme.objects.create(
        organisation=district,
        name="Instructional coaching 2026–27",
        starts_on=date(today.year, 8, 15) if today.month >= 8 else date(today.year - 1, 8, 15),
    )
    leadership = Programme.objects.create(
        organisation=district, name="Leadership coaching 2026–27", starts_on=instructional.starts_on
    )
    instructional.administrators.add(u_admin)
    leadership.administrators.add(u_admin)

    engagements: list[Engagement] = []
    participants: list[tuple[int, int, str]] = []  # (engagement index, user index, role)
    for n in range(spec.engagements):
        s = n % len(schools)
        school = schools[s]
        if n % 6 == 5:  # leadership coaching of a school leader, sponsored by the district
            coachee = leaders_by_school[s][0]
            programme, title = leadership, "Leadership coaching"
            sponsor = reps[n % len(reps)]
        else:
            teachers = teachers_by_school[s]
            coachee = teachers[(n // len(schools)) % len(teachers)]
            programme, title = instructional, "Instructional coaching"
            sponsor = leaders_by_school[s][0]
        coach = coaches[n % len(coaches)]
        engagements.append(
            Engagement(
                organisation=school,
                programme=programme,
                title=f"{title}: {users[coachee].full_name}",
                starts_on=today - timedelta(days=rnd.randint(7, 120)),
            )
        )
        e = len(engagements) - 1
        participants += [
            (e, coach, ParticipantRole.COACH),
            (e, coachee, ParticipantRole.COACHEE),
            (e, sponsor, ParticipantRole.SPONSOR),
            (e, reps[0], ParticipantRole.DISTRICT_REP),
        ]
    Engagement.objects.bulk_create(engagements, batch_size=1000)  # ids come back, as for users
    Participant.objects.bulk_create(
        [
            Participant(engagement=engagements[e], user=users[u_], role=r)
            for e, u_, r in participants
        ],
        batch_size=2000,
    )
    notes = []
    levels = [Visibility.PRIVATE, Visibility.TEAM, Visibility.SPONSORS, Visibility.PROGRAMME]
    coach_of = {e: u_ for e, u_, r in participants if r == ParticipantRole.COACH}
    for e, engagement in enumerate(engagements):
        for k in range(spec.notes_per_engagement):
            visibility = levels[(e + k) % len(levels)]
            notes.append(
                Note(
                    organisation=engagement.organisation,
                    engagement=engagement,
                    author=users[coach_of[e]],
                    visibility=visibility,
                    title=NOTE_TITLES[(e + k) % len(NOTE_TITLES)],
                    body=(
                        f"({visibility.label.split(':')[0]} note) Observed a lesson focused on the "
                        "current action step. Praise: clear success criteria on the board. Next: "
                        "check for understanding before independent practice."
                    ),
                )
            )
    Note.objects.bulk_create(notes, batch_size=2000)

    for email in (
        f"admin@{DEMO_DOMAIN}",
        f"coach@{DEMO_DOMAIN}",
        f"leader@{DEMO_DOMAIN}",
        f"district@{DEMO_DOMAIN}",
    ):
        TOTP.activate(by_email[email], DEMO_TOTP_SECRET)

    return DemoResult(
        organisations=2 + len(schools),
        people=len(users),
        engagements=len(engagements),
    )
