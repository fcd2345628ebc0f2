"""A realistic, deterministic demo district, and the same at benchmark scale.

`demo`: one district of 6 schools and about 150 staff (programme administrator, coaches, school
leaders, teachers, district representatives, staff), with 24 coaching engagements. `large`: 200
schools and 12,000 staff, 3,000 engagements, for benchmarks. The same seed gives the same data.

Every engagement runs the built-in "Performance coaching" playbook (seed 000) and has got as far
as its start date and its pace allow: the engagements started at various dates over the past six
months; the steps before their current phase are done, some open steps are overdue, and some
engagements are complete. What the done steps stand for is there too: signed agreements, plans
(some awaiting the sponsor), meetings held and planned, form answers, anonymous participant
feedback, scores and portfolio entries (some awaiting review). Rows are written with bulk_create,
so the large dataset (about 93,000 steps) takes seconds, not minutes.

The named demo accounts each find something to do: coach@ has steps due this week and overdue, a
plan awaiting the sponsor, an entry to review and a meeting this week; leader@ has a plan to
approve; teacher@ is the performer of one engagement.
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
from django.db import connection, transaction
from django.utils import timezone

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
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
from coachloop.meetings.models import Meeting, MeetingStatus
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
    "demo": Size(6, 2, 20, 2, 4, 2, 24, 3),
    "large": Size(200, 2, 54, 4, 40, 5, 3000, 2),
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
        (f"leader@{DEMO_DOMAIN}", "school leader (principal), sponsor of coaching"),
        (f"teacher@{DEMO_DOMAIN}", "teacher being coached"),
        (f"district@{DEMO_DOMAIN}", "district representative"),
        (f"staff@{DEMO_DOMAIN}", "school staff member"),
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
#: sponsored by leader@: the plan awaits her approval, one step is overdue, one due this week.
COACH_SCENARIOS = {
    0: Scenario(26, 0, frozenset({"performance-factors"}), plan=PlanStatus.SUBMITTED),
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
            if rows:
                type(rows[0]).objects.bulk_create(rows, batch_size=2000)
            counts[name] = len(rows)
        return counts


class Author:
    """Builds one engagement's progress and content from its start date and pace."""

    def __init__(self, spec: schema.Playbook, rnd: random.Random, today: date) -> None:
        self.spec = spec
        self.rnd = rnd
        self.today = today
        self.now = timezone.now()
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
        rows.meetings.append(
            Meeting(
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
                visibility=self.spec.default_visibility("meeting"),
                held_at=finished,
                created_at=min(starts_at - timedelta(days=7), self.now),
            )
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

    playbook = performance_playbook()
    version = playbook.current
    assert version is not None
    playbook_spec = version.spec
    starts_on = today - timedelta(days=HISTORY_DAYS + 10)
    cohort = f"{starts_on:%B %Y}"
    instructional = Programme.objects.create(
        organisation=district,
        name=f"Instructional coaching, {cohort} cohort",
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

    author = Author(playbook_spec, rnd, today)
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
            programme, title = instructional, "Instructional coaching"
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

    # Fresh planner statistics, as after any bulk load: PostgreSQL's autovacuum gathers them
    # soon after, SQLite only when asked. Without them SQLite picks poor indexes for the steps.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

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
        engagements=len(stories),
        steps=counts.pop("steps"),
        other_rows=counts,
    )
