"""Leadership for learning in the demo district (seed 002): surveys, reports to read, growth to
see, and school improvement plans with target areas, action steps and check-ins.

One engagement per surveyed school in a "Leadership for learning" programme of the district
(its coach, the school's first leaders as coachees, district@ as district representative),
and four closed administrations of the built-in leadership-for-learning survey to all the
school's staff, each a re-administration of the one before (`previous`): autumn and spring of
the last two school years (the latest spring is the last April before today), so that the
report shows growth and the growth chart has four points. The current year's two belong to the
engagement, which is at its last step; the year before's were given before it started. One
more administration, open today, at the first school, with 17 answers (live results: two waves
of five shown). Demo: the first 4 schools (24 staff each); large: all 200 schools of 60 staff,
about 1,000,000 answers.

Responses are written exactly as the respondent's submission writes them
(`coachloop.surveys.scoring.score`): Response.domains and Answer rows with `complete`, waves
`i // k` in the order written, comments apart from responses. Invitations (one per staff
member) say who was asked and `used` for the answered share, and nothing else: the responses
are written in an order drawn apart from the invitations', with random ids. Answers are drawn
from a school's level, a per-domain strength, a per-person leaning and noise, a little better
each round and more so in the domains the school chose as target areas; "Don't know" now and
then (more often from other staff about monitoring).

School improvement plans: one per school with three goals; at every other school (the first
included) target areas from the current year's autumn report, two action steps each, aligned to
the plan's goals, with check-ins over the year.

Answers, responses, invitations and comments are written with one executemany per batch of
plain rows (COPY on PostgreSQL), so that the million answers cost well under a minute.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, models
from django.utils import timezone

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import (
    AgreementSignature,
    Engagement,
    EngagementStatus,
    Participant,
    ParticipantRole,
    Programme,
    StepProgress,
    StepStatus,
)
from coachloop.engagements.services import steps_for, text_digest
from coachloop.improvement.models import (
    CheckIn,
    ImprovementGoal,
    ImprovementPlan,
    SchoolActionStep,
    TargetArea,
)
from coachloop.organisations.models import Organisation
from coachloop.playbooks.models import Playbook
from coachloop.surveys.models import (
    Administration,
    Answer,
    Comment,
    Instrument,
    InstrumentVersion,
    Invitation,
    Response,
)
from coachloop.surveys.schema import Instrument as InstrumentSpec
from coachloop.surveys.scoring import score

LFL_KEY = "leadership-for-learning"


@dataclass(frozen=True)
class SurveySize:
    #: how many of the district's schools run Leadership for learning (None: all)
    schools: int | None
    #: the school's first leaders who are the engagement's coachees
    coachees: int
    #: answered share of the invitations, drawn per administration
    answered: tuple[float, float]
    #: answers in the open administration at the first school
    live_answers: int


SURVEY_SIZES = {
    "demo": SurveySize(schools=4, coachees=2, answered=(0.70, 0.82), live_answers=17),
    "large": SurveySize(schools=None, coachees=2, answered=(0.70, 0.82), live_answers=17),
}

#: (question key, answers a respondent might write)
COMMENTS: dict[str, list[str]] = {
    "strength": [
        "Our principal is in classrooms every week and talks with us about what she saw.",
        "Data meetings end with something each team will try, and we follow up.",
        "New teachers get a mentor and real time with them.",
        "The school's goals are clear and we hear them in every meeting.",
        "Teacher leaders run the grade-level teams well.",
        "Leaders protect our planning time.",
        "Behaviour expectations are the same in every corridor.",
    ],
    "change": [
        "More time to observe each other teach.",
        "Feedback after walk-throughs, not only a checklist.",
        "Explain how the budget decisions help students.",
        "Involve families earlier when a student starts to struggle.",
        "Fewer initiatives, followed through.",
        "Share materials fairly between departments.",
        "Act on the attendance data within weeks, not at the end of term.",
    ],
}

GOALS = [
    (
        "Raise reading proficiency in grades 3-5",
        "Reading lead",
        "Students at or above benchmark: from 54% to 65% by spring",
    ),
    (
        "Every teacher gets feedback on their teaching every month",
        "Principal",
        "Walk-through feedback logged for each teacher, monthly",
    ),
    (
        "Reduce chronic absence",
        "Attendance team",
        "Chronically absent students: from 18% to 12%",
    ),
    (
        "Collaborative planning time used for student work",
        "Assistant principal",
        "Each team's minutes show student work discussed, weekly",
    ),
    (
        "A consistent behaviour approach in every classroom",
        "Climate team",
        "Referrals down by a quarter; staff survey agreement up",
    ),
]

#: (domain key, action steps for a target area in it, success measure)
ACTIONS: dict[str, list[tuple[str, str]]] = {
    "focus": [
        (
            "Open each staff meeting with the school's two learning goals and one data point",
            "Goals and data on every agenda; staff can name the goals when asked",
        ),
        (
            "Explain each budget decision by what it does for learning, in the staff bulletin",
            "A rationale published for every decision over 1,000",
        ),
    ],
    "monitoring": [
        (
            "Leaders visit every classroom fortnightly with a two-question feedback note",
            "A note for each teacher every two weeks in the log",
        ),
        (
            "Teams review common assessment results within a week of the test",
            "Minutes of each review with one re-teaching decision",
        ),
    ],
    "community": [
        (
            "Pair teachers for one peer observation a month, with cover arranged",
            "One observation per pair per month, with a short debrief",
        ),
        (
            "Give new staff a mentor and a weekly half hour with them",
            "Every new teacher met their mentor weekly this term",
        ),
    ],
    "resources": [
        (
            "Publish how materials money is shared across grades and departments",
            "A shared, open allocation table each term",
        ),
        (
            "Tie each professional learning day to one of the plan's goals",
            "Every session names its goal; staff rate its use",
        ),
    ],
    "environment": [
        (
            "Agree five behaviour expectations and teach them in every class the same week",
            "Expectations posted and taught in every room; referrals down",
        ),
        (
            "Call families of students absent three days in a month, within the week",
            "Calls logged for every such student",
        ),
    ],
}
BARRIERS = [
    (
        "Cover for observations falls through when staff are absent.",
        "Book cover a week ahead and keep a reserve list.",
        "District support",
    ),
    (
        "Teams run out of time before they reach student work.",
        "Put student work first on the agenda; timekeeper per meeting.",
        "The AIW (Authentic Intellectual Work) Institute",
    ),
    (
        "Teachers are unsure how to write tasks at a higher depth of knowledge.",
        "A workshop and co-planning with the coach.",
        "WebbAlign (Depth of Knowledge)",
    ),
    (
        "Support for multilingual learners is uneven between classes.",
        "Shared strategies from the WIDA workshop in each team.",
        "WIDA Professional Learning Workshops",
    ),
]
SUMMARIES = [
    "Started as planned; most teams on board.",
    "Half of the visits done; feedback notes well received.",
    "Going well; staff mention it unprompted.",
    "Slower than planned after the holiday; back on track now.",
]


@dataclass
class Round:
    """One administration of the survey at every school: its window."""

    label: str
    opens_on: date
    closes_on: date

    @property
    def title(self) -> str:
        return f"Leadership for learning survey, {self.label}"


def rounds_for(today: date) -> list[Round]:
    """Autumn and spring of the last two school years, oldest first; the latest spring is the
    last April that ended at least three weeks before today."""
    year = today.year if today >= date(today.year, 5, 15) else today.year - 1
    rounds = []
    for spring in (year - 1, year):
        rounds.append(
            Round(f"autumn {spring - 1}", date(spring - 1, 10, 6), date(spring - 1, 10, 24))
        )
        rounds.append(Round(f"spring {spring}", date(spring, 4, 6), date(spring, 4, 24)))
    return rounds


def lfl_playbook() -> Playbook:
    found = Playbook.objects.filter(organisation=None, key=LFL_KEY).first()
    if found is None or found.current_id is None:
        from coachloop.playbooks.services import sync_all_builtin

        sync_all_builtin()
        found = Playbook.objects.get(organisation=None, key=LFL_KEY)
    return found


def lfl_instrument() -> InstrumentVersion:
    found = Instrument.objects.filter(organisation=None, key=LFL_KEY).first()
    if found is None or found.current_id is None:
        from coachloop.surveys.library import sync_all_builtin

        sync_all_builtin()
        found = Instrument.objects.get(organisation=None, key=LFL_KEY)
    assert found.current is not None
    return found.current


# --- plain rows, written fast ---------------------------------------------------------------------


def _prep_uuid(value: uuid.UUID) -> Any:
    return value if connection.vendor == "postgresql" else value.hex


def _prep_time(value: datetime) -> Any:
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def _prep_json(value: Any) -> Any:
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return json.dumps(value)


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert plain rows (already in the database's types) into `model`'s table: COPY on
    PostgreSQL, one executemany per batch of 5,000 elsewhere."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


@dataclass
class SurveyRows:
    invitations: list[tuple[Any, ...]] = field(default_factory=list)
    responses: list[tuple[Any, ...]] = field(default_factory=list)
    answers: list[tuple[Any, ...]] = field(default_factory=list)
    comments: list[tuple[Any, ...]] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)

    def write(self) -> None:
        for name, model, columns, rows in (
            (
                "survey invitations",
                Invitation,
                [
                    "organisation_id",
                    "administration_id",
                    "role",
                    "user_id",
                    "email",
                    "name",
                    "token_hash",
                    "sealed_token",
                    "used",
                    "sent_at",
                    "reminded_at",
                    "created_at",
                ],
                self.invitations,
            ),
            (
                "survey responses",
                Response,
                ["id", "administration_id", "role", "wave", "domains"],
                self.responses,
            ),
            (
                "survey answers",
                Answer,
                ["response_id", "administration_id", "role", "item", "value", "complete"],
                self.answers,
            ),
            (
                "survey comments",
                Comment,
                ["id", "administration_id", "question", "text"],
                self.comments,
            ),
        ):
            self.written[name] = self.written.get(name, 0) + insert_rows(model, columns, rows)
            rows.clear()


# --- what respondents answer ----------------------------------------------------------------------


@dataclass
class School:
    organisation: Organisation
    leaders: list[User]
    teachers: list[User]
    staff: list[User]
    coach: User
    #: the school's level and each domain's strength, on the 1-5 scale
    level: float = 3.4
    domains: dict[str, float] = field(default_factory=dict)
    #: the domains chosen as target areas (improving faster), if the school chose any
    targets: list[str] = field(default_factory=list)
    engagement: Engagement | None = None

    def people(self) -> list[tuple[User, str]]:
        return (
            [(u, "leader") for u in self.leaders]
            + [(u, "teacher") for u in self.teachers]
            + [(u, "staff") for u in self.staff]
        )


class Respondents:
    """Draws one respondent's answers, as the survey page would take them."""

    def __init__(self, spec: InstrumentSpec, rnd: random.Random) -> None:
        self.spec = spec
        self.rnd = rnd
        self.domain_of = spec.domain_of()
        self.items: dict[str, list[str]] = {
            role: [i.key for i in spec.items_for(role)] for role in spec.roles
        }
        self.questions: dict[str, list[str]] = {
            role: [q.key for q in spec.questions_for(role)] for role in spec.roles
        }
        # items differ a little within a domain, the same everywhere
        item_rnd = random.Random(f"{LFL_KEY}-items")
        self.item_effect = {i.key: item_rnd.uniform(-0.35, 0.35) for _d, i in spec.items()}

    def values(self, school: School, role: str, round_index: int) -> dict[str, int | None]:
        rnd = self.rnd
        lean = rnd.gauss(0, 0.45) + (0.3 if role == "leader" else 0.0)
        values: dict[str, int | None] = {}
        for key in self.items[role]:
            domain = self.domain_of[key]
            unknown = 0.14 if role == "staff" and domain == "monitoring" else 0.025
            if rnd.random() < unknown:
                values[key] = None
                continue
            gain = 0.08 * round_index + (
                0.25 if domain in school.targets and round_index >= 3 else 0
            )
            mu = school.domains[domain] + gain + lean + self.item_effect[key]
            values[key] = min(5, max(1, round(mu + rnd.gauss(0, 0.75))))
        return values


def generate_surveys(
    *,
    size: str,
    seed: int,
    district: Organisation,
    schools: list[Organisation],
    leaders_by_school: list[list[User]],
    teachers_by_school: list[list[User]],
    staff_by_school: list[list[User]],
    coaches: list[User],
    rep: User,
    admin: User,
    now: datetime,
) -> dict[str, int]:
    """The Leadership for learning programme, its surveys and the schools' improvement plans.
    `coaches[0]` (coach@) coaches the first school, the others the rest in turn."""
    survey_size = SURVEY_SIZES[size]
    rnd = random.Random(f"{seed}-surveys")  # its own stream: other programmes do not change
    today = timezone.localdate(now)
    playbook = lfl_playbook()
    playbook_version = playbook.current
    assert playbook_version is not None
    pb_spec = playbook_version.spec
    version = lfl_instrument()
    spec = version.spec
    rounds = rounds_for(today)
    current_autumn, current_spring = rounds[2], rounds[3]
    starts_on = current_autumn.opens_on - timedelta(days=21)

    count = survey_size.schools or len(schools)
    others = coaches[1:] or coaches
    surveyed = [
        School(
            schools[s],
            leaders_by_school[s],
            teachers_by_school[s],
            staff_by_school[s],
            coaches[0] if s == 0 else others[(s - 1) % len(others)],
        )
        for s in range(count)
    ]
    domain_keys = [d.key for d in spec.domains]
    for n, school in enumerate(surveyed):
        school.level = rnd.uniform(2.9, 3.8)
        school.domains = {d: school.level + rnd.uniform(-0.6, 0.6) for d in domain_keys}
        if n % 2 == 0:  # every other school, the first included, chose target areas
            school.targets = sorted(domain_keys, key=lambda d: school.domains[d])[:2]

    programme = Programme.objects.create(
        organisation=district,
        name=f"Leadership for learning, {starts_on.year}-{(starts_on.year + 1) % 100:02d}",
        playbook=playbook,
        starts_on=starts_on,
        description=(
            "School-wide surveys of leadership for learning, reports reviewed with an Education "
            "Leadership Coach, action steps aligned to the school improvement plan, check-ins "
            "and a re-survey to measure growth."
        ),
    )
    programme.administrators.add(admin)
    programme.coaches.add(*{s.coach for s in surveyed})

    counts: dict[str, int] = {}
    engagements, participants, signatures, steps = [], [], [], []
    digest = text_digest(pb_spec.agreement.text) if pb_spec.agreement else ""

    def at(day: date, hour: int = 16) -> datetime:
        moment = timezone.make_aware(datetime.combine(day, time(hour, 0)))
        return min(moment, now - timedelta(minutes=30))

    for n, school in enumerate(surveyed):
        coachees = school.leaders[: survey_size.coachees]
        engagement = Engagement(
            organisation=school.organisation,
            programme=programme,
            title=f"Leadership for learning: {school.organisation.name}",
            starts_on=starts_on,
            playbook_version=playbook_version,
            agreement_text=pb_spec.agreement.text if pb_spec.agreement else "",
            current_phase=pb_spec.phases[-1].key,
            status=EngagementStatus.ACTIVE,
        )
        engagement.created_at = at(starts_on - timedelta(days=7), 10)
        school.engagement = engagement
        engagements.append(engagement)
        people = [(school.coach, ParticipantRole.COACH)]
        people += [(u, ParticipantRole.COACHEE) for u in coachees]
        people.append((rep, ParticipantRole.DISTRICT_REP))
        participants += [Participant(engagement=engagement, user=u, role=r) for u, r in people]
        if pb_spec.agreement:
            for signer, signer_role in people[:-1]:
                signatures.append(
                    AgreementSignature(
                        organisation_id=school.organisation.pk,
                        engagement=engagement,
                        user=signer,
                        role=signer_role,
                        signed_name=signer.full_name,
                        text=engagement.agreement_text,
                        text_digest=digest,
                        signed_at=at(starts_on + timedelta(days=5), 11),
                    )
                )
        # each step done when its work was: the survey when the autumn one closed, the resurvey
        # when the spring one did; "revise" still open at every other school
        done_on = {
            "agreement": starts_on + timedelta(days=5),
            "survey": current_autumn.closes_on,
            "review-meeting": current_autumn.closes_on + timedelta(days=10),
            "target-areas": current_autumn.closes_on + timedelta(days=14),
            "action-steps": current_autumn.closes_on + timedelta(days=30),
            "first-check-in": current_autumn.closes_on + timedelta(days=75),
            "check-in-meeting": current_autumn.closes_on + timedelta(days=110),
            "resurvey": current_spring.closes_on,
        }
        if n % 2 == 1:
            done_on["revise"] = current_spring.closes_on + timedelta(days=20)
        owners = {ParticipantRole.COACH: school.coach, ParticipantRole.COACHEE: coachees[0]}
        spec_steps = [step for _phase, step in pb_spec.steps()]
        for row, step in zip(steps_for(engagement, pb_spec), spec_steps, strict=True):
            day = done_on.get(step.key)
            if day is not None and day <= today:
                row.status = StepStatus.DONE
                row.completed_by = owners[ParticipantRole(step.owner)]
                row.completed_at = at(day)
                row.checklist_done = [True] * len(step.checklist)
            steps.append(row)
    Engagement.objects.bulk_create(engagements, batch_size=1000)
    Participant.objects.bulk_create(participants, batch_size=2000)
    AgreementSignature.objects.bulk_create(signatures, batch_size=2000)
    StepProgress.objects.bulk_create(steps, batch_size=2000)
    counts["lfl_engagements"] = len(engagements)
    counts["lfl_participants"] = len(participants)
    counts["lfl_steps"] = len(steps)
    counts["lfl_signatures"] = len(signatures)

    # --- the administrations -------------------------------------------------------------------
    administrations: list[Administration] = []
    chains: list[list[Administration]] = []
    for school in surveyed:
        chain = []
        for r, rnd_round in enumerate(rounds):
            chain.append(
                Administration(
                    organisation=school.organisation,
                    engagement=school.engagement if r >= 2 else None,
                    version=version,
                    title=rnd_round.title,
                    roles=list(spec.roles),
                    opens_on=rnd_round.opens_on,
                    closes_on=rnd_round.closes_on,
                    closed_at=at(rnd_round.closes_on, 17),
                    visibility=pb_spec.default_visibility("report"),
                    created_by=school.coach,
                    created_at=at(rnd_round.opens_on - timedelta(days=5), 9),
                )
            )
        chains.append(chain)
        administrations += chain
    live_round = Round(
        f"{today:%B %Y}".lower(), today - timedelta(days=6), today + timedelta(days=10)
    )
    first = surveyed[0]
    live = Administration(
        organisation=first.organisation,
        engagement=first.engagement,
        version=version,
        title=f"Leadership for learning survey, {live_round.opens_on:%B %Y}",
        roles=list(spec.roles),
        opens_on=live_round.opens_on,
        closes_on=live_round.closes_on,
        visibility=pb_spec.default_visibility("report"),
        created_by=first.coach,
        created_at=at(live_round.opens_on - timedelta(days=2), 9),
    )
    administrations.append(live)
    # PostgreSQL and SQLite both return the new ids, so `previous` can point at them after
    Administration.objects.bulk_create(administrations, batch_size=1000)
    for chain in chains:
        for before, after in itertools.pairwise(chain):
            after.previous = before
    live.previous = chains[0][-1]
    Administration.objects.bulk_update(
        [a for chain in chains for a in chain[1:]] + [live], ["previous"], batch_size=1000
    )

    # --- invitations, responses, answers, comments ------------------------------------------
    respondents = Respondents(spec, rnd)
    rows = SurveyRows()
    k = spec.k
    for school, chain in zip(surveyed, chains, strict=True):
        for r, administration in enumerate([*chain, live] if school is first else chain):
            is_live = administration is live
            asked = school.people()
            if is_live:
                answered = survey_size.live_answers
            else:
                answered = round(len(asked) * rnd.uniform(*survey_size.answered))
            used = set(rnd.sample(range(len(asked)), answered))
            sent = _prep_time(at(administration.opens_on, 8))
            for i, (user, role) in enumerate(asked):
                rows.invitations.append(
                    (
                        school.organisation.pk,
                        administration.pk,
                        role,
                        user.pk,
                        user.email,
                        user.full_name,
                        f"{rnd.getrandbits(256):064x}",
                        "",
                        i in used,
                        sent,
                        None,
                        sent,
                    )
                )
            # the responses, in an order drawn apart from the invitations'
            roles = [asked[i][1] for i in sorted(used)]
            rnd.shuffle(roles)
            for wave_index, role in enumerate(roles):
                values = respondents.values(school, role, min(r, 4))
                scored = score(spec, role, values)
                response_id = uuid.UUID(int=rnd.getrandbits(128), version=4)
                prepped = _prep_uuid(response_id)
                rows.responses.append(
                    (prepped, administration.pk, role, wave_index // k, _prep_json(scored.domains))
                )
                rows.answers += [
                    (prepped, administration.pk, role, item, value, complete)
                    for item, value, complete in scored.answers
                ]
                for question in respondents.questions[role]:
                    if rnd.random() < (0.25 if question == "strength" else 0.2):
                        rows.comments.append(
                            (
                                _prep_uuid(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                                administration.pk,
                                question,
                                rnd.choice(COMMENTS[question]),
                            )
                        )
            administration.invited_count = len(asked)
            administration.response_count = len(roles)
        if len(rows.answers) > 100_000:
            rows.write()
    rows.write()
    Administration.objects.bulk_update(
        administrations, ["invited_count", "response_count"], batch_size=1000
    )
    counts["survey administrations"] = len(administrations)
    counts.update(rows.written)

    # --- school improvement plans, target areas, action steps, check-ins ------------------------
    counts.update(improvement(spec, surveyed, chains, rnd, today, at))
    return counts


def improvement(
    spec: InstrumentSpec,
    surveyed: list[School],
    chains: list[list[Administration]],
    rnd: random.Random,
    today: date,
    at: Any,
) -> dict[str, int]:
    plans, goals, areas, actions, check_ins = [], [], [], [], []
    goals_of: dict[int, list[ImprovementGoal]] = {}
    for n, school in enumerate(surveyed):
        autumn = chains[n][2]
        year = autumn.opens_on.year
        leader = school.leaders[0]
        plan = ImprovementPlan(
            organisation=school.organisation,
            title=f"{school.organisation.name} improvement plan {year}-{(year + 1) % 100:02d}",
            starts_on=date(year, 8, 1),
            ends_on=date(year + 1, 7, 31),
            created_by=leader,
            created_at=at(date(year, 8, 20), 10),
        )
        plans.append(plan)
        chosen = rnd.sample(GOALS, 3)
        goals_of[n] = []
        for order, (title, owner, measure) in enumerate(chosen):
            goal = ImprovementGoal(
                organisation=school.organisation,
                plan=plan,
                title=title,
                owner=owner,
                measure=measure,
                order=order,
            )
            goals.append(goal)
            goals_of[n].append(goal)
    ImprovementPlan.objects.bulk_create(plans, batch_size=1000)
    ImprovementGoal.objects.bulk_create(goals, batch_size=2000)

    titles = {d.key: d.title for d in spec.domains}
    for n, school in enumerate(surveyed):
        if not school.targets:
            continue
        assert school.engagement is not None
        autumn = chains[n][2]
        chosen_on = autumn.closes_on + timedelta(days=14)
        for domain in school.targets:
            area = TargetArea(
                organisation=school.organisation,
                engagement=school.engagement,
                administration=autumn,
                kind=TargetArea.Kind.TARGET,
                domain=domain,
                title=titles[domain],
                rationale="Among the lowest domains of the autumn report; the leaders see it too.",
                author=school.coach,
                visibility=Visibility.SPONSORS,
                created_at=at(chosen_on, 15),
            )
            areas.append(area)
            for a, (text, measure) in enumerate(ACTIONS[domain]):
                due = chosen_on + timedelta(days=rnd.choice((60, 90, 120, 150)))
                status = (
                    SchoolActionStep.Status.DONE
                    if due < today and rnd.random() < 0.6
                    else rnd.choice(
                        [SchoolActionStep.Status.UNDERWAY] * 3 + [SchoolActionStep.Status.PLANNED]
                    )
                )
                step = SchoolActionStep(
                    organisation=school.organisation,
                    engagement=school.engagement,
                    target_area=area,
                    goal=goals_of[n][(a + len(areas)) % 3],
                    text=text,
                    owner=school.leaders[a % len(school.leaders)],
                    due_on=due,
                    measure=measure,
                    status=status,
                    author=school.leaders[0],
                    visibility=Visibility.SPONSORS,
                    created_at=at(chosen_on + timedelta(days=16), 14),
                )
                actions.append(step)
                day = chosen_on + timedelta(days=45)
                number = 0
                while day < today and number < 4:
                    barrier, overcome, partner = rnd.choice(BARRIERS)
                    last = number == 3 or day + timedelta(days=45) >= today
                    progress = (
                        CheckIn.Progress.DONE
                        if last and status == SchoolActionStep.Status.DONE
                        else rnd.choice(
                            [CheckIn.Progress.ON_TRACK] * 3
                            + [CheckIn.Progress.AT_RISK, CheckIn.Progress.STALLED]
                        )
                    )
                    check_ins.append(
                        CheckIn(
                            organisation=school.organisation,
                            action_step=step,
                            progress=progress,
                            summary=rnd.choice(SUMMARIES),
                            barriers=barrier if progress != CheckIn.Progress.ON_TRACK else "",
                            overcome=overcome if progress != CheckIn.Progress.ON_TRACK else "",
                            support="Coaching on giving feedback." if number == 0 else "",
                            partner=partner if progress != CheckIn.Progress.ON_TRACK else "",
                            author=school.coach,
                            created_at=at(day, 15),
                        )
                    )
                    day += timedelta(days=45)
                    number += 1
    TargetArea.objects.bulk_create(areas, batch_size=2000)
    SchoolActionStep.objects.bulk_create(actions, batch_size=2000)
    CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    return {
        "improvement plans": len(plans),
        "improvement goals": len(goals),
        "target areas": len(areas),
        "school action steps": len(actions),
        "check-ins": len(check_ins),
    }
