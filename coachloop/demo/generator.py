"""A realistic, deterministic demo district, and the same at benchmark scale.

`demo`: one district of 6 schools and about 150 staff (programme administrator, coaches, school
leaders, teachers, district representatives, staff), with 48 coaching engagements. `large`: 200
schools and 12,000 staff, 3,000 engagements (600 performance, 1,400 instructional, 800 peer
teams, 200 Leadership for learning), about 100,000 meetings, 200,000 observations and 1,000,000
survey answers, for benchmarks. The same seed (at the
same moment) gives the same data.

Performance coaching (seed 000): 24 engagements in the demo, 600 at scale, each as far along
as its start date and its pace allow: the engagements started at various dates over the past six
months; the steps before their current phase are done, some open steps are overdue, and some
engagements are complete. What the done steps stand for is there too: signed agreements, plans
(some awaiting the sponsor), meetings held and planned, form answers, anonymous participant
feedback, scores and portfolio entries (some awaiting review).

Instructional coaching (seed 004): the district's action-step library (6 categories of 4 steps
with success criteria, models and non-examples), and coaches in weekly cycles with their
teachers (2 coaches with 6 teachers each in the demo, 40 with 35 each at scale): action steps
from the library's scope and sequence (mastered, now and then paused, one current), cycles
closed by their feedback meetings (run with the meeting guide: time spent per stage, notes per
stage, practice attempts, the next cycle planned) and one open, brief observations with timed
moments tagged as evidence for or against each success criterion, and the teachers'
reflections. Histories go back up to six months in the demo and two years at scale.

Rows are written with bulk_create (the observations and practice attempts, most of the data,
with one executemany per batch), so the large dataset takes a couple of minutes.

Peer coaching (seed 001, coachloop.demo.peer): 8 teams of school leaders in the demo, 800 at
scale, each member both coach and coachee, their supervisors as sponsors, with goals, monthly
assignments, effectiveness ratings and monthly sessions (some teams off cadence). Every meeting
is in the server's time zone (TIME_ZONE) and invites the engagement's people in its type's
attendee roles (MeetingParticipant; attended for held meetings). After the load, every
engagement's cadence is checked once (cadence.services.refresh_all).

Leadership for learning (seed 002, coachloop.demo.surveys): 4 schools in the demo, all 200 at
scale, each with an engagement, four closed administrations of the school-wide survey to all its
staff (autumn and spring of two school years, about 1,000,000 answers at scale), one open one at
the first school (live results), and school improvement plans with target areas, action steps
and check-ins at every other school. leader@'s school is the first: leader@ is a coachee of its
engagement, coach@ its coach, district@ the district representative of every one.

The named demo accounts each find something to do: coach@ has steps due this week and overdue,
a plan awaiting the sponsor, an entry to review, a meeting this week and a caseload of
instructional teachers; leader@ has a plan to approve; teacher@ is the performer of one
engagement, ic.teacher@ a teacher in instructional coaching cycles with coach@ (at scale, with
300 observations, the benchmark's teacher); leader@ is in the first peer team, which district@
supervises.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.actionsteps.models import (
    ActionStep,
    ActionStepStatus,
    Cycle,
    CycleStatus,
    LibraryCategory,
    LibraryStep,
    PracticeAttempt,
    derived,
)
from coachloop.demo.coaches import generate_coaches
from coachloop.demo.peer import generate_peer
from coachloop.demo.surveys import generate_surveys
from coachloop.engagements.models import (
    AgreementSignature,
    Engagement,
    EngagementStatus,
    FormResponse,
    Note,
    Participant,
    ParticipantRole,
    Programme,
    StepProgress,
    StepStatus,
)
from coachloop.engagements.services import steps_for, text_digest
from coachloop.feedback.models import FeedbackAnswer, FeedbackCollection
from coachloop.meetings import stagetimes
from coachloop.meetings.models import Meeting, MeetingParticipant, MeetingStatus
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.organisations.models import Membership, Organisation, OrganisationKind, Role
from coachloop.plans.models import Plan, PlanReview, PlanStatus, PlanVersion, ReviewDecision
from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook
from coachloop.portfolios.models import (
    EntryStatus,
    PortfolioEntry,
    PortfolioReview,
    PortfolioRevision,
)
from coachloop.rubrics.models import CriterionRating, RubricScore

DEMO_PASSWORD = "coachloop-demo"  # noqa: S105 - published on purpose: demo accounts only
DEMO_DOMAIN = "demo.coachloop.test"
# The demo accounts that must use a second factor share this published TOTP secret, so that
# `coachloop demo_code` can print the current code. Never used outside the demo data.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPCOACHLOOPDEMO234"  # noqa: S105
PLAYBOOK_KEY = "performance-coaching"


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
    # leaders per school: the first sponsors the school's coaching; all may be in a peer team
    "demo": Size(6, 4, 18, 2, 4, 2, 24, 3),
    "large": Size(200, 10, 46, 4, 40, 5, 600, 2),
}
#: Engagements started this many days ago at most.
HISTORY_DAYS = 180

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
GOALS = [
    (
        "Lead weekly data meetings that change teaching",
        "4 of 4 meetings held this term, each ending with an action per team",
        "Agendas, minutes and the teams' action logs",
    ),
    (
        "Check for understanding before independent practice",
        "A check in 9 of 10 observed lessons",
        "Observation notes and exit tickets",
    ),
    (
        "Give every teacher one action step a fortnight",
        "Action steps logged for each teacher, every two weeks",
        "The coaching log",
    ),
    (
        "Use student work to plan re-teaching",
        "Re-teaching planned from student work in each unit",
        "Unit plans and samples of student work",
    ),
    (
        "Run a calm, consistent start to each lesson",
        "Students working within 3 minutes of the bell in 4 of 5 visits",
        "Walk-through notes",
    ),
]
#: Sample answers for the built-in forms' fields; other fields get a generic sentence.
ANSWERS: dict[str, list[str]] = {
    "assignment": [
        "Coach the performer to lead the school's data meetings.",
        "Support the performer in planning lessons that check for understanding.",
    ],
    "profile": ["Third year in post; strong relationships with students and staff."],
    "data": ["Reading scores flat for two years; attendance at data meetings is patchy."],
    "priorities": ["Data meetings that end with actions.", "Checks for understanding."],
    "summary": [
        "Time for data meetings is not protected; coaching can build the facilitation skills.",
        "The performer knows what is expected; the school must free planning time.",
    ],
    "barrier": ["No protected meeting time", "Cover for observations is unreliable"],
    "effect": ["Meetings are cancelled when cover is short."],
    "response": ["The sponsor protects Friday afternoons.", "The office books cover a week ahead."],
    "setting": ["Year 8 mathematics, 28 students", "Grade-level team meeting, 6 teachers"],
    "observed": [
        "The performer opened with the purpose and used the data wall throughout.",
        "Clear success criteria on the board; a quick check before independent practice.",
    ],
    "evidence": [
        "Every team named one next action.",
        "Most students could explain the success criteria when asked.",
    ],
    "went_well": ["The purpose was clear and the teams brought their data."],
    "differently": ["Talk less in the first ten minutes; let the teams analyse."],
    "strengths": ["Preparation and a clear purpose."],
    "interventions": ["A facilitation course; observe a colleague's data meeting."],
    "support": ["Protected time on Fridays."],
    "steps": ["Hand the analysis to the teams at the next meeting."],
    "worked": ["The anonymous participant feedback was the most useful evidence."],
    "change": ["Schedule the feedback session sooner after the practice."],
    "goals": ["Lead the data cycle without the coach; mentor a new team leader."],
    "status": ["Shared with the sponsor and the district representative."],
}
GENERIC = [
    "Discussed and agreed with the performer.",
    "Working well; keep the current focus.",
    "Needs attention before the next meeting.",
]
STAGE_NOTES = [
    "Discussed as planned.",
    "Agreed the next action and who does it.",
    "The performer led this part.",
]
PORTFOLIO = [
    ("Data meeting cycle", "Agendas, minutes and the teams' action logs", "data-meetings.txt"),
    ("Re-teaching from student work", "Unit plan with re-teaching notes", "re-teaching.txt"),
    ("Checks for understanding", "Exit tickets and what changed next lesson", "checks.txt"),
]


@dataclass
class DemoResult:
    organisations: int
    people: int
    engagements: int
    steps: int = 0
    other_rows: dict[str, int] = field(default_factory=dict)


def demo_accounts() -> list[tuple[str, str]]:
    """(email, what it shows) for the named demo sign-ins."""
    return [
        (f"admin@{DEMO_DOMAIN}", "programme administrator of the district"),
        (f"coach@{DEMO_DOMAIN}", "instructional coach with coachees"),
        (
            f"leader@{DEMO_DOMAIN}",
            "school leader (principal), sponsor of coaching, in a peer coaching team",
        ),
        (f"teacher@{DEMO_DOMAIN}", "teacher being coached"),
        (f"ic.teacher@{DEMO_DOMAIN}", "teacher in instructional coaching cycles with coach@"),
        (f"district@{DEMO_DOMAIN}", "district representative, supervisor of peer teams"),
        (f"staff@{DEMO_DOMAIN}", "school staff member"),
        (f"lead@{DEMO_DOMAIN}", "lead coach of coach@ and other coaches (coach development)"),
    ]


def current_demo_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(timezone.now().timestamp()) // 30
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


def performance_playbook() -> Playbook:
    """The built-in performance coaching playbook (loaded at migrate time; loaded here if not)."""
    found = Playbook.objects.filter(organisation=None, key=PLAYBOOK_KEY).first()
    if found is None or found.current_id is None:
        from coachloop.playbooks.services import sync_all_builtin

        sync_all_builtin()
        found = Playbook.objects.get(organisation=None, key=PLAYBOOK_KEY)
    return found


# --- The story of one engagement ------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A fixed story for one of coach@'s engagements, so that each demo persona finds the same
    things to do in both sizes."""

    days_ago: int
    lag: int
    open_steps: frozenset[str] = frozenset()
    plan: str | None = None  # the plan's status
    entry: str | None = None  # the portfolio entry's status


#: coach@'s first engagements (the k-th engagement of the first coach). The first is teacher@'s,
#: sponsored by leader@: the plan awaits her approval (due this week), one step is overdue.
COACH_SCENARIOS = {
    0: Scenario(30, 0, frozenset({"performance-factors"}), plan=PlanStatus.SUBMITTED),
    1: Scenario(122, 2, entry=EntryStatus.SUBMITTED),  # Act: an entry awaits the coach's review
    2: Scenario(40, 0),  # Plan: the planning meeting is in the coming week
    3: Scenario(68, 12),  # Do, behind: overdue steps
}


@dataclass
class Story:
    engagement: Engagement
    coach: User
    coachee: User
    sponsor: User
    rep: User
    school: Organisation
    scenario: Scenario | None
    done: list[bool] = field(default_factory=list)
    finished: list[datetime | None] = field(default_factory=list)

    def by_role(self, role: str) -> User:
        return {
            ParticipantRole.COACH: self.coach,
            ParticipantRole.COACHEE: self.coachee,
            ParticipantRole.SPONSOR: self.sponsor,
            ParticipantRole.DISTRICT_REP: self.rep,
        }[ParticipantRole(role)]


@dataclass
class Rows:
    """Everything to write, in the order the foreign keys need."""

    steps: list[StepProgress] = field(default_factory=list)
    signatures: list[AgreementSignature] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    #: MeetingParticipant rows as {field: value}, written after their meetings (insert_plain)
    meeting_participants: list[dict[str, Any]] = field(default_factory=list)
    forms: list[FormResponse] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    plan_versions: list[PlanVersion] = field(default_factory=list)
    plan_reviews: list[PlanReview] = field(default_factory=list)
    scores: list[RubricScore] = field(default_factory=list)
    ratings: list[CriterionRating] = field(default_factory=list)
    collections: list[FeedbackCollection] = field(default_factory=list)
    answers: list[FeedbackAnswer] = field(default_factory=list)
    entries: list[PortfolioEntry] = field(default_factory=list)
    revisions: list[PortfolioRevision] = field(default_factory=list)
    entry_reviews: list[PortfolioReview] = field(default_factory=list)

    def write(self) -> dict[str, int]:
        """Write the rows, parents first: each bulk_create gives its rows their new ids
        (PostgreSQL and SQLite both return them), which the rows that point to them need."""
        counts = {}
        for name, rows in vars(self).items():
            if name == "meeting_participants":
                insert_plain(MeetingParticipant, rows)
            elif rows:
                type(rows[0]).objects.bulk_create(rows, batch_size=2000)
            counts[name] = len(rows)
        return counts


class Author:
    """Builds one engagement's progress and content from its start date and pace."""

    def __init__(
        self, spec: schema.Playbook, rnd: random.Random, today: date, now: datetime
    ) -> None:
        self.spec = spec
        self.rnd = rnd
        self.today = today
        self.now = now
        self.steps = list(spec.steps())
        self.phase_index = {p.key: i for i, p in enumerate(spec.phases)}
        self.digest = text_digest(spec.agreement.text) if spec.agreement else ""

    # --- time -----------------------------------------------------------------------------------

    def at(self, day: date, hour: int | None = None) -> datetime:
        """A moment on `day` in working hours, never in the future."""
        hour = self.rnd.randint(8, 16) if hour is None else hour
        moment = timezone.make_aware(datetime.combine(day, time(hour, self.rnd.choice((0, 30)))))
        return min(moment, self.now - timedelta(minutes=self.rnd.randint(5, 90)))

    def soon(self) -> datetime:
        """A moment in the coming week, in working hours."""
        day = self.today + timedelta(days=self.rnd.randint(1, 6))
        return timezone.make_aware(datetime.combine(day, time(self.rnd.randint(8, 15), 0)))

    def text(self, key: str) -> str:
        return self.rnd.choice(ANSWERS.get(key, GENERIC))

    # --- progress -------------------------------------------------------------------------------

    def progress(self, story: Story, rows: Rows) -> None:
        """Which steps are done and when, the current phase, and the engagement's status."""
        engagement, scenario = story.engagement, story.scenario
        elapsed = (self.today - engagement.starts_on).days
        if scenario is not None:
            lag, jitter = scenario.lag, [0] * len(self.steps)
            forced_open = scenario.open_steps
        else:
            lag = self.rnd.choice((0, 0, 1, 2, 3, 3, 5, 8, 12, 20, 30))
            jitter = [self.rnd.randint(-2, 6) for _ in self.steps]
            forced_open = frozenset()
        done = [
            step.due_days + lag + jitter[i] <= elapsed and step.key not in forced_open
            for i, (_phase, step) in enumerate(self.steps)
        ]
        open_required = [
            self.phase_index[phase.key]
            for i, (phase, step) in enumerate(self.steps)
            if step.required and not done[i]
        ]
        current = open_required[0] if open_required else len(self.spec.phases) - 1
        for i, (phase, _step) in enumerate(self.steps):
            index = self.phase_index[phase.key]
            if index < current:
                done[i] = True
            elif index > current:
                done[i] = False
        engagement.current_phase = self.spec.phases[current].key
        story.done = done
        story.finished = []
        for i, (_phase, step) in enumerate(self.steps):
            if not done[i]:
                story.finished.append(None)
                continue
            day = engagement.starts_on + timedelta(days=step.due_days + max(-3, lag + jitter[i]))
            story.finished.append(self.at(max(engagement.starts_on, min(day, self.today))))
        if all(done) and scenario is None and self.rnd.random() < 0.85:
            last = max(f for f in story.finished if f is not None)
            engagement.status = EngagementStatus.COMPLETED
            engagement.completed_at = min(last + timedelta(days=1), self.now)
            engagement.ends_on = timezone.localdate(engagement.completed_at)
        for i, row in enumerate(steps_for(engagement, self.spec)):
            phase, step = self.steps[i]
            if done[i]:
                row.status = StepStatus.DONE
                row.completed_by = story.by_role(step.owner)
                row.completed_at = story.finished[i]
                row.checklist_done = [True] * len(step.checklist)
            elif self.phase_index[phase.key] == current and step.checklist:
                ticked = self.rnd.randint(0, len(step.checklist) - 1)
                row.checklist_done = [n < ticked for n in range(len(step.checklist))]
            rows.steps.append(row)

    def finished_at(self, story: Story, key: str) -> datetime | None:
        """When the step `key` was done, or None."""
        for i, (_phase, step) in enumerate(self.steps):
            if step.key == key:
                return story.finished[i]
        return None

    def earlier_done(self, story: Story, i: int, count: int) -> bool:
        """The `count` steps before step `i`, in its phase, are done (the work is under way)."""
        phase = self.steps[i][0].key
        before = [j for j in range(i) if self.steps[j][0].key == phase][-count:]
        return len(before) == count and all(story.done[j] for j in before)

    def in_current_phase(self, story: Story, phase: schema.PhaseSpec) -> bool:
        return (
            story.engagement.status == EngagementStatus.ACTIVE
            and phase.key == story.engagement.current_phase
        )

    # --- content --------------------------------------------------------------------------------

    def content(self, story: Story, rows: Rows) -> None:
        """The records behind the done steps, and what is under way in the current phase."""
        planned_meeting = False
        for i, (phase, step) in enumerate(self.steps):
            finished = story.finished[i]
            current = self.in_current_phase(story, phase)
            if step.kind == "agreement":
                self.agreement(story, rows, finished, current)
            elif step.kind == "meeting" and step.meeting:
                if finished is not None:
                    self.meeting(story, rows, step.meeting, finished)
                elif current and not planned_meeting:
                    due = story.engagement.starts_on + timedelta(days=step.due_days)
                    if abs((due - self.today).days) <= 10:
                        self.meeting(story, rows, step.meeting, None)
                        planned_meeting = True
            elif step.kind == "form" and step.form and finished is not None:
                self.form(story, rows, step, finished)
                if step.key == "next-goals" and any(
                    m.key == "goal-setting" for m in self.spec.meeting_types
                ):
                    self.meeting(story, rows, "goal-setting", finished)
            elif step.kind == "plan":
                self.plan(story, rows, finished)
            elif step.kind == "feedback" and step.form:
                if finished is not None or (current and self.earlier_done(story, i, 1)):
                    self.feedback(story, rows, step.form, finished)
            elif step.kind == "score" and step.rubric and finished is not None:
                self.score(story, rows, step.rubric, finished, subject="Practice, observed")
            elif step.kind == "portfolio" and (
                finished is not None or (current and self.earlier_done(story, i, 2))
            ):
                self.portfolio(story, rows, finished)

    def agreement(self, story: Story, rows: Rows, finished: datetime | None, current: bool) -> None:
        agreement = self.spec.agreement
        if agreement is None:
            return
        engagement = story.engagement
        if finished is None and not (current and self.rnd.random() < 0.6):
            return
        signers = agreement.signers if finished is not None else agreement.signers[:1]
        for n, role in enumerate(signers):
            user = story.by_role(role)
            when = (finished or self.now) - timedelta(hours=(len(signers) - n) * 5)
            rows.signatures.append(
                AgreementSignature(
                    organisation_id=engagement.organisation_id,
                    engagement=engagement,
                    user=user,
                    role=role,
                    signed_name=user.full_name,
                    text=engagement.agreement_text,
                    text_digest=self.digest,
                    signed_at=max(when, self.at(engagement.starts_on, 8)),
                )
            )

    def meeting(self, story: Story, rows: Rows, type_key: str, finished: datetime | None) -> None:
        kind = self.spec.meeting_type(type_key)
        engagement = story.engagement
        starts_at = self.soon() if finished is None else finished - timedelta(minutes=kind.minutes)
        mode = self.rnd.choice(kind.modes)
        created_at = min(starts_at - timedelta(days=7), self.now)
        meeting = Meeting(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            meeting_type=kind.key,
            title=kind.title,
            starts_at=starts_at,
            minutes=kind.minutes,
            mode=mode,
            location=story.school.name if mode == "in_person" else "",
            status=MeetingStatus.PLANNED if finished is None else MeetingStatus.HELD,
            agenda=[stage.model_dump(mode="json") for stage in kind.agenda],
            stage_notes=[
                "" if finished is None else self.rnd.choice(STAGE_NOTES) for _ in kind.agenda
            ],
            summary="" if finished is None else "Held as planned; next steps agreed.",
            author=story.coach,
            visibility=kind.visibility or self.spec.default_visibility("meeting"),
            held_at=finished,
            created_at=created_at,
            updated_at=finished or created_at,
        )
        rows.meetings.append(meeting)
        invite(
            rows.meeting_participants,
            meeting,
            [story.by_role(role) for role in kind.attendees],
        )

    def form(self, story: Story, rows: Rows, step: schema.StepSpec, finished: datetime) -> None:
        assert step.form is not None
        form = self.spec.form(step.form)
        role = step.owner if step.owner in form.filled_by else form.filled_by[0]
        engagement = story.engagement
        for n in range(self.rnd.randint(1, 3) if form.repeatable else 1):
            data: dict[str, Any] = {}
            for spec_field in form.fields:
                if not spec_field.required and self.rnd.random() < 0.4:
                    continue
                if spec_field.type == "scale":
                    data[spec_field.key] = self.rnd.randint(
                        max(spec_field.scale[0], spec_field.scale[1] - 2), spec_field.scale[1]
                    )
                elif spec_field.type == "choice":
                    data[spec_field.key] = self.rnd.choice(spec_field.choices)
                elif spec_field.type == "date":
                    data[spec_field.key] = (finished.date() + timedelta(days=14)).isoformat()
                elif spec_field.type == "number":
                    data[spec_field.key] = self.rnd.randint(1, 10)
                else:
                    data[spec_field.key] = self.text(spec_field.key)
            when = finished - timedelta(days=n)
            rows.forms.append(
                FormResponse(
                    organisation_id=engagement.organisation_id,
                    engagement=engagement,
                    form_key=form.key,
                    title=form.title,
                    author=story.by_role(role),
                    visibility=form.visibility or self.spec.default_visibility("form"),
                    data=data,
                    created_at=when,
                    updated_at=when,
                )
            )

    def plan(self, story: Story, rows: Rows, submitted: datetime | None) -> None:
        """A plan sent for approval when its step is done: approved when the approval step is,
        otherwise awaiting the sponsor (or returned with comments); a draft now and then."""
        engagement = story.engagement
        forced = story.scenario.plan if story.scenario else None
        approved = self.finished_at(story, "ipcap-approval")
        if submitted is None:
            elapsed = (self.today - engagement.starts_on).days
            if forced is None and (elapsed < 10 or self.rnd.random() < 0.4):
                return
            status: str = PlanStatus.DRAFT
        elif approved is not None:
            status = PlanStatus.APPROVED
        else:
            status = forced or (
                PlanStatus.RETURNED if self.rnd.random() < 0.2 else PlanStatus.SUBMITTED
            )
        revised = status == PlanStatus.APPROVED and self.rnd.random() < 0.25
        first = submitted or self.now - timedelta(days=self.rnd.randint(1, 4))
        plan = Plan(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            author=story.coach,
            visibility=self.spec.default_visibility("plan"),
            status=status,
            number=2 if revised else 1,
            approved_number=(2 if revised else 1) if status == PlanStatus.APPROVED else None,
            submitted_at=None if status == PlanStatus.DRAFT else first,
            updated_at=first,
        )
        rows.plans.append(plan)
        goals = self.rnd.sample(GOALS, 2)
        summary = f"Coaching {story.coachee.full_name}: {goals[0][0].lower()}."
        versions = [[dict(zip(("title", "measure", "evidence"), g, strict=True)) for g in goals]]
        if revised:
            versions.append(
                [
                    *versions[0],
                    dict(
                        zip(("title", "measure", "evidence"), self.rnd.choice(GOALS), strict=True)
                    ),
                ]
            )
        for number, version_goals in enumerate(versions, start=1):
            rows.plan_versions.append(
                PlanVersion(
                    plan=plan,
                    number=number,
                    summary=summary,
                    goals=version_goals,
                    author=story.coach,
                    created_at=first - timedelta(hours=2) + timedelta(days=3 * (number - 1)),
                )
            )
        if status == PlanStatus.DRAFT:
            return

        def review(
            number: int, decision: str, actor: User, when: datetime, comments: str = ""
        ) -> None:
            rows.plan_reviews.append(
                PlanReview(
                    plan=plan,
                    number=number,
                    decision=decision,
                    comments=comments,
                    actor=actor,
                    created_at=min(when, self.now),
                )
            )

        review(1, ReviewDecision.SUBMITTED, story.coach, first)
        if status == PlanStatus.RETURNED or revised:
            review(
                1,
                ReviewDecision.RETURNED,
                story.sponsor,
                first + timedelta(days=2),
                "Make the second goal measurable: how many, by when?",
            )
        if revised:
            review(2, ReviewDecision.SUBMITTED, story.coach, first + timedelta(days=3))
        if status == PlanStatus.APPROVED:
            assert approved is not None
            review(plan.number, ReviewDecision.APPROVED, story.sponsor, approved)

    def feedback(self, story: Story, rows: Rows, form_key: str, closed: datetime | None) -> None:
        form = self.spec.form(form_key)
        engagement = story.engagement
        opened = (closed or self.now) - timedelta(days=self.rnd.randint(3, 7))
        collection = FeedbackCollection(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            form_key=form.key,
            form=form.model_dump(mode="json"),
            title=form.title,
            token=f"demo{self.rnd.getrandbits(160):040x}",
            author=story.coach,
            visibility=self.spec.default_visibility("feedback"),
            min_responses=max(3, form.min_responses),
            min_comments=max(3, form.min_responses, form.min_responses_for_comments),
            created_at=opened,
            closed_at=closed,
        )
        rows.collections.append(collection)
        count = self.rnd.randint(6, 14) if closed is not None else self.rnd.randint(0, 4)
        for _n in range(count):
            data: dict[str, Any] = {
                f.key: self.rnd.randint(max(f.scale[0], f.scale[1] - 2), f.scale[1])
                for f in form.fields
                if f.type == "scale"
            }
            if self.rnd.random() < 0.3:
                data["comment"] = self.rnd.choice(
                    ["More time for the teams to talk.", "Clear and useful.", "Start on time."]
                )
            rows.answers.append(
                FeedbackAnswer(
                    collection=collection,
                    data={k: v for k, v in data.items() if k in {f.key for f in form.fields}},
                    answered_on=timezone.localdate(opened) + timedelta(days=self.rnd.randint(0, 2)),
                )
            )

    def score(
        self, story: Story, rows: Rows, rubric_key: str, when: datetime, *, subject: str
    ) -> RubricScore:
        rubric = self.spec.rubric(rubric_key)
        engagement = story.engagement
        levels = sorted(level.score for level in rubric.levels)
        score = RubricScore(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            rubric_key=rubric.key,
            rubric=rubric.model_dump(mode="json"),
            subject=subject,
            author=story.coach,
            visibility=self.spec.default_visibility("score"),
            feedback="A well-prepared session; next, hand more of the analysis to the team.",
            created_at=when,
        )
        rows.scores.append(score)
        for criterion in rubric.criteria:
            rows.ratings.append(
                CriterionRating(
                    score=score,
                    criterion_key=criterion.key,
                    criterion=criterion.title,
                    level=self.rnd.choice(levels[1:] if len(levels) > 2 else levels),
                    evidence=self.text("evidence"),
                )
            )
        return score

    def portfolio(self, story: Story, rows: Rows, accepted: datetime | None) -> None:
        engagement = story.engagement
        forced = story.scenario.entry if story.scenario else None
        status: str
        if accepted is not None:
            status = EntryStatus.ACCEPTED
        else:
            status = forced or (
                EntryStatus.RETURNED if self.rnd.random() < 0.3 else EntryStatus.SUBMITTED
            )
        title, description, filename = self.rnd.choice(PORTFOLIO)
        submitted = (accepted or self.now) - timedelta(days=self.rnd.randint(3, 8))
        entry = PortfolioEntry(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            author=story.coachee,
            visibility=self.spec.default_visibility("portfolio"),
            title=title,
            description=description,
            status=status,
            created_at=submitted,
            accepted_at=accepted,
        )
        rows.entries.append(entry)
        stored = demo_file(filename, f"{title}\n\n{description}.\n")
        returned_first = status == EntryStatus.RETURNED or self.rnd.random() < 0.3
        revision_count = 2 if returned_first and status != EntryStatus.RETURNED else 1
        revisions = []
        for number in range(1, revision_count + 1):
            revision = PortfolioRevision(
                entry=entry,
                number=number,
                file=stored.name,
                filename=filename,
                content_type="text/plain",
                size=stored.size,
                note="" if number == 1 else "Added the minutes, as asked.",
                submitted_at=submitted + timedelta(days=2 * (number - 1)),
            )
            revisions.append(revision)
            rows.revisions.append(revision)
        if returned_first:
            rows.entry_reviews.append(
                PortfolioReview(
                    entry=entry,
                    revision=revisions[0],
                    reviewer=story.coach,
                    decision=EntryStatus.RETURNED,
                    feedback="Add the minutes of the meetings, so the evidence is complete.",
                    created_at=min(submitted + timedelta(days=1), self.now),
                )
            )
        if status == EntryStatus.ACCEPTED:
            assert accepted is not None
            score = self.score(story, rows, "portfolio", accepted, subject=title)
            rows.entry_reviews.append(
                PortfolioReview(
                    entry=entry,
                    revision=revisions[-1],
                    reviewer=story.coach,
                    decision=EntryStatus.ACCEPTED,
                    feedback="Complete, with evidence for each claim. Archived.",
                    score=score,
                    created_at=accepted,
                )
            )


class StoredFile:
    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size


def demo_file(filename: str, text: str) -> StoredFile:
    """A small text file in the upload storage, shared by the demo entries that use it, so that
    generating the data again writes nothing new."""
    name = f"demo/portfolio/{filename}"
    content = text.encode()
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return StoredFile(name, len(content))


# --- The district -------------------------------------------------------------------------------


@transaction.atomic
def generate(*, size: str = "demo", seed: int = 2026, now: datetime | None = None) -> DemoResult:
    """The same `seed` (and moment `now`, by default the present) gives the same data."""
    spec = SIZES[size]
    rnd = random.Random(seed)
    password = make_password(DEMO_PASSWORD)
    now = now or timezone.now()
    today = timezone.localdate(now)

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
    cycles_spec = CYCLE_SIZES[size]
    # coach@ and, in the demo, a colleague coach in both programmes; at scale the others are
    # instructional coaches only
    cycle_coaches = coaches[: cycles_spec.shared_coaches]
    cycle_coaches += [
        person(district, Role.COACH)
        for _ in range(cycles_spec.coaches - cycles_spec.shared_coaches)
    ]
    reps = [person(district, Role.DISTRICT_REP, f"district@{DEMO_DOMAIN}")]
    reps += [person(district, Role.DISTRICT_REP) for _ in range(spec.district_reps - 1)]
    leaders_by_school: list[list[int]] = []
    teachers_by_school: list[list[int]] = []
    staff_by_school: list[list[int]] = []
    for i, school in enumerate(schools):
        first = i == 0
        leaders = [person(school, Role.SCHOOL_LEADER, f"leader@{DEMO_DOMAIN}" if first else None)]
        leaders += [person(school, Role.SCHOOL_LEADER) for _ in range(spec.leaders - 1)]
        teachers = [person(school, Role.TEACHER, f"teacher@{DEMO_DOMAIN}" if first else None)]
        teachers += [
            person(school, Role.TEACHER, IC_TEACHER if first and n == IC_FIRST_TEACHER else None)
            for n in range(1, spec.teachers)
        ]
        staff = [person(school, Role.STAFF, f"staff@{DEMO_DOMAIN}" if first else None)]
        staff += [person(school, Role.STAFF) for _ in range(spec.staff - 1)]
        leaders_by_school.append(leaders)
        teachers_by_school.append(teachers)
        staff_by_school.append(staff)

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

    playbook = performance_playbook()
    version = playbook.current
    assert version is not None
    playbook_spec = version.spec
    starts_on = today - timedelta(days=HISTORY_DAYS + 10)
    cohort = f"{starts_on:%B %Y}"
    instructional = Programme.objects.create(
        organisation=district,
        name=f"Teacher performance coaching, {cohort} cohort",
        playbook=playbook,
        starts_on=starts_on,
        description="Performance coaching for teachers, sponsored by their school leaders.",
    )
    leadership = Programme.objects.create(
        organisation=district,
        name=f"Leadership coaching, {cohort} cohort",
        playbook=playbook,
        starts_on=starts_on,
        description="Performance coaching for school leaders, sponsored by the district.",
    )
    coach_users = [users[c] for c in coaches]
    for programme in (instructional, leadership):
        programme.administrators.add(u_admin)
        programme.coaches.add(*coach_users)

    author = Author(playbook_spec, rnd, today, now)
    rows = Rows()
    stories: list[Story] = []
    participants: list[Participant] = []
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
            programme, title = instructional, "Performance coaching"
            sponsor = leaders_by_school[s][0]
        coach = coaches[n % len(coaches)]
        scenario = COACH_SCENARIOS.get(n // len(coaches)) if coach == coaches[0] else None
        days_ago = scenario.days_ago if scenario else rnd.randint(3, HISTORY_DAYS)
        engagement = Engagement(
            organisation=school,
            programme=programme,
            title=f"{title}: {users[coachee].full_name}",
            starts_on=today - timedelta(days=days_ago),
            playbook_version=version,
            agreement_text=playbook_spec.agreement.text if playbook_spec.agreement else "",
        )
        engagement.created_at = author.at(engagement.starts_on - timedelta(days=7))
        story = Story(
            engagement,
            users[coach],
            users[coachee],
            users[sponsor],
            users[reps[0]],
            school,
            scenario,
        )
        stories.append(story)
        participants += [
            Participant(engagement=engagement, user=users[coach], role=ParticipantRole.COACH),
            Participant(engagement=engagement, user=users[coachee], role=ParticipantRole.COACHEE),
            Participant(engagement=engagement, user=users[sponsor], role=ParticipantRole.SPONSOR),
            Participant(
                engagement=engagement, user=users[reps[0]], role=ParticipantRole.DISTRICT_REP
            ),
        ]
        author.progress(story, rows)
        author.content(story, rows)
    Engagement.objects.bulk_create([s.engagement for s in stories], batch_size=1000)
    Participant.objects.bulk_create(participants, batch_size=2000)
    notes = []
    levels = [Visibility.PRIVATE, Visibility.TEAM, Visibility.SPONSORS, Visibility.PROGRAMME]
    for e, story in enumerate(stories):
        engagement = story.engagement
        for k in range(spec.notes_per_engagement):
            visibility = levels[(e + k) % len(levels)]
            notes.append(
                Note(
                    organisation=engagement.organisation,
                    engagement=engagement,
                    author=story.coach,
                    visibility=visibility,
                    title=NOTE_TITLES[(e + k) % len(NOTE_TITLES)],
                    body=(
                        f"({visibility.label.split(':')[0]} note) Observed a lesson focused on the "
                        "current action step. Praise: clear success criteria on the board. Next: "
                        "check for understanding before independent practice."
                    ),
                    created_at=author.at(
                        engagement.starts_on + timedelta(days=7 * (k + 1)), hour=15
                    ),
                )
            )
    Note.objects.bulk_create(notes, batch_size=2000)
    counts = rows.write()
    counts["notes"] = len(notes)
    cycle_counts = generate_cycles(
        size=size,
        seed=seed,
        district=district,
        schools=schools,
        coaches=[users[c] for c in cycle_coaches],
        teachers_by_school=[[users[t] for t in ts] for ts in teachers_by_school],
        leaders_by_school=[[users[t] for t in ls] for ls in leaders_by_school],
        admin=u_admin,
        now=now,
    )
    engagements = len(stories) + cycle_counts.pop("engagements")
    counts["steps"] += cycle_counts.pop("steps")
    counts["participants"] = len(participants) + cycle_counts.pop("participants")
    for name, value in cycle_counts.items():
        counts[name] = counts.get(name, 0) + value
    peer_counts = generate_peer(
        size=size,
        seed=seed,
        district=district,
        schools=schools,
        leaders_by_school=[[users[t] for t in ls] for ls in leaders_by_school],
        supervisors=[users[r] for r in reps],
        rep=users[reps[0]],
        admin=u_admin,
        now=now,
    )
    engagements += peer_counts.pop("peer_engagements")
    counts["steps"] += peer_counts.pop("peer_steps")
    counts["participants"] += peer_counts.pop("peer_participants")
    for name in ("meetings", "meeting_participants", "notes", "signatures"):
        counts[name] = counts.get(name, 0) + peer_counts.pop(f"peer_{name}")
    counts.update(peer_counts)
    survey_counts = generate_surveys(
        size=size,
        seed=seed,
        district=district,
        schools=schools,
        leaders_by_school=[[users[t] for t in ls] for ls in leaders_by_school],
        teachers_by_school=[[users[t] for t in ts] for ts in teachers_by_school],
        staff_by_school=[[users[t] for t in ss] for ss in staff_by_school],
        coaches=[users[c] for c in coaches],
        rep=users[reps[0]],
        admin=u_admin,
        now=now,
    )
    engagements += survey_counts.pop("lfl_engagements")
    counts["steps"] += survey_counts.pop("lfl_steps")
    counts["participants"] += survey_counts.pop("lfl_participants")
    counts["signatures"] = counts.get("signatures", 0) + survey_counts.pop("lfl_signatures")
    counts.update(survey_counts)
    coach_counts = generate_coaches(
        size=size,
        seed=seed,
        district=district,
        schools=schools,
        coaches=[users[c] for c in coaches + cycle_coaches[cycles_spec.shared_coaches :]],
        teachers_by_school=[[users[t] for t in ts] for ts in teachers_by_school],
        leaders_by_school=[[users[t] for t in ls] for ls in leaders_by_school],
        admin=u_admin,
        now=now,
    )
    engagements += coach_counts.pop("coach_engagements")
    counts["steps"] += coach_counts.pop("coach_steps")
    counts["participants"] += coach_counts.pop("coach_participants")
    counts["signatures"] += coach_counts.pop("coach signatures")
    counts.update(coach_counts)

    # Fresh planner statistics, as after any bulk load: PostgreSQL's autovacuum gathers them
    # soon after, SQLite only when asked. Without them SQLite picks poor indexes for the steps.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    refresh_cadence(today)

    second_factor = {
        f"admin@{DEMO_DOMAIN}",
        f"coach@{DEMO_DOMAIN}",
        f"leader@{DEMO_DOMAIN}",
        f"district@{DEMO_DOMAIN}",
    }
    for email in sorted(second_factor):
        TOTP.activate(by_email[email], DEMO_TOTP_SECRET)

    return DemoResult(
        organisations=2 + len(schools),
        people=len(users),
        engagements=engagements,
        steps=counts.pop("steps"),
        other_rows=counts,
    )


def refresh_cadence(today: date) -> None:
    """Every engagement's cadence (on track, at risk, off track), checked once after the bulk
    load, as the cadence service keeps it afterwards."""
    try:
        from coachloop.cadence.services import refresh_all  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("cadence not refreshed: coachloop.cadence.services.refresh_all is not there yet")
        return
    refresh_all(today=today)


# --- Instructional coaching (seed 004) ----------------------------------------------------------

IC_PLAYBOOK_KEY = "instructional-coaching"

#: The district's action-step library, in the order of its scope and sequence: (category, the
#: larger goal it serves, [(step, success criteria, what it looks like, non-examples)]).
LIBRARY: list[tuple[str, str, list[tuple[str, list[str], str, str]]]] = [
    (
        "Routines and procedures",
        "Every minute of the lesson is used for learning.",
        [
            (
                "Start every lesson with a silent entry task",
                [
                    "The task is on the board before students arrive",
                    "Students start within one minute of entering",
                    "The task reviews yesterday's learning",
                ],
                "The teacher greets students at the door, points to the board and circulates; "
                "every student is writing within a minute.",
                "A task that needs explaining first; students waiting for the teacher to start.",
            ),
            (
                "Give instructions in small, observable steps",
                [
                    "Each instruction names what students do, not what they stop doing",
                    "No more than three steps at a time",
                    "Students can repeat the steps when asked",
                ],
                "'Pens down, eyes on me, book open at page 12.' The teacher waits until it is "
                "done before the next instruction.",
                "'Get ready for the next bit' with no detail; five instructions in one breath.",
            ),
            (
                "Rehearse transitions until they take under a minute",
                [
                    "The transition is modelled once",
                    "Students practise it and are timed",
                    "The teacher re-runs it when it is slow or noisy",
                ],
                "Moving to groups: the teacher shows where chairs go, times the class, and "
                "praises the row that was ready first.",
                "Waiting for silence that never comes; 'quickly please' without a model.",
            ),
            (
                "Hand out and collect materials with a set routine",
                [
                    "Materials are passed along rows, not fetched",
                    "Each row has a named monitor",
                    "Handing out takes less than 30 seconds",
                ],
                "Row monitors pass worksheets along on a count of three while the teacher "
                "introduces the task.",
                "The teacher walking round the room handing out sheets one at a time.",
            ),
        ],
    ),
    (
        "Classroom culture",
        "A calm, purposeful room where every student takes part.",
        [
            (
                "Scan the room after every instruction",
                [
                    "The teacher stands still at a fixed point while scanning",
                    "Scanning covers the corners of the room",
                    "Off-task students are noticed within ten seconds",
                ],
                "After 'Start question 1', the teacher stands at the front corner and looks "
                "across each row before moving.",
                "Giving an instruction and immediately helping one student at their desk.",
            ),
            (
                "Narrate what students are doing well",
                [
                    "Narration names a specific action",
                    "It follows an instruction within a few seconds",
                    "The tone stays warm and matter-of-fact",
                ],
                "'Table three already has their title underlined. I can see Sam is on question "
                "two.'",
                "'Good job everyone' with nothing specific; praise used as sarcasm.",
            ),
            (
                "Correct behaviour with the least invasive step",
                [
                    "A non-verbal signal comes first",
                    "Corrections are anonymous where possible",
                    "Teaching continues while correcting",
                ],
                "The teacher makes eye contact and gestures to a student's book while still "
                "explaining the model.",
                "Stopping the lesson to tell off one student in front of everyone.",
            ),
            (
                "Hold every student to the same standard of attention",
                [
                    "The standard is stated before the task",
                    "The teacher waits for full attention before speaking",
                    "The same response for every student who misses it",
                ],
                "'I need all eyes here' followed by a pause until the last student looks up.",
                "Talking over chatter; letting the front rows off but not the back.",
            ),
        ],
    ),
    (
        "Planning for learning",
        "Lessons built backwards from what students must learn.",
        [
            (
                "Write a lesson objective that can be assessed",
                [
                    "The objective names what students will be able to do",
                    "It can be checked by the end of the lesson",
                    "The exit task matches the objective",
                ],
                "'Students will be able to find the area of a compound shape' with an exit "
                "ticket of two compound shapes.",
                "'Students will understand area'; 'Complete worksheet 4'.",
            ),
            (
                "Write the exemplar answer before teaching",
                [
                    "The exemplar is written before the lesson",
                    "It shows the standard expected of students",
                    "Key features are annotated",
                ],
                "The teacher's plan includes a model paragraph with the three features "
                "students must use, underlined.",
                "Deciding what a good answer looks like while marking.",
            ),
            (
                "Script the key questions for the lesson",
                [
                    "Three to five questions are written in the plan",
                    "Questions move from recall to reasoning",
                    "Likely wrong answers are noted with a response",
                ],
                "A plan with 'Q1: What is a factor? Q2: Why is 1 a factor of every number?' "
                "and the misconception to listen for.",
                "Improvised questions; only 'Any questions?'.",
            ),
            (
                "Plan independent practice that matches the objective",
                [
                    "Practice tasks use the skill taught",
                    "Tasks increase in difficulty",
                    "There is enough practice for the time planned",
                ],
                "Ten questions from routine to unfamiliar, with a stretch question for early "
                "finishers.",
                "A word search after a lesson on equations; five identical questions.",
            ),
        ],
    ),
    (
        "Checking for understanding",
        "The teacher knows who has learned what, during the lesson.",
        [
            (
                "Use mini-whiteboards for whole-class answers",
                [
                    "Every student shows an answer at the same time",
                    "The teacher scans all boards before responding",
                    "The teacher acts on what the boards show",
                ],
                "'Write the next step. Three, two, one, show me.' The teacher scans, then "
                "re-teaches the step a third of the class missed.",
                "Asking 'Does everyone understand?' and moving on after three nods.",
            ),
            (
                "Cold call with wait time",
                [
                    "The question comes before the name",
                    "At least three seconds of wait time",
                    "Students who cannot answer are returned to",
                ],
                "'What caused the river to flood? (pause) Priya.' Later: 'Priya, tell us now.'",
                "Only taking hands up; naming a student before asking the question.",
            ),
            (
                "Circulate with a purpose during practice",
                [
                    "The teacher has a route covering every table",
                    "Feedback is brief and specific",
                    "Common errors are noted for the whole class",
                ],
                "The teacher visits every desk in the first four minutes, ticking correct "
                "answers and noting one shared error to address.",
                "Sitting at the desk; spending the whole practice with one student.",
            ),
            (
                "Use exit tickets to plan the next lesson",
                [
                    "The exit ticket takes three minutes or less",
                    "It is sorted into got it / nearly / not yet",
                    "The next lesson starts with what was missed",
                ],
                "Two questions on a slip, sorted into three piles after the lesson; the next "
                "starter re-teaches the most common error.",
                "Exit tickets collected and never looked at.",
            ),
        ],
    ),
    (
        "Student talk and rigour",
        "Students do the thinking, in full, reasoned answers.",
        [
            (
                "Ask for answers in complete sentences",
                [
                    "The expectation is stated before questioning",
                    "One-word answers are asked again in full",
                    "Sentence starters are on the board",
                ],
                "'Say it in a full sentence, using the word \"because\".'",
                "Accepting 'photosynthesis' and completing the sentence for the student.",
            ),
            (
                "Push for evidence: 'How do you know?'",
                [
                    "Correct answers are followed up, not only wrong ones",
                    "Students point to evidence in the text or working",
                    "The teacher does not supply the reasoning",
                ],
                "'Right. How do you know?' and the student points to line 14.",
                "'Great!' after a correct answer with no reasoning asked for.",
            ),
            (
                "Ask students to build on each other's answers",
                [
                    "Students respond to a peer, not only to the teacher",
                    "The teacher uses agree, build on or challenge prompts",
                    "At least three students contribute to one question",
                ],
                "'Do you agree with Omar? Build on what he said.'",
                "Ping-pong questioning: teacher, student, teacher, student.",
            ),
            (
                "Stretch a right answer with a harder question",
                [
                    "A follow-up question comes after a correct answer",
                    "The follow-up raises the level of thinking",
                    "The same student answers the follow-up",
                ],
                "'Correct. What would change if the angle were obtuse?'",
                "Moving to a new student as soon as an answer is right.",
            ),
        ],
    ),
    (
        "Feedback and re-teaching",
        "Students act on feedback and close the gaps in their learning.",
        [
            (
                "Show-call a piece of student work",
                [
                    "Work is shown under the visualiser",
                    "The class identifies strengths against the criteria",
                    "Students improve their own work afterwards",
                ],
                "The teacher shows a paragraph, asks what makes it strong, then gives three "
                "minutes to improve one sentence.",
                "Reading out the best answer without saying why it is good.",
            ),
            (
                "Re-teach a misconception the next lesson",
                [
                    "The misconception is named explicitly",
                    "A new explanation or model is used",
                    "Students practise the corrected idea",
                ],
                "'Many of you added the denominators. Here is why that does not work.' "
                "followed by three practice questions.",
                "Repeating the same explanation more slowly.",
            ),
            (
                "Give whole-class feedback from a sample of books",
                [
                    "The feedback names two strengths and two gaps",
                    "Students have time to act on it in the lesson",
                    "Improvements are made in a different colour",
                ],
                "A feedback sheet with common errors and a model, and ten minutes of "
                "improvement time.",
                "Written comments in every book that students never read.",
            ),
            (
                "Have students check work against success criteria",
                [
                    "The criteria are visible during the task",
                    "Students tick each criterion they have met",
                    "They fix one unmet criterion before handing in",
                ],
                "A checklist at the bottom of the task sheet that students complete before "
                "submitting.",
                "Success criteria read at the start and never mentioned again.",
            ),
        ],
    ),
]
#: Steps a coach writes when a teacher has worked through the library.
COACH_WRITTEN: list[tuple[str, list[str], str, str]] = [
    (
        "Lead a department moderation of student work",
        [
            "Samples of three levels are brought",
            "Colleagues agree the standard",
            "Next steps are recorded for each class",
        ],
        "",
        "",
    ),
    (
        "Model a routine for a colleague to observe",
        [
            "The routine is explained before the lesson",
            "The colleague sees it run twice",
            "Feedback is swapped afterwards",
        ],
        "",
        "",
    ),
]
IC_FOR = [
    "Seen clearly, with the whole class.",
    "Done twice in the first ten minutes.",
    "Students responded straight away.",
    "Consistent from the start of the activity.",
    "Used well during the transition.",
    "Clear improvement on last week.",
]
IC_AGAINST = [
    "Not yet: dropped once the class got busy.",
    "Missing during the second activity.",
    "Started, but not followed through.",
    "Rushed; several students missed it.",
    "Not seen in this part of the lesson.",
]
IC_UNTAGGED = [
    "Students entered calmly; the task was on the board.",
    "Transition to group work took about ninety seconds.",
    "A small group at the back needed the instructions again.",
    "Strong relationships: students asked for help readily.",
    "Pace dipped during the worked example.",
    "Good use of the visualiser for the model.",
    "Two students finished early and waited.",
]
IC_NOTES = [
    "A short visit during the main task, focused on the current action step.",
    "Observed the start of the lesson and the first activity.",
    "Ten minutes of independent practice; the step was tried with the whole class.",
    "Visit during the plenary; the class was lively but focused.",
    "Brief drop-in; the step is becoming a habit.",
    "Focused on the first half of the lesson; good energy from the class.",
]
IC_BASELINE = "A first visit to see the teacher's practice before choosing a first action step."
IC_STAGE_NOTES = [
    [
        "Praised the clear start; the class was working within a minute.",
        "Specific praise on the step: it was consistent through the lesson.",
        "Students' work showed the impact: more of them finished the task.",
    ],
    [
        "Kept the current step; modelled it with the success criteria.",
        "Step mastered; chose the next one from the library and modelled it twice.",
        "Modelled with a non-example first, then the real thing.",
    ],
    [
        "The teacher named the gap between the model and the lesson herself.",
        "Discussed what students did differently when the step was used.",
        "Linked back to the success criteria one by one.",
    ],
    [
        "Three practice rounds; fluent by the last one.",
        "Practised with the coach playing a student; re-practised the opening.",
        "Two attempts; the second met every criterion.",
    ],
    [
        "Next observation booked for the same period next week.",
        "Study the model video before Tuesday; observation on Wednesday.",
        "Same routine: study on Monday, observe on Thursday.",
    ],
]
IC_SUMMARIES = [
    "Good progress on the step; next cycle planned.",
    "Step mastered; the next one agreed and practised.",
    "Practice was the most useful part; keep protecting the time.",
    "A short meeting, but the practice was strong.",
]
IC_PRACTICE_FEEDBACK = [
    "Good start; slow down the instruction and check the last row.",
    "Closer: the criterion about wait time is now met.",
    "Fluent and natural; every criterion met.",
    "Re-practise the opening line so it is automatic.",
]
IC_REFLECTIONS = [
    (
        "I used the step at the start of every lesson this week.",
        "Students settled faster and asked fewer questions about what to do.",
        "Keeping it going in the afternoon lessons.",
    ),
    (
        "I tried the routine with my Year 9 group.",
        "It worked once they had seen it twice; the first go was slow.",
        "Practising the instruction wording before the lesson.",
    ),
    (
        "I planned the questions in advance for the first time.",
        "More students could explain their answers.",
        "Adding a harder follow-up question for each.",
    ),
    (
        "I waited before taking answers.",
        "Quieter students started to answer.",
        "Returning to students who said 'I don't know'.",
    ),
]


@dataclass(frozen=True)
class CyclesSize:
    """The instructional coaching programme: coaches, each with teachers at a few schools."""

    coaches: int
    #: how many of them, coach@ first, also coach in the performance programmes
    shared_coaches: int
    teachers_per_coach: int
    schools_per_coach: int
    #: the engagements started between these many days ago
    days_ago: tuple[int, int]
    #: how many days a cycle takes (a choice per cycle: a weekly rhythm, give or take)
    cycle_days: tuple[int, ...]
    #: observations per cycle (a choice per cycle)
    observations: tuple[int, ...]
    #: the history of the first coach's first teacher (the benchmark's teacher): days, and the
    #: exact number of observations (0: as chosen per cycle)
    first_days_ago: int
    first_observations: int


CYCLE_SIZES = {
    "demo": CyclesSize(2, 2, 6, 3, (12, 160), (6, 7, 7, 8, 9), (1, 1, 2, 2, 3), 170, 0),
    # 40 coaches with 35 teachers each (1,400 engagements; with 600 performance, 800 peer teams
    # and 200 Leadership for learning schools, 3,000), over a history long enough for 200,000
    # observations
    "large": CyclesSize(
        40, 1, 35, 5, (200, 726), (5, 6, 7, 7, 7, 8, 9), (1, 2, 2, 2, 2, 3, 3), 700, 300
    ),
}
#: teachers of the instructional programme are these at each school, counting from 0 (the
#: performance coaching engagements use the first few)
IC_FIRST_TEACHER = 8
#: coach@'s first instructional teacher, with the longest history (300 observations at scale)
IC_TEACHER = f"ic.teacher@{DEMO_DOMAIN}"
#: (coach, teacher) of the benchmark's caseload and observation history, per size: coach@, with
#: teachers_per_coach instructional teachers (40 at scale), and ic.teacher@. The same personas
#: in both sizes, so that their pages make the same queries (an empty list skips some).
BENCH_PERSONAS = {
    "demo": (f"coach@{DEMO_DOMAIN}", IC_TEACHER),
    "large": (f"coach@{DEMO_DOMAIN}", IC_TEACHER),
}


def instructional_playbook() -> Playbook:
    found = Playbook.objects.filter(organisation=None, key=IC_PLAYBOOK_KEY).first()
    if found is None or found.current_id is None:
        from coachloop.playbooks.services import sync_all_builtin

        sync_all_builtin()
        found = Playbook.objects.get(organisation=None, key=IC_PLAYBOOK_KEY)
    return found


def build_library(district: Organisation) -> list[LibraryStep]:
    """The district's action-step library: categories and steps, in the scope and sequence."""
    categories = [
        LibraryCategory(organisation=district, position=n, title=title, description=goal)
        for n, (title, goal, _steps) in enumerate(LIBRARY)
    ]
    LibraryCategory.objects.bulk_create(categories)
    steps = [
        LibraryStep(
            organisation=district,
            category=category,
            position=n,
            title=title,
            success_criteria=criteria,
            model=model,
            non_examples=non_examples,
        )
        for category, (_title, _goal, items) in zip(categories, LIBRARY, strict=True)
        for n, (title, criteria, model, non_examples) in enumerate(items)
    ]
    LibraryStep.objects.bulk_create(steps)
    return steps


@dataclass
class Teaching:
    """One instructional coaching engagement: who, and how long ago it started."""

    engagement: Engagement
    coach: User
    teacher: User
    sponsor: User
    school: Organisation
    days_ago: int
    observations: int = 0  # exact total, or 0 for as chosen


def insert_plain(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows that nothing points to, given as {field name: value} (a model instance
    standing for its id, missing fields taking their defaults), with one executemany per batch:
    several times faster than bulk_create, which builds and compiles every row as a model."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # names from the model's own metadata, values as parameters
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column or f.name) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    missing = object()
    defaults = {f.name: f.get_default() for f in fields}

    def value(f: models.Field[Any, Any], row: dict[str, Any]) -> Any:
        found = row.get(f.name, missing)
        if found is missing:
            found = row.get(f.attname, defaults[f.name])
        if isinstance(found, models.Model):
            found = found.pk
        return f.get_db_prep_save(found, connection)

    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(
                sql, [[value(f, row) for f in fields] for row in rows[start : start + 2000]]
            )


def invite(
    rows: list[dict[str, Any]], meeting: Meeting, people: list[User], attended: bool | None = None
) -> None:
    """The meeting's participants (each person once) as plain MeetingParticipant rows: attended
    for a held meeting unless said otherwise, not yet known (None) for a planned one."""
    if attended is None and meeting.status == MeetingStatus.HELD:
        attended = True
    seen: set[int] = set()
    for user in people:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append({"meeting": meeting, "user": user, "attended": attended})


@dataclass
class CycleRows:
    """An instructional chunk's rows, in the order the foreign keys need (the observations and
    practice attempts as plain rows: nothing points to them, and they are most of the data)."""

    engagements: list[Engagement] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    steps: list[StepProgress] = field(default_factory=list)
    signatures: list[AgreementSignature] = field(default_factory=list)
    action_steps: list[ActionStep] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    meeting_participants: list[dict[str, Any]] = field(default_factory=list)
    cycles: list[Cycle] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    practice_attempts: list[dict[str, Any]] = field(default_factory=list)
    forms: list[FormResponse] = field(default_factory=list)

    def write(self, counts: dict[str, int]) -> None:
        plain = {
            "observations": Observation,
            "practice_attempts": PracticeAttempt,
            "meeting_participants": MeetingParticipant,
        }
        for name, rows in vars(self).items():
            if name in plain:
                insert_plain(plain[name], rows)
            elif rows:
                type(rows[0]).objects.bulk_create(rows, batch_size=1000)
            counts[name] = counts.get(name, 0) + len(rows)
            rows.clear()


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class CycleAuthor:
    """Builds one instructional engagement's cycles: action steps from the library, brief
    observations tied to the current step, feedback meetings run with the guide, practice
    attempts and the teacher's reflections, and the playbook's steps done as far as they go."""

    def __init__(
        self,
        spec: schema.Playbook,
        rnd: random.Random,
        now: datetime,
        size: CyclesSize,
        library: list[LibraryStep],
    ) -> None:
        assert spec.cycle is not None
        assert spec.cycle.observation_rubric is not None
        self.spec = spec
        self.rnd = rnd
        self.today = timezone.localdate(now)
        self.now = now
        self.size = size
        self.library = library
        self.goals = {c.pk: c.description for c in {s.category for s in library}}
        self.kind = spec.meeting_type(spec.cycle.meeting)
        self.agenda = [stage.model_dump(mode="json") for stage in self.kind.agenda]
        self.rubric = spec.rubric(spec.cycle.observation_rubric)
        self.minutes = spec.cycle.observation_minutes
        self.reflection = spec.form("reflection")
        self.review = spec.form("year-review")
        self.steps = list(spec.steps())
        self.phase_index = {p.key: i for i, p in enumerate(spec.phases)}
        self.digest = text_digest(spec.agreement.text) if spec.agreement else ""
        self.visibility = {
            kind: spec.default_visibility(kind)
            for kind in ("action_step", "observation", "meeting", "form")
        }

    def at(self, day: date, hour: int | None = None) -> datetime:
        """A moment on `day` in school hours, never in the future."""
        hour = self.rnd.randint(8, 15) if hour is None else hour
        moment = timezone.make_aware(
            datetime.combine(day, time(hour, self.rnd.choice((0, 10, 20, 30, 40, 50))))
        )
        return min(moment, self.now - timedelta(minutes=self.rnd.randint(5, 90)))

    # --- the timeline ----------------------------------------------------------------------------

    def timeline(self, t: Teaching) -> tuple[date | None, list[tuple[date, date]], list[int]]:
        """The first observation's day, the closed cycles (opened, closed), and the number of
        observations in each closed cycle and, last, in the open one."""
        start = t.engagement.starts_on
        first = start + timedelta(days=self.rnd.randint(6, 10))
        if first >= self.today:
            return None, [], []
        closed: list[tuple[date, date]] = []
        opened = first
        while True:
            close = opened + timedelta(days=self.rnd.choice(self.size.cycle_days))
            if close >= self.today:
                break
            closed.append((opened, close))
            opened = close
        if t.observations and closed:
            share, extra = divmod(t.observations, len(closed))
            counts = [share + (1 if n < extra else 0) for n in range(len(closed))]
        else:
            counts = [self.rnd.choice(self.size.observations) for _ in closed]
        # the open cycle: an observation or two if it has been going for a few days
        running = (self.today - opened).days
        counts.append(
            0 if t.observations else min(self.rnd.choice((0, 1, 1, 2)), max(0, running - 1))
        )
        return first, closed, counts

    # --- one engagement ---------------------------------------------------------------------------

    def build(self, t: Teaching, rows: CycleRows) -> None:
        engagement = t.engagement
        rnd = self.rnd
        first, closed, counts = self.timeline(t)
        done_on: dict[str, datetime] = {}
        agreed = self.at(engagement.starts_on + timedelta(days=rnd.randint(1, 5)))
        if agreed.date() < self.today:
            done_on["agree"] = agreed
        if first is not None:
            self.cycles(t, rows, first, closed, counts, done_on)
        self.reflections(t, rows, done_on)
        self.progress(t, rows, done_on)

    def cycles(
        self,
        t: Teaching,
        rows: CycleRows,
        first: date,
        closed: list[tuple[date, date]],
        counts: list[int],
        done_on: dict[str, datetime],
    ) -> None:
        rnd = self.rnd
        engagement = t.engagement
        # which action step each cycle works on: a step lasts a few cycles, then it is mastered
        # (now and then paused) and the next one starts in that cycle's feedback meeting
        chosen = first + timedelta(days=rnd.randint(2, 3))
        periods = [*closed, (closed[-1][1] if closed else first, self.today)]
        offset = rnd.randrange(0, len(self.library) // 2)
        steps: list[ActionStep] = []
        step_of: list[ActionStep | None] = []
        spans: list[tuple[int, int]] = []  # (this cycle's place in its step, the step's span)
        n = 0
        while n < len(periods):
            span = rnd.choice((2, 3, 3, 4, 4, 5, 6))
            if chosen > self.today:
                step_of.extend([None] * (len(periods) - n))
                spans.extend([(0, 1)] * (len(periods) - n))
                break
            new = self.action_step(t, offset + len(steps), chosen)
            steps.append(new)
            last = min(n + span, len(periods))
            for k in range(n, last):
                step_of.append(new)
                spans.append((k - n, span))
            if last < len(periods):  # the step ends with the feedback meeting of cycle last-1
                ended = periods[last - 1][1]
                if rnd.random() < 0.08:
                    new.status, new.paused_on = ActionStepStatus.PAUSED, ended
                else:
                    new.status, new.mastered_on = ActionStepStatus.MASTERED, ended
                new.updated_at = self.at(ended, 16)
                chosen = ended
            n = last
        rows.action_steps.extend(steps)
        if steps:
            done_on["first-action-step"] = steps[0].created_at

        # the plan made in each feedback meeting for the cycle it opens: (study, observation)
        observed: list[list[date]] = []
        for number, (opened, close) in enumerate(periods):
            days = max(1, (close - opened).days)
            count = counts[number]
            if number == 0:
                picks = [opened] + [
                    opened + timedelta(days=rnd.randint(1, max(1, days - 1)))
                    for _ in range(count - 1)
                ]
            else:
                low = min(2, days - 1) if days > 1 else 0
                picks = [
                    opened + timedelta(days=rnd.randint(low, max(low, days - 1)))
                    for _ in range(count)
                ]
            observed.append(sorted(d for d in picks if d < self.today or number == 0))
        held: list[Meeting] = []
        for number, (_opened, close) in enumerate(closed):
            following = periods[number + 1]
            study_on = following[0] + timedelta(days=rnd.randint(0, 1))
            plan_obs = observed[number + 1][0] if observed[number + 1] else None
            plan_obs = plan_obs or following[0] + timedelta(days=rnd.randint(2, 4))
            held.append(self.meeting(t, rows, close, (study_on, plan_obs)))
        self.planned_meeting(t, rows, periods[-1][0])

        for number, (opened, close) in enumerate(periods):
            is_open = number == len(closed)
            step = step_of[number]
            place, span = spans[number]
            cycle = Cycle(
                organisation_id=engagement.organisation_id,
                engagement=engagement,
                number=number + 1,
                action_step=step,
                status=CycleStatus.OPEN if is_open else CycleStatus.CLOSED,
                opened_on=opened,
            )
            if number > 0:
                plan = held[number - 1].guide["plan"]
                cycle.study_planned_on = date.fromisoformat(plan["study_on"])
                cycle.observation_planned_on = date.fromisoformat(plan["observation_on"])
                if cycle.study_planned_on < self.today:
                    cycle.studied_on = min(
                        cycle.study_planned_on + timedelta(days=rnd.choice((0, 0, 0, 1))),
                        self.today,
                    )
            if observed[number]:
                cycle.observed_on = observed[number][0]
            if not is_open:
                cycle.meeting = held[number]
                cycle.closed_on = close
                cycle.closed_by = t.coach
            # written in bulk, past Cycle.save(): keep its stored report fields here
            cycle.closed_month, cycle.length_days = derived(cycle.opened_on, cycle.closed_on)
            rows.cycles.append(cycle)
            for k, day in enumerate(observed[number]):
                # the first visit comes before the first step is chosen
                baseline = number == 0 and k == 0
                tied = None if baseline or step is None or day < step.started_on else step
                self.observation(t, rows, cycle, tied, day, (place + 1) / span)
        if observed[0]:
            done_on["first-observation"] = rows.observations[-sum(map(len, observed))]["started_at"]
        if held:
            first_meeting = held[0].held_at
            assert first_meeting is not None
            done_on["first-feedback"] = first_meeting
            # the attempts at the step practised in each meeting
            for number, meeting in enumerate(held):
                step = step_of[number + 1] or step_of[number]
                if step is not None:
                    self.practice(t, rows, meeting, step, spans[number + 1])

    def action_step(self, t: Teaching, index: int, on: date) -> ActionStep:
        """The teacher's `index`-th step from the library's scope and sequence; past its end,
        one the coach wrote, then the library again from the start."""
        cycle = len(self.library) + len(COACH_WRITTEN)
        index %= cycle
        source: LibraryStep | None = None
        if index < len(self.library):
            source = self.library[index]
            title, criteria = source.title, source.success_criteria
            model, non_examples = source.model, source.non_examples
            goal = self.goals[source.category_id]
        else:
            title, criteria, model, non_examples = COACH_WRITTEN[index - len(self.library)]
            goal = "Share what works with colleagues."
        created = self.at(on, 16)
        return ActionStep(
            organisation_id=t.engagement.organisation_id,
            engagement=t.engagement,
            coachee=t.teacher,
            author=t.coach,
            visibility=self.visibility["action_step"],
            library_step=source,
            title=title,
            success_criteria=list(criteria),
            goal=goal,
            model=model,
            non_examples=non_examples,
            status=ActionStepStatus.CURRENT,
            started_on=on,
            created_at=created,
            updated_at=created,
        )

    def observation(
        self,
        t: Teaching,
        rows: CycleRows,
        cycle: Cycle,
        step: ActionStep | None,
        day: date,
        progress: float,
    ) -> None:
        """A brief observation; the later in the step's span, the more evidence for it."""
        rnd = self.rnd
        started = self.at(day)
        minutes = max(5, self.minutes + rnd.randint(-6, 10))
        offsets = sorted(rnd.sample(range(30, minutes * 60 - 30), rnd.randint(2, 6)))
        moments: list[dict[str, Any]] = []
        criteria = step.success_criteria if step is not None else []
        for offset in offsets:
            if criteria and rnd.random() < 0.75:
                seen = rnd.random() < 0.3 + 0.6 * progress
                moments.append(
                    {
                        "at": hms(offset),
                        "text": rnd.choice(IC_FOR if seen else IC_AGAINST),
                        "criterion": rnd.randrange(len(criteria)),
                        "evidence": "for" if seen else "against",
                    }
                )
            else:
                moments.append(
                    {
                        "at": hms(offset),
                        "text": rnd.choice(IC_UNTAGGED),
                        "criterion": None,
                        "evidence": None,
                    }
                )
        scores: dict[str, int] = {}
        if step is not None and rnd.random() < 0.35:
            base = 1 + round(2.5 * progress)
            scores = {
                c.key: max(1, min(4, base + rnd.choice((-1, 0, 0, 1))))
                for c in self.rubric.criteria
            }
        finished = min(started + timedelta(minutes=minutes), self.now)
        rows.observations.append(
            {
                "organisation_id": t.engagement.organisation_id,
                "engagement": t.engagement,
                "coachee": t.teacher,
                "action_step": step,
                "cycle": cycle,
                "author": t.coach,
                "visibility": self.visibility["observation"],
                "status": ObservationStatus.FINAL.value,
                "started_at": started,
                "duration_minutes": minutes,
                "notes": IC_BASELINE if step is None else rnd.choice(IC_NOTES),
                "moments": moments,
                "rubric_key": self.rubric.key if scores else "",
                "scores": scores,
                "revision": rnd.randint(2, 12),
                "created_at": started,
                "updated_at": finished,
                "finished_at": finished,
            }
        )

    def meeting(
        self,
        t: Teaching,
        rows: CycleRows,
        day: date,
        plan: tuple[date, date],
    ) -> Meeting:
        """A feedback meeting held with the guide: time spent per stage around the plan."""
        rnd = self.rnd
        starts_at = self.at(day, rnd.choice((8, 12, 13, 15, 15, 16)))
        stages = []
        for stage in self.agenda:
            extra = rnd.choice((0, 0, 0, 0, 0, 1, 2)) if stage["minutes"] >= 8 else 0
            skipped = stage["minutes"] <= 2 and rnd.random() < 0.03
            planned = (stage["minutes"] + extra) * 60
            spent = 0 if skipped else round(planned * rnd.uniform(0.6, 1.25))
            stages.append({"spent": spent, "extra": extra, "skipped": skipped, "visited": True})
        used = sum(s["spent"] for s in stages)
        held_at = min(starts_at + timedelta(seconds=used), self.now)
        mode = rnd.choice(self.kind.modes)
        meeting = Meeting(
            organisation_id=t.engagement.organisation_id,
            engagement=t.engagement,
            meeting_type=self.kind.key,
            title=self.kind.title,
            starts_at=starts_at,
            minutes=self.kind.minutes,
            mode=mode,
            location=t.school.name if mode == "in_person" else "",
            status=MeetingStatus.HELD,
            agenda=self.agenda,
            stage_notes=[rnd.choice(notes) for notes in IC_STAGE_NOTES],
            summary=rnd.choice(IC_SUMMARIES),
            author=t.coach,
            visibility=self.visibility["meeting"],
            held_at=held_at,
            updated_at=held_at,
            revision=rnd.randint(1, 6),
            guide={
                "current": len(stages) - 1,
                "running": False,
                "elapsed": 0,
                "at": held_at.isoformat(),
                "started": True,
                "finished": True,
                "finished_at": held_at.isoformat(),
                "stages": stages,
                "plan": {"study_on": plan[0].isoformat(), "observation_on": plan[1].isoformat()},
            },
            created_at=starts_at - timedelta(days=rnd.randint(5, 9)),
        )
        rows.meetings.append(meeting)
        invite(rows.meeting_participants, meeting, [t.coach, t.teacher])
        return meeting

    def planned_meeting(self, t: Teaching, rows: CycleRows, opened: date) -> Meeting:
        """The open cycle's feedback meeting, planned in the last one."""
        rnd = self.rnd
        day = max(opened + timedelta(days=rnd.choice(self.size.cycle_days)), self.today)
        day = day + timedelta(days=1) if day == self.today else day
        mode = rnd.choice(self.kind.modes)
        starts_at = timezone.make_aware(datetime.combine(day, time(rnd.choice((8, 12, 15)), 30)))
        created_at = min(self.at(opened, 16), self.now)
        meeting = Meeting(
            organisation_id=t.engagement.organisation_id,
            engagement=t.engagement,
            meeting_type=self.kind.key,
            title=self.kind.title,
            starts_at=starts_at,
            minutes=self.kind.minutes,
            mode=mode,
            location=t.school.name if mode == "in_person" else "",
            status=MeetingStatus.PLANNED,
            agenda=self.agenda,
            stage_notes=["" for _ in self.agenda],
            author=t.coach,
            visibility=self.visibility["meeting"],
            created_at=created_at,
            updated_at=created_at,
        )
        rows.meetings.append(meeting)
        invite(rows.meeting_participants, meeting, [t.coach, t.teacher])
        return meeting

    def practice(
        self,
        t: Teaching,
        rows: CycleRows,
        meeting: Meeting,
        step: ActionStep,
        place: tuple[int, int],
    ) -> None:
        """The practice stage: a first attempt and re-practices, better each time."""
        rnd = self.rnd
        attempts = rnd.choice((1, 2, 2, 3, 3, 4))
        held = meeting.held_at or meeting.starts_at
        progress = (place[0] + 1) / place[1]
        for number in range(1, attempts + 1):
            chance = min(0.95, 0.35 + 0.2 * number + 0.3 * progress)
            criteria = [
                {"criterion": c, "met": rnd.random() < chance} for c in step.success_criteria
            ]
            rows.practice_attempts.append(
                {
                    "organisation_id": t.engagement.organisation_id,
                    "meeting": meeting,
                    "action_step": step,
                    "number": number,
                    "criteria": criteria,
                    "feedback": IC_PRACTICE_FEEDBACK[
                        min(number - 1 + all(c["met"] for c in criteria), 3)
                    ],
                    "author": t.coach,
                    "created_at": held - timedelta(minutes=4 + 3 * (attempts - number)),
                }
            )

    def reflections(self, t: Teaching, rows: CycleRows, done_on: dict[str, datetime]) -> None:
        """The teacher's reflections: the first after six weeks or so, then about monthly."""
        rnd = self.rnd
        day = t.engagement.starts_on + timedelta(days=rnd.randint(35, 55))
        while day < self.today:
            tried, noticed, next_ = rnd.choice(IC_REFLECTIONS)
            data = {"tried": tried, "noticed": noticed}
            if rnd.random() < 0.7:
                data["next"] = next_
            when = self.at(day, rnd.choice((16, 17)))
            rows.forms.append(
                FormResponse(
                    organisation_id=t.engagement.organisation_id,
                    engagement=t.engagement,
                    form_key=self.reflection.key,
                    title=self.reflection.title,
                    author=t.teacher,
                    visibility=self.reflection.visibility or self.visibility["form"],
                    data=data,
                    created_at=when,
                    updated_at=when,
                )
            )
            done_on.setdefault("reflect", when)
            day += timedelta(days=rnd.randint(25, 45))

    def progress(self, t: Teaching, rows: CycleRows, done_on: dict[str, datetime]) -> None:
        """The playbook's steps: done when their work is (or by their due day plus a lag for
        the steps with no record behind them), the current phase the first with open work."""
        rnd = self.rnd
        engagement = t.engagement
        elapsed = (self.today - engagement.starts_on).days
        lag = rnd.choice((0, 1, 2, 3, 5, 8))
        for key, due in (("routine", 28), ("mid-point", 120), ("year-review", 300)):
            if due + lag <= elapsed and (key != "mid-point" or rnd.random() < 0.8):
                done_on[key] = self.at(engagement.starts_on + timedelta(days=due + lag))
        done = [step.key in done_on for _phase, step in self.steps]
        open_required = [
            self.phase_index[phase.key]
            for i, (phase, step) in enumerate(self.steps)
            if step.required and not done[i]
        ]
        current = open_required[0] if open_required else len(self.spec.phases) - 1
        engagement.current_phase = self.spec.phases[current].key
        by_role = {ParticipantRole.COACH: t.coach, ParticipantRole.COACHEE: t.teacher}
        for i, row in enumerate(steps_for(engagement, self.spec)):
            phase, step = self.steps[i]
            index = self.phase_index[phase.key]
            when = done_on.get(step.key)
            if index < current and when is None:  # an earlier phase: done, if not recorded
                when = self.at(min(row.due_on, self.today))
            if index > current:
                when = None
            if when is not None:
                row.status = StepStatus.DONE
                row.completed_by = by_role[ParticipantRole(step.owner)]
                row.completed_at = when
                row.checklist_done = [True] * len(step.checklist)
                if step.key == "year-review":
                    self.year_review(t, rows, when)
            elif index == current and step.checklist:
                ticked = rnd.randint(0, len(step.checklist) - 1)
                row.checklist_done = [n < ticked for n in range(len(step.checklist))]
            rows.steps.append(row)
            if step.kind == "agreement":
                self.agreement(t, rows, when, index == current)

    def agreement(self, t: Teaching, rows: CycleRows, when: datetime | None, current: bool) -> None:
        agreement = self.spec.agreement
        if agreement is None or (when is None and not (current and self.rnd.random() < 0.6)):
            return
        signers = agreement.signers if when is not None else agreement.signers[:1]
        users = {ParticipantRole.COACH: t.coach, ParticipantRole.COACHEE: t.teacher}
        for n, role in enumerate(signers):
            user = users[ParticipantRole(role)]
            signed = (when or self.now) - timedelta(hours=(len(signers) - n) * 3)
            rows.signatures.append(
                AgreementSignature(
                    organisation_id=t.engagement.organisation_id,
                    engagement=t.engagement,
                    user=user,
                    role=role,
                    signed_name=user.full_name,
                    text=t.engagement.agreement_text,
                    text_digest=self.digest,
                    signed_at=max(signed, self.at(t.engagement.starts_on, 8)),
                )
            )

    def year_review(self, t: Teaching, rows: CycleRows, when: datetime) -> None:
        rows.forms.append(
            FormResponse(
                organisation_id=t.engagement.organisation_id,
                engagement=t.engagement,
                form_key=self.review.key,
                title=self.review.title,
                author=t.coach,
                visibility=self.review.visibility or self.visibility["form"],
                data={
                    "mastered": "Routines and checking for understanding are now habits; "
                    "students start faster and more of them finish the task.",
                    "routine": "Weekly cycles held almost every week; practice time protected.",
                    "next-year": "Student talk: full, reasoned answers.",
                },
                created_at=when,
                updated_at=when,
            )
        )


def generate_cycles(
    *,
    size: str,
    seed: int,
    district: Organisation,
    schools: list[Organisation],
    coaches: list[User],
    teachers_by_school: list[list[User]],
    leaders_by_school: list[list[User]],
    admin: User,
    now: datetime,
) -> dict[str, int]:
    """The instructional coaching programme (seed 004): `coaches`, each with teachers at a few
    schools, in cycles of Study, Observe, Feedback meeting, Plan, over the library's action
    steps. Written a chunk of engagements at a time, so the large dataset stays in memory."""
    spec_size = CYCLE_SIZES[size]
    today = timezone.localdate(now)
    # its own random stream: the performance coaching data does not change when this does
    rnd = random.Random(f"{seed}-instructional")
    playbook = instructional_playbook()
    version = playbook.current
    assert version is not None
    spec = version.spec
    library = build_library(district)
    teachings: list[Teaching] = []
    per_school = spec_size.teachers_per_coach // spec_size.schools_per_coach
    for c, coach in enumerate(coaches):
        for j in range(spec_size.schools_per_coach):
            s = (c * spec_size.schools_per_coach + j) % len(schools)
            for k in range(per_school):
                teacher = teachers_by_school[s][IC_FIRST_TEACHER + k]
                first = c == 0 and j == 0 and k == 0
                days_ago = spec_size.first_days_ago if first else rnd.randint(*spec_size.days_ago)
                engagement = Engagement(
                    organisation=schools[s],
                    title=f"Instructional coaching: {teacher.full_name}",
                    starts_on=today - timedelta(days=days_ago),
                    playbook_version=version,
                    agreement_text=spec.agreement.text if spec.agreement else "",
                )
                teachings.append(
                    Teaching(
                        engagement,
                        coach,
                        teacher,
                        leaders_by_school[s][0],
                        schools[s],
                        days_ago,
                        spec_size.first_observations if first else 0,
                    )
                )
    starts_on = min(t.engagement.starts_on for t in teachings)
    programme = Programme.objects.create(
        organisation=district,
        name=f"Instructional coaching, {starts_on:%B %Y} cohort",
        playbook=playbook,
        starts_on=starts_on,
        description=(
            "Weekly cycles of study, a brief observation and a feedback meeting, one action "
            "step at a time, for teachers, sponsored by their principals."
        ),
    )
    programme.administrators.add(admin)
    programme.coaches.add(*coaches)
    author = CycleAuthor(spec, rnd, now, spec_size, library)
    counts: dict[str, int] = {"library steps": len(library)}
    rows = CycleRows()
    for n, t in enumerate(teachings):
        engagement = t.engagement
        engagement.programme = programme
        engagement.created_at = author.at(engagement.starts_on - timedelta(days=7))
        rows.engagements.append(engagement)
        rows.participants += [
            Participant(engagement=engagement, user=t.coach, role=ParticipantRole.COACH),
            Participant(engagement=engagement, user=t.teacher, role=ParticipantRole.COACHEE),
            Participant(engagement=engagement, user=t.sponsor, role=ParticipantRole.SPONSOR),
        ]
        author.build(t, rows)
        if n % 100 == 99 or n == len(teachings) - 1:
            rows.write(counts)
    # the meetings were written in bulk, past the service that counts stage times when a
    # meeting is held: count them all once
    stagetimes.rebuild([programme.pk])
    return counts
