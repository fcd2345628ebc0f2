"""Coaching the coaches in the demo district (seed 003): a school-based coaching programme whose
coaches are developed by lead coaches, with messages and questions tracked until answered, logged
check-ins, practice-profile assessments, growth plans and coaching-experience feedback rounds.

**School-based coaching** (built-in "Instructional coaching" playbook): every coach of the
district, coach@ first (the existing performance and instructional coaches, and new coach
accounts to reach the size's number: 6 in the demo, 150 at scale), each with a caseload of 4 to 8
(4 to 7 in the demo) active engagements with teachers of a school of their own (teachers not
coached in the other programmes), sponsored by the school's first leader. admin@ administers it:
its coach overview is the benchmark's (bench/run.py, `--coaches-only`).

**Coach development** (built-in "Coach development" playbook): each of those coaches is the
coachee of one development engagement whose coach is a lead coach: lead@ (a new demo account,
coach@'s lead) and, at scale, nine more; the lead coaches share the coaches in turn. As far as
each engagement has come (its steps done by their due days): the agreement signed, the coach's
self-assessment and the lead's assessment from an observed coaching conversation (RubricScore
rows with `about`, `perspective` and `observed_on`, five CriterionRating rows each, evidence for
every lead rating), the growth plan (a draft plan with goals on the weakest functions: no
approval), its action steps (one current, one mastered after a second round), the first
development conversation held, and for most coaches a second round of both assessments about six
months on, showing growth. A few coaches (the last one always) await their lead's first
observation.

**Messages and responsiveness**: the district's school calendar (Monday to Friday) with its
holidays (breaks, single days, the summer), threads in the coaching engagements with the
coachees' questions (`Question`: due after the engagement's agreed school days, most answered
by the coach's next message in the thread or by a logged check-in, with the school time it
took, some open and some of those overdue), the coaches' own messages and the coachees' thanks,
and check-ins by email, phone, in person and video. Each coach has a pace of their own, so the
overview's responsiveness differs between coaches. The rows are written as the services write
them (`messaging.responsiveness`): a coach's message answers every open question asked before it
in its thread.

**Coaching-experience feedback**: for each coach two or three closed quarterly rounds
(`coaches.FeedbackRound`: one administration of the coaching-experience instrument about the
coach, to the coachees whose engagements had started, roles ["participant"]) with invitations,
responses and answers stored as the respondent's submission stores them (surveys.scoring), some
rounds under k answers (withheld); an open round this quarter for every third coach (coach@
included); replies from the coaches to some shown rounds.

Scale (large): 150 coaches, about 900 engagements, 2,800 questions, 6,100 messages, 2,150
check-ins, 430 feedback rounds (about 50 of them withheld), 580 profile assessments; about 2 s to
write (the large size's numbers measured on the demo district).
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.utils import timezone

from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep, ActionStepStatus
from coachloop.coaches.models import FeedbackReply, FeedbackRound
from coachloop.demo.surveys import _prep_json, _prep_time, _prep_uuid, insert_rows
from coachloop.engagements.models import Engagement, Participant, ParticipantRole, Programme
from coachloop.messaging import schooldays
from coachloop.messaging.models import Contact, ContactMethod, Message, Question, Thread
from coachloop.organisations.models import (
    Holiday,
    Membership,
    Organisation,
    Role,
    SchoolCalendar,
)
from coachloop.plans.models import Plan, PlanStatus, PlanVersion
from coachloop.playbooks.models import Playbook
from coachloop.rubrics.models import CriterionRating, Perspective, RubricScore
from coachloop.surveys.models import (
    Administration,
    Answer,
    Comment,
    Instrument,
    InstrumentVersion,
    Invitation,
    Response,
)
from coachloop.surveys.scoring import score

if TYPE_CHECKING:
    from coachloop.demo.generator import Author, Rows, Story

DEVELOPMENT_KEY = "coach-development"
SCHOOL_PLAYBOOK_KEY = "instructional-coaching"
FEEDBACK_KEY = "coaching-experience"
#: the school-based coaching programme's name starts with this (bench/run.py finds it by it)
PROGRAMME_NAME = "School-based coaching"
DEVELOPMENT_NAME = "Coach development"
LEAD_EMAIL = "lead@"


@dataclass(frozen=True)
class CoachesSize:
    #: coaches of the school-based programme: the district's existing coaches (coach@ first),
    #: then new coach accounts to reach this many
    coaches: int
    #: lead coaches (lead@ first), each leading the coaches in turn
    leads: int
    #: active engagements per coach in the programme (inclusive)
    caseload: tuple[int, int]
    #: coaching engagements started between these many days ago (the first four of a caseload
    #: in the last 40 days of it, so that each of the last three quarters' rounds has at least
    #: four coachees to ask)
    days_ago: tuple[int, int]


COACH_SIZES = {
    "demo": CoachesSize(coaches=6, leads=2, caseload=(4, 7), days_ago=(20, 330)),
    "large": CoachesSize(coaches=150, leads=10, caseload=(4, 8), days_ago=(20, 330)),
}

# --- words ------------------------------------------------------------------------------------

SUBJECTS = [
    "Planning for next week's lessons",
    "Exit tickets from this week",
    "The observation on Thursday",
    "Resources for the next action step",
    "Success criteria for the routine",
    "Data from the unit test",
    "Rescheduling our meeting",
    "Group work routine",
]
QUESTIONS = [
    "Could you look at my exit ticket before Thursday?",
    "Is it all right if we move the observation to next week?",
    "Which of the two models would you start with?",
    "Can you send me the video you mentioned?",
    "How do I keep the silent start going after the break?",
    "Should I use the same success criteria with the second group?",
    "Can we look at the unit test data together?",
    "What would you change in this plan before I teach it?",
]
REPLIES = [
    "Yes, send it over and I will comment on it by tomorrow.",
    "Next Tuesday works; I have moved it in the calendar.",
    "Start with the first one: it is closer to what you do now.",
    "Here it is; the first five minutes are the part to watch.",
    "Re-teach it on Monday and narrate the first table that is ready.",
    "Keep the criteria the same; adjust the task, not the criteria.",
    "Yes, bring the results to our meeting and we will sort them together.",
    "I would cut the second task and give more time to practice.",
]
COACH_NOTES = [
    "Thank you for today: the routine is really taking hold.",
    "Sharing the model lesson plan we talked about.",
    "A reminder: the observation is on Thursday, third period.",
    "Great to see the exit tickets sorted already.",
]
THANKS = ["Thanks, that helps.", "Perfect, see you then.", "Got it, thank you!", "Will do."]
CONTACT_NOTES = {
    ContactMethod.EMAIL: [
        "Sent the planning template and the checklist.",
        "Emailed the notes from our meeting.",
    ],
    ContactMethod.PHONE: ["Quick call about the week's plan.", "Called to check how Monday went."],
    ContactMethod.IN_PERSON: [
        "Stopped by after the lesson to debrief.",
        "Met in the staff room to look at the student work.",
    ],
    ContactMethod.VIDEO: [
        "Short video call to look at the student work.",
        "Video call to plan the re-teach.",
    ],
}
METHODS = [
    ContactMethod.IN_PERSON,
    ContactMethod.IN_PERSON,
    ContactMethod.EMAIL,
    ContactMethod.EMAIL,
    ContactMethod.PHONE,
    ContactMethod.VIDEO,
]
OBSERVED = [
    "Coaching conversation with a Grade 4 teacher",
    "Feedback meeting with a Year 8 mathematics teacher",
    "Planning conversation with a first-year teacher",
    "Data conversation with a Grade 2 team leader",
    "Debrief after an observed science lesson",
]
#: evidence per function (lead: from the observed conversation; self: what the coach would show)
EVIDENCE = {
    "relationships": [
        "Opened by asking how the week had gone and listened without interrupting.",
        "Restated what stays confidential before looking at the observation notes.",
        "Agreed together what the next two weeks would look like.",
    ],
    "improvement-process": [
        "Explained why the routine matters with the class's own data.",
        "Broke the step into two smaller ones when the teacher said it felt like a lot.",
        "The teacher named the next step and when she would try it.",
    ],
    "responsive-communication": [
        "Followed up by email the same afternoon with the model.",
        "Checked in by phone before the observation, as agreed.",
        "Answered the teacher's question from the week before at the start.",
    ],
    "solution-dialogue": [
        "Started from what worked in the lesson before the gap.",
        "Every point of feedback pointed to something seen in the lesson.",
        "Asked what the teacher thought was working before offering ideas.",
    ],
    "reviewing-data": [
        "Sorted the exit tickets together into got it, nearly and not yet.",
        "Looked at the unit test item by item and chose one to re-teach.",
        "Brought the attendance and work completion figures for the group.",
    ],
}
LEAD_SUMMARIES = [
    "A warm, focused conversation; next, hand more of the analysis to the teacher.",
    "Strong on relationships and evidence; the data review was brief.",
    "Clear next step agreed; check in between observations as the agreement says.",
]
SELF_SUMMARIES = [
    "Where I think I am after this term's coaching.",
    "My own view before the observation.",
    "Rated again after the growth plan's first steps.",
]
GROWTH_GOALS = {
    "relationships": (
        "Make the coaching process and confidentiality explicit with every teacher",
        "Each new teacher can say what to expect from coaching after the first meeting",
        "Notes of first meetings; the coaching-experience feedback",
    ),
    "improvement-process": (
        "Break implementation into manageable steps",
        "Every action step has success criteria a teacher can meet within two weeks",
        "Action steps logged with their criteria",
    ),
    "responsive-communication": (
        "Answer coachees within the agreed two school days",
        "At least 9 in 10 questions answered within the agreement",
        "The responsiveness figures on my development page",
    ),
    "solution-dialogue": (
        "Build every feedback conversation on observed strengths",
        "Each conversation starts from something observed that worked",
        "The lead coach's observation notes",
    ),
    "reviewing-data": (
        "Review student data with each teacher at least monthly",
        "A data conversation logged for each teacher every month",
        "Meeting notes with the data looked at",
    ),
}
COACH_STEPS = {
    "relationships": (
        "Open each first meeting with how coaching works and what stays confidential",
        [
            "The process is explained in the first five minutes",
            "Confidentiality is named explicitly",
        ],
    ),
    "improvement-process": (
        "End each conversation with one step the teacher commits to",
        ["The teacher says the step in their own words", "A date to try it is agreed"],
    ),
    "responsive-communication": (
        "Check messages at the start and end of each school day",
        ["No question waits more than a day", "Check-ins logged with their method"],
    ),
    "solution-dialogue": (
        "Ask what is working before giving any feedback",
        ["The first question is about what worked", "Feedback names what was observed"],
    ),
    "reviewing-data": (
        "Bring one piece of student data to every conversation",
        ["The data is on the table in the first ten minutes", "It shapes the next step"],
    ),
}
FEEDBACK_COMMENTS = [
    "More time looking at my students' work together.",
    "Answer a bit sooner when I ask about the next lesson.",
    "Keep the short check-ins between observations; they help.",
    "Show me the step in my own classroom, not only in the meeting.",
    "Fewer things at once: one step at a time works for me.",
]
REPLY_TEXTS = [
    "Thank you all. I will answer questions within the two school days we agreed, and say so "
    "when I cannot.",
    "I heard that you want more time on student work: from next month each conversation starts "
    "with a sample of your students' work.",
    "I will model the step in your classroom before our next meeting, as several of you asked.",
]

# --- the calendar -------------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1: the last) ISO `weekday` of the month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.isoweekday() - weekday) % 7)


def _weekdays(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def holidays_for(today: date) -> list[tuple[date, str]]:
    """The district's days off in the school years the data covers (from 400 days ago to the
    end of the current one): breaks, single days and the summer, weekdays only (weekends are
    not school days anyway)."""
    days: dict[date, str] = {}
    since = today - timedelta(days=400)

    def school_year(day: date) -> int:
        return day.year if day.month >= 8 else day.year - 1

    for year in range(school_year(since), school_year(today) + 1):  # starting in August
        spring = year + 1
        named = [
            (_nth_weekday(year, 9, 1, 1), "Labor Day"),
            (_nth_weekday(year, 10, 1, 2), "Indigenous Peoples' Day"),
            (date(year, 11, 11), "Veterans Day"),
            (_nth_weekday(spring, 1, 1, 3), "Martin Luther King Jr. Day"),
            (_nth_weekday(spring, 2, 1, 3), "Presidents' Day"),
            (_nth_weekday(spring, 5, 1, -1), "Memorial Day"),
            (date(spring, 6, 19), "Juneteenth"),
        ]
        thanksgiving = _nth_weekday(year, 11, 4, 4)
        named += [
            (d, "Thanksgiving break")
            for d in _weekdays(thanksgiving, thanksgiving + timedelta(days=1))
        ]
        named += [(d, "Winter break") for d in _weekdays(date(year, 12, 21), date(spring, 1, 1))]
        spring_break = _nth_weekday(spring, 3, 1, -1)
        named += [
            (d, "Spring break") for d in _weekdays(spring_break, spring_break + timedelta(days=4))
        ]
        named += [
            (d, "Summer break")
            for d in _weekdays(_nth_weekday(spring, 6, 1, 3), _nth_weekday(spring, 8, 5, 2))
        ]
        for day, name in named:
            if day.isoweekday() <= 5 and day >= since:
                days.setdefault(day, name)
    return sorted(days.items())


# --- helpers --------------------------------------------------------------------------------------


def _builtin_playbook(key: str) -> Playbook:
    found = Playbook.objects.filter(organisation=None, key=key).first()
    if found is None or found.current_id is None:
        from coachloop.playbooks.services import sync_all_builtin

        sync_all_builtin()
        found = Playbook.objects.get(organisation=None, key=key)
    return found


def _instrument(key: str) -> InstrumentVersion:
    found = Instrument.objects.filter(organisation=None, key=key).first()
    if found is None or found.current_id is None:
        from coachloop.surveys.library import sync_all_builtin

        sync_all_builtin()
        found = Instrument.objects.get(organisation=None, key=key)
    assert found.current is not None
    return found.current


def quarter_of(day: date) -> tuple[str, date, date]:
    """("2026-Q4", first day, last day) of the calendar quarter holding `day`."""
    q = (day.month - 1) // 3
    first = date(day.year, 3 * q + 1, 1)
    last = date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1) - timedelta(days=1)
    return f"{day.year}-Q{q + 1}", first, last


@dataclass
class Caseload:
    """One coach of the programme: their pace and quality, and their coaching engagements."""

    coach: User
    school: Organisation
    #: median time to answer, in school days, and the spread around it
    pace: float
    #: how coachees rate the coaching, on the instrument's 1-4 scale
    quality: float
    engagements: list[Engagement] = field(default_factory=list)
    coachees: list[User] = field(default_factory=list)


@dataclass
class MessageRows:
    threads: list[Thread] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    #: Question and Thread.recipients rows as {field: value} (insert_plain)
    questions: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)


class Messages:
    """One coaching engagement's threads, questions, answers and check-ins, written as the
    services would have: each coach message answers the thread's open questions asked before it,
    a check-in the question it was logged for."""

    def __init__(
        self, rnd: random.Random, calendar: schooldays.Calendar, now: datetime, days: int
    ) -> None:
        self.rnd = rnd
        self.calendar = calendar
        self.now = now
        self.today = timezone.localdate(now)
        self.default_days = days

    def school_moment(self, day: date, hours: tuple[int, int] = (7, 17)) -> datetime:
        """A moment in school hours on `day`, or on the next school day."""
        for _ in range(60):
            if self.calendar.is_school_day(day):
                break
            day += timedelta(days=1)
        hour = self.rnd.randint(*hours)
        return timezone.make_aware(datetime.combine(day, time(hour, self.rnd.randrange(0, 60))))

    def reply_at(self, asked: datetime, pace: float) -> datetime:
        """When the coach answers: `pace` school days typically, in school hours."""
        delay = pace * math.exp(self.rnd.gauss(0, 0.6))
        moment = schooldays.add_working(asked, int(delay * schooldays.DAY), self.calendar)
        local = timezone.localtime(moment)
        if local.hour < 7:
            local = local.replace(hour=7, minute=self.rnd.randrange(0, 60))
        elif local.hour >= 18:
            local = self.school_moment(local.date() + timedelta(days=1), (7, 9))
        return max(local, asked + timedelta(minutes=5))

    def build(
        self,
        case: Caseload,
        engagement: Engagement,
        coachee: User,
        rows: MessageRows,
        *,
        force_overdue: bool = False,
        force_due: bool = False,
    ) -> None:
        rnd = self.rnd
        coach = case.coach
        days = engagement.response_days or self.default_days
        since = max(engagement.starts_on + timedelta(days=3), self.today - timedelta(days=150))
        span = max((self.today - since).days, 1)
        # (time, kind, data): q question, c coach message, t coachee thanks, k contact
        thread_count = rnd.randint(1, 3)
        subjects = rnd.sample(SUBJECTS, thread_count + 1)
        # the last thread is for a question nobody has answered yet, if there is one
        events: list[list[tuple[datetime, str, Any]]] = [[] for _ in range(thread_count + 1)]
        contacts: list[tuple[datetime, str, int | None]] = []  # (when, method, question index)
        asked_count = rnd.randint(1, 5)
        for n in range(asked_count):
            last = n == asked_count - 1
            if last and force_overdue:
                asked = self.school_moment(self.today - timedelta(days=rnd.randint(6, 9)))
            elif last and force_due:
                asked = self.now - timedelta(hours=rnd.randint(1, 5))
            elif last and rnd.random() < 0.35:  # a recent one: answered soon, or still open
                asked = self.school_moment(self.today - timedelta(days=rnd.randint(0, 6)))
            else:
                asked = self.school_moment(since + timedelta(days=rnd.randrange(span)))
            if asked >= self.now:
                asked = self.now - timedelta(hours=rnd.randint(1, 20))
            forgotten = last and (force_overdue or force_due or rnd.random() < 0.1)
            t = thread_count if forgotten else rnd.randrange(thread_count)
            events[t].append((asked, "q", n))
            if not forgotten:
                answered = self.reply_at(asked, case.pace)
                if rnd.random() < 0.12:  # answered by phone or in person, logged as a check-in
                    channel = rnd.choice([ContactMethod.PHONE, ContactMethod.IN_PERSON])
                    contacts.append((answered, channel, n))
                else:
                    events[t].append((answered, "c", REPLIES[self.topic(engagement, n)]))
                    if rnd.random() < 0.3:
                        thanks = answered + timedelta(minutes=rnd.randint(10, 300))
                        events[t].append((thanks, "t", rnd.choice(THANKS)))
        if rnd.random() < 0.5:
            t = rnd.randrange(thread_count)
            events[t].append(
                (self.school_moment(since + timedelta(days=rnd.randrange(span))), "c", None)
            )
        for _n in range(rnd.randint(0, 4)):
            when = self.school_moment(since + timedelta(days=rnd.randrange(span)))
            contacts.append((when, rnd.choice(METHODS), None))

        org = engagement.organisation_id
        # everything that happened, in order: (when, order, kind, thread, message or contact,
        # data); a coach's message answers the thread's open questions asked before it, a
        # check-in the question it was logged for, whichever comes first
        timeline: list[tuple[datetime, int, str, int, Any, Any]] = []
        for when, method, index in contacts:
            if when > self.now:
                continue
            contact = Contact(
                organisation_id=org,
                engagement=engagement,
                author=coach,
                method=method,
                occurred_at=when,
                note=rnd.choice(CONTACT_NOTES[ContactMethod(method)]),
                visibility="team",
                created_at=min(when + timedelta(minutes=rnd.randint(2, 90)), self.now),
            )
            rows.contacts.append(contact)
            timeline.append((when, len(timeline), "k", -1, contact, index))
        for t, thread_events in enumerate(events):
            thread_events = sorted(
                (e for e in thread_events if e[0] <= self.now), key=lambda e: (e[0], e[1])
            )
            if not thread_events:
                continue
            first_author = coachee if thread_events[0][1] in ("q", "t") else coach
            thread = Thread(
                organisation_id=org,
                engagement=engagement,
                subject=subjects[t],
                author=first_author,
                visibility="team",
                created_at=thread_events[0][0],
                last_message_at=thread_events[-1][0],
                message_count=len(thread_events),
            )
            rows.threads.append(thread)
            rows.recipients.append(
                {"thread": thread, "user": coach if first_author == coachee else coachee}
            )
            for when, kind, data in thread_events:
                if kind == "q":
                    body = QUESTIONS[self.topic(engagement, data)]
                elif kind == "c":
                    body = data or rnd.choice(COACH_NOTES)
                else:
                    body = data
                message = Message(
                    organisation_id=org,
                    thread=thread,
                    author=coachee if kind in ("q", "t") else coach,
                    body=body,
                    created_at=when,
                )
                rows.messages.append(message)
                timeline.append((when, len(timeline), kind, t, message, data))
        questions: dict[int, dict[str, Any]] = {}
        thread_of: dict[int, int] = {}
        for when, _order, kind, t, record, data in sorted(timeline, key=lambda e: (e[0], e[1])):
            if kind == "q":
                thread_of[data] = t
                questions[data] = {
                    "organisation_id": org,
                    "engagement": engagement,
                    "thread": record.thread,
                    "message": record,
                    "asked_by": coachee,
                    "asked_at": when,
                    "response_days": days,
                    "due_at": schooldays.add_working(when, days * schooldays.DAY, self.calendar),
                    "answered_at": None,
                    "answered_by": None,
                    "answer": None,
                    "answered_by_contact": None,
                    "working_seconds": None,
                    "within_agreement": None,
                }
            elif kind == "c":
                for n, q in questions.items():
                    if thread_of[n] == t and q["answered_at"] is None:
                        self.answer(q, coach, when, answer=record)
            elif kind == "k" and data in questions and questions[data]["answered_at"] is None:
                self.answer(questions[data], coach, when, answered_by_contact=record)
        rows.questions += questions.values()

    @staticmethod
    def topic(engagement: Engagement, n: int) -> int:
        """The n-th question of an engagement (and the reply that answers it)."""
        return (n + engagement.starts_on.toordinal()) % len(QUESTIONS)

    def answer(self, q: dict[str, Any], coach: User, when: datetime, **link: Any) -> None:
        q["answered_at"] = when
        q["answered_by"] = coach
        q["working_seconds"] = schooldays.working_seconds(q["asked_at"], when, self.calendar)
        q["within_agreement"] = when <= q["due_at"]
        q.update(link)


# --- the programme ------------------------------------------------------------------------------


def generate_coaches(
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
    """The school-based coaching programme, coach development, messages and feedback rounds.
    `coaches`: the district's coaches, coach@ first."""
    from coachloop.demo import generator as demo

    spec_size = COACH_SIZES[size]
    rnd = random.Random(f"{seed}-coaches")  # its own stream: the other programmes do not change
    today = timezone.localdate(now)
    counts: dict[str, int] = {}

    # --- people: new coach accounts and the lead coaches ---------------------------------------
    taken = set(
        User.objects.filter(email__endswith=f"@{demo.DEMO_DOMAIN}").values_list("email", flat=True)
    )
    password = coaches[0].password

    def account(email: str | None = None) -> User:
        given, family = rnd.choice(demo.GIVEN), rnd.choice(demo.FAMILY)
        if email is None:
            stem = f"{given}.{family}".lower()
            email, n = f"{stem}@{demo.DEMO_DOMAIN}", 1
            while email in taken:
                n += 1
                email = f"{stem}{n}@{demo.DEMO_DOMAIN}"
        taken.add(email)
        return User(email=email, given_name=given, family_name=family, password=password)

    new_coaches = [account() for _ in range(max(0, spec_size.coaches - len(coaches)))]
    leads = [account(f"{LEAD_EMAIL}{demo.DEMO_DOMAIN}")]
    leads += [account() for _ in range(spec_size.leads - 1)]
    User.objects.bulk_create(new_coaches + leads, batch_size=2000)
    Membership.objects.bulk_create(
        [
            Membership(
                user=u, organisation=district, role=Role.COACH, source=Membership.Source.DEMO
            )
            for u in new_coaches + leads
        ]
    )
    TOTP.activate(leads[0], demo.DEMO_TOTP_SECRET)  # a coach: second factor required
    coaches = (coaches + new_coaches)[: spec_size.coaches]
    counts["coach accounts added"] = len(new_coaches) + len(leads)

    # --- the district's school calendar --------------------------------------------------------
    SchoolCalendar.objects.update_or_create(
        organisation=district,
        defaults={"weekdays": [1, 2, 3, 4, 5], "time_zone": settings.TIME_ZONE},
    )
    holidays = holidays_for(today)
    Holiday.objects.bulk_create(
        [Holiday(organisation=district, date=d, name=name) for d, name in holidays]
    )
    calendar = schooldays.calendar_for(schools[0])
    counts["holidays"] = len(holidays)

    # --- the school-based coaching programme ---------------------------------------------------
    school_playbook = _builtin_playbook(SCHOOL_PLAYBOOK_KEY)
    school_version = school_playbook.current
    assert school_version is not None
    school_spec = school_version.spec
    first_free = demo.IC_FIRST_TEACHER + (
        demo.CYCLE_SIZES[size].teachers_per_coach // demo.CYCLE_SIZES[size].schools_per_coach
    )
    cursor = [first_free] * len(schools)
    cases: list[Caseload] = []
    author = demo.Author(school_spec, rnd, today, now)
    rows = demo.Rows()
    participants: list[Participant] = []
    stories: list[Story] = []
    for c, coach in enumerate(coaches):
        s = c % len(schools)
        case = Caseload(
            coach=coach,
            school=schools[s],
            pace=rnd.uniform(0.25, 2.4),
            quality=rnd.uniform(2.5, 3.7),
        )
        for k in range(rnd.randint(*spec_size.caseload)):
            t = s
            while cursor[t] >= len(teachers_by_school[t]) and t != (s - 1) % len(schools):
                t = (t + 1) % len(schools)
            teachers = teachers_by_school[t]
            teacher = teachers[cursor[t] % len(teachers)]
            cursor[t] += 1
            low, high = spec_size.days_ago
            days_ago = rnd.randint(high - 40, high) if k < 4 else rnd.randint(low, high)
            engagement = Engagement(
                organisation=schools[t],
                title=f"School-based coaching: {teacher.full_name}",
                starts_on=today - timedelta(days=days_ago),
                playbook_version=school_version,
                agreement_text=school_spec.agreement.text if school_spec.agreement else "",
                response_days=rnd.choice([None, None, None, None, 1, 3]),
            )
            engagement.created_at = author.at(engagement.starts_on - timedelta(days=7))
            sponsor = leaders_by_school[t][0]
            story = demo.Story(
                engagement,
                coach,
                teacher,
                sponsor,
                admin,
                schools[t],
                demo.Scenario(days_ago, rnd.choice((0, 1, 2, 3, 5))),
            )
            author.progress(story, rows)
            author.agreement(story, rows, author.finished_at(story, "agree"), False)
            stories.append(story)
            participants += [
                Participant(engagement=engagement, user=coach, role=ParticipantRole.COACH),
                Participant(engagement=engagement, user=teacher, role=ParticipantRole.COACHEE),
                Participant(engagement=engagement, user=sponsor, role=ParticipantRole.SPONSOR),
            ]
            case.engagements.append(engagement)
            case.coachees.append(teacher)
        cases.append(case)
    starts_on = min(s.engagement.starts_on for s in stories)
    programme = Programme.objects.create(
        organisation=district,
        name=f"{PROGRAMME_NAME}, {starts_on.year}-{(starts_on.year + 1) % 100:02d}",
        playbook=school_playbook,
        starts_on=starts_on,
        description=(
            "School-based implementation coaches with a caseload of teachers at their schools; "
            "their practice is developed with lead coaches (Coach development)."
        ),
    )
    programme.administrators.add(admin)
    programme.coaches.add(*coaches)
    for story in stories:
        story.engagement.programme = programme

    # --- coach development ---------------------------------------------------------------------
    dev_playbook = _builtin_playbook(DEVELOPMENT_KEY)
    dev_version = dev_playbook.current
    assert dev_version is not None
    dev_spec = dev_version.spec
    assert dev_spec.coach_development is not None
    rubric = dev_spec.rubric(dev_spec.coach_development.profile)
    dev_author = demo.Author(dev_spec, rnd, today, now)
    dev_stories: list[tuple[Story, User]] = []
    for c, coach in enumerate(coaches):
        lead = leads[c % len(leads)]
        chance = rnd.random()
        if c == len(coaches) - 1 or (c > 0 and chance < 0.05):  # the lead has not observed yet
            days_ago, open_steps = rnd.randint(25, 60), frozenset({"observed-assessment"})
        elif c > 0 and chance < 0.1:  # one round
            days_ago, open_steps = rnd.randint(70, 170), frozenset[str]()
        else:  # two rounds of assessments (coach@ always)
            days_ago, open_steps = rnd.randint(200, 330), frozenset()
        engagement = Engagement(
            organisation=district,
            title=f"Coach development: {coach.full_name}",
            starts_on=today - timedelta(days=days_ago),
            playbook_version=dev_version,
            agreement_text=dev_spec.agreement.text if dev_spec.agreement else "",
        )
        engagement.created_at = dev_author.at(engagement.starts_on - timedelta(days=5))
        story = demo.Story(
            engagement,
            lead,
            coach,
            lead,
            lead,
            district,
            demo.Scenario(days_ago, rnd.choice((0, 1, 2, 4)), open_steps),
        )
        dev_author.progress(story, rows)
        dev_author.agreement(story, rows, dev_author.finished_at(story, "agree"), True)
        participants += [
            Participant(engagement=engagement, user=lead, role=ParticipantRole.COACH),
            Participant(engagement=engagement, user=coach, role=ParticipantRole.COACHEE),
        ]
        dev_stories.append((story, lead))
    dev_programme = Programme.objects.create(
        organisation=district,
        name=f"{DEVELOPMENT_NAME}, {today.year}-{(today.year + 1) % 100:02d}",
        playbook=dev_playbook,
        starts_on=min(s.engagement.starts_on for s, _ in dev_stories),
        description="Lead coaches develop the school-based coaches' own practice with the "
        "practice profile: self-assessment, observed coaching, a growth plan.",
    )
    dev_programme.administrators.add(admin)
    dev_programme.coaches.add(*leads)
    for story, _lead in dev_stories:
        story.engagement.programme = dev_programme

    engagements = [s.engagement for s in stories] + [s.engagement for s, _ in dev_stories]
    Engagement.objects.bulk_create(engagements, batch_size=1000)
    Participant.objects.bulk_create(participants, batch_size=2000)
    counts["coach_engagements"] = len(engagements)
    counts["coach_participants"] = len(participants)

    # profile assessments, growth plans, action steps and conversations, as far as each has come
    action_steps: list[ActionStep] = []
    profile = Profile(rnd, rubric.model_dump(mode="json"), dev_spec, now)
    for story, lead in dev_stories:
        profile.build(story, lead, rows, action_steps, dev_author)
    counts["coach_steps"] = len(rows.steps)
    written = rows.write()
    ActionStep.objects.bulk_create(action_steps, batch_size=1000)
    counts["profile assessments"] = written.pop("scores")
    counts["profile ratings"] = written.pop("ratings")
    counts["growth plans"] = written.pop("plans")
    counts["development action steps"] = len(action_steps)
    counts["development conversations"] = written.pop("meetings")
    counts["coach signatures"] = written.pop("signatures")

    # --- messages, questions, check-ins --------------------------------------------------------
    messages = Messages(rnd, calendar, now, school_spec.responsiveness.response_days)
    message_rows = MessageRows()
    for c, case in enumerate(cases):
        for k, (engagement, coachee) in enumerate(
            zip(case.engagements, case.coachees, strict=True)
        ):
            # coach@'s first coachee has an overdue question, the second one not yet due
            messages.build(
                case,
                engagement,
                coachee,
                message_rows,
                force_overdue=c == 0 and k == 0,
                force_due=c == 0 and k == 1,
            )
    Thread.objects.bulk_create(message_rows.threads, batch_size=1000)
    Message.objects.bulk_create(message_rows.messages, batch_size=2000)
    Contact.objects.bulk_create(message_rows.contacts, batch_size=2000)
    demo.insert_plain(Question, message_rows.questions)
    recipients = getattr(Thread, "recipients", None)  # whom the thread was written to, if kept
    if recipients is not None and hasattr(recipients, "through"):
        through = recipients.through
        demo.insert_plain(
            through,
            [{"thread": r["thread"], "user": r["user"]} for r in message_rows.recipients],
        )
    counts["threads"] = len(message_rows.threads)
    counts["messages"] = len(message_rows.messages)
    counts["contacts"] = len(message_rows.contacts)
    counts["questions"] = len(message_rows.questions)

    # --- coaching-experience feedback ----------------------------------------------------------
    counts.update(feedback_rounds(rnd, district, programme, cases, now))
    return counts


def goal(key: str) -> dict[str, str]:
    title, measure, evidence = GROWTH_GOALS[key]
    return {"title": title, "measure": measure, "evidence": evidence}


class Profile:
    """A coach's practice-profile assessments, growth plan and action steps."""

    def __init__(
        self, rnd: random.Random, rubric: dict[str, Any], spec: Any, now: datetime
    ) -> None:
        self.rnd = rnd
        self.rubric = rubric
        self.criteria = [(c["key"], c["title"]) for c in rubric["criteria"]]
        self.levels = sorted(level["score"] for level in rubric["levels"])
        self.visibility = spec.default_visibility("profile")
        self.plan_visibility = spec.default_visibility("plan")
        self.step_visibility = spec.default_visibility("action_step")
        self.now = now

    def clamp(self, value: float) -> int:
        return max(self.levels[0], min(self.levels[-1], round(value)))

    def build(
        self, story: Story, lead: User, rows: Rows, steps: list[ActionStep], author: Author
    ) -> None:
        rnd = self.rnd
        coach = story.coachee
        base = {key: rnd.gauss(2.3, 0.45) for key, _title in self.criteria}
        done = {
            key: author.finished_at(story, key)
            for key in (
                "self-assessment",
                "observed-assessment",
                "growth-plan",
                "first-action-step",
                "first-conversation",
                "self-reassessment",
                "observed-reassessment",
            )
        }
        first_lead: dict[str, int] = {}
        if done["self-assessment"]:
            self.score(
                story,
                rows,
                coach,
                Perspective.SELF,
                done["self-assessment"],
                {k: v + 0.5 for k, v in base.items()},
            )
        if done["observed-assessment"]:
            first_lead = self.score(
                story, rows, lead, Perspective.LEAD, done["observed-assessment"], base
            )
        weakest = sorted(first_lead or base, key=lambda k: (first_lead or base)[k])[:2]
        if done["growth-plan"]:
            self.plan(story, rows, weakest, done["growth-plan"], done["self-reassessment"])
        if done["first-action-step"]:
            self.action_steps(
                story,
                lead,
                steps,
                weakest,
                done["first-action-step"],
                done["observed-reassessment"],
            )
        if done["first-conversation"]:
            author.meeting(story, rows, "development-conversation", done["first-conversation"])
        grown = {
            k: v + (rnd.uniform(0.5, 1.1) if k in weakest else rnd.uniform(0.0, 0.4))
            for k, v in base.items()
        }
        if done["self-reassessment"]:
            self.score(
                story,
                rows,
                coach,
                Perspective.SELF,
                done["self-reassessment"],
                {k: v + 0.35 for k, v in grown.items()},
            )
        if done["observed-reassessment"]:
            self.score(story, rows, lead, Perspective.LEAD, done["observed-reassessment"], grown)

    def score(
        self,
        story: Story,
        rows: Rows,
        by: User,
        perspective: str,
        when: datetime,
        levels: dict[str, float],
    ) -> dict[str, int]:
        rnd = self.rnd
        engagement = story.engagement
        lead = perspective == Perspective.LEAD
        observed = max(
            engagement.starts_on, timezone.localdate(when) - timedelta(days=rnd.randint(0, 3))
        )
        score = RubricScore(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            rubric_key=self.rubric["key"],
            rubric=self.rubric,
            subject=rnd.choice(OBSERVED) if lead else "Self-assessment",
            author=by,
            visibility=self.visibility,
            feedback=rnd.choice(LEAD_SUMMARIES if lead else SELF_SUMMARIES),
            created_at=when,
            about=story.coachee,
            perspective=perspective,
            observed_on=observed if lead else None,
        )
        rows.scores.append(score)
        given: dict[str, int] = {}
        for key, title in self.criteria:
            level = self.clamp(levels[key] + rnd.gauss(0, 0.35))
            given[key] = level
            rows.ratings.append(
                CriterionRating(
                    score=score,
                    criterion_key=key,
                    criterion=title,
                    level=level,
                    evidence=rnd.choice(EVIDENCE.get(key, EVIDENCE["relationships"]))
                    if lead or rnd.random() < 0.5
                    else "",
                )
            )
        return given

    def plan(
        self,
        story: Story,
        rows: Rows,
        weakest: list[str],
        first: datetime,
        revised: datetime | None,
    ) -> None:
        """The growth plan: no approval, so a draft with its versions (a second after the
        reassessment)."""
        engagement = story.engagement
        goals = [goal(k) for k in weakest]
        versions = [(first, goals)]
        if revised is not None:
            extra = next(k for k in GROWTH_GOALS if k not in weakest)
            versions.append((revised + timedelta(days=2), [*goals, goal(extra)]))
        versions = [(min(when, self.now), g) for when, g in versions]
        plan = Plan(
            organisation_id=engagement.organisation_id,
            engagement=engagement,
            author=story.coachee,
            visibility=self.plan_visibility,
            status=PlanStatus.DRAFT,
            number=len(versions),
            updated_at=versions[-1][0],
        )
        rows.plans.append(plan)
        for number, (when, version_goals) in enumerate(versions, start=1):
            rows.plan_versions.append(
                PlanVersion(
                    plan=plan,
                    number=number,
                    summary=f"Growing {story.coachee.full_name}'s practice: "
                    f"{version_goals[0]['title'].lower()}.",
                    goals=version_goals,
                    author=story.coachee,
                    created_at=when,
                )
            )

    def action_steps(
        self,
        story: Story,
        lead: User,
        steps: list[ActionStep],
        weakest: list[str],
        first: datetime,
        second: datetime | None,
    ) -> None:
        """The first step on the weakest function; after the reassessment it is mastered and
        the second is current."""
        engagement = story.engagement
        dates = [timezone.localdate(first)]
        if second is not None:
            dates.append(timezone.localdate(second))
        for n, on in enumerate(dates):
            key = weakest[n]
            title, criteria = COACH_STEPS[key]
            mastered = n + 1 < len(dates)
            when = min(timezone.make_aware(datetime.combine(on, time(15, 0))), self.now)
            steps.append(
                ActionStep(
                    organisation_id=engagement.organisation_id,
                    engagement=engagement,
                    coachee=story.coachee,
                    author=lead,
                    visibility=self.step_visibility,
                    title=title,
                    success_criteria=list(criteria),
                    goal=GROWTH_GOALS[key][0],
                    status=ActionStepStatus.MASTERED if mastered else ActionStepStatus.CURRENT,
                    started_on=on,
                    mastered_on=dates[n + 1] if mastered else None,
                    created_at=when,
                    updated_at=when,
                )
            )


def feedback_rounds(
    rnd: random.Random,
    district: Organisation,
    programme: Programme,
    cases: list[Caseload],
    now: datetime,
) -> dict[str, int]:
    """Two or three closed quarterly rounds per coach (and an open one this quarter for every
    third coach), stored as the respondents' submissions store them."""
    today = timezone.localdate(now)
    version = _instrument(FEEDBACK_KEY)
    spec = version.spec
    role = "participant"
    k = spec.k
    items = [i.key for i in spec.items_for(role)]
    domain_of = spec.domain_of()
    questions = [q.key for q in spec.questions_for(role)]
    _period, current_start, current_end = quarter_of(today)
    quarters: list[tuple[str, date, date]] = []
    end = current_start - timedelta(days=1)
    for _n in range(3):
        quarters.insert(0, quarter_of(end))
        end = quarters[0][1] - timedelta(days=1)

    def at(day: date, hour: int) -> datetime:
        return min(
            timezone.make_aware(datetime.combine(day, time(hour, 0))), now - timedelta(minutes=30)
        )

    administrations: list[Administration] = []
    rounds: list[FeedbackRound] = []
    plans: list[tuple[Caseload, list[tuple[User, Engagement]], int, bool]] = []
    for c, case in enumerate(cases):
        count = 3 if c == 0 or rnd.random() < 0.5 else 2
        chosen = [(*q, False) for q in quarters[-count:]]
        if c % 3 == 0:
            chosen.append((_period, current_start, current_end, True))
        for n, (period, first, last, is_open) in enumerate(chosen):
            asked = [
                (coachee, e)
                for coachee, e in zip(case.coachees, case.engagements, strict=True)
                if e.starts_on <= (today if is_open else last - timedelta(days=14))
            ]
            if not asked:
                continue
            if is_open:
                answered = rnd.randint(0, max(0, len(asked) - 2))
            elif (c == 0 and n == 0) or rnd.random() < 0.08:
                answered = min(len(asked), rnd.randint(1, k - 1))  # under k: withheld
            else:
                answered = sum(rnd.random() < 0.85 for _ in asked)
                if c == 0:
                    answered = max(answered, min(len(asked), k + 1))
            administration = Administration(
                organisation=district,
                engagement=None,
                version=version,
                title=f"{spec.name}: {case.coach}, {period}"[:200],  # as feedback.round_for
                subject=case.coach,
                roles=[role],
                opens_on=first,
                closes_on=last,
                closed_at=None if is_open else at(last + timedelta(days=1), 6),
                visibility="programme",
                live_results=False,
                invited_count=len(asked),
                response_count=answered,
                created_by=case.coach,
                created_at=at(first, 6),
            )
            administrations.append(administration)
            rounds.append(
                FeedbackRound(
                    organisation=district,
                    programme=programme,
                    coach=case.coach,
                    administration=administration,
                    period=period,
                    starts_on=first,
                    ends_on=last,
                    created_at=administration.created_at,
                )
            )
            plans.append((case, asked, answered, is_open))
    Administration.objects.bulk_create(administrations, batch_size=1000)
    FeedbackRound.objects.bulk_create(rounds, batch_size=1000)

    invitations: list[tuple[Any, ...]] = []
    responses: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    comments: list[tuple[Any, ...]] = []
    replies: list[FeedbackReply] = []
    replied: set[int] = set()
    for administration, feedback_round, (case, asked, answered, is_open) in reversed(
        list(zip(administrations, rounds, plans, strict=True))
    ):
        used = set(rnd.sample(range(len(asked)), answered))
        for i, (coachee, engagement) in enumerate(asked):
            sent = _prep_time(at(max(administration.opens_on, engagement.starts_on), 8))
            invitations.append(
                (
                    district.pk,
                    administration.pk,
                    role,
                    coachee.pk,
                    coachee.email,
                    coachee.full_name,
                    f"{rnd.getrandbits(256):064x}",
                    "",
                    i in used,
                    sent,
                    None,
                    sent,
                )
            )
        offsets = {d.key: rnd.uniform(-0.35, 0.35) for d in spec.domains}
        offsets["communication"] = offsets.get("communication", 0) - 0.25 * (case.pace - 1.2)
        for wave_index in range(answered):
            lean = rnd.gauss(0, 0.35)
            values: dict[str, int | None] = {}
            for item in items:
                if rnd.random() < 0.03:
                    values[item] = None
                    continue
                mu = case.quality + offsets.get(domain_of[item], 0) + lean
                values[item] = max(1, min(4, round(mu + rnd.gauss(0, 0.55))))
            scored = score(spec, role, values)
            response_id = _prep_uuid(uuid.UUID(int=rnd.getrandbits(128), version=4))
            responses.append(
                (response_id, administration.pk, role, wave_index // k, _prep_json(scored.domains))
            )
            answers += [
                (response_id, administration.pk, role, item, value, complete)
                for item, value, complete in scored.answers
            ]
            for question in questions:
                if rnd.random() < 0.35:
                    comments.append(
                        (
                            _prep_uuid(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                            administration.pk,
                            question,
                            rnd.choice(FEEDBACK_COMMENTS),
                        )
                    )
        # the coach replies to their latest shown round, now and then (coach@ always)
        shown = not is_open and answered >= k
        coach_id = case.coach.pk
        if shown and coach_id not in replied and (case is cases[0] or rnd.random() < 0.5):
            replied.add(coach_id)
            assert administration.closed_at is not None
            when = min(administration.closed_at + timedelta(days=rnd.randint(2, 10)), now)
            replies.append(
                FeedbackReply(
                    round=feedback_round,
                    author=case.coach,
                    text=rnd.choice(REPLY_TEXTS),
                    created_at=when,
                    updated_at=when,
                )
            )
        elif shown:
            replied.add(coach_id)
    written = {
        "feedback invitations": insert_rows(
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
            invitations,
        ),
        "feedback responses": insert_rows(
            Response, ["id", "administration_id", "role", "wave", "domains"], responses
        ),
        "feedback answers": insert_rows(
            Answer,
            ["response_id", "administration_id", "role", "item", "value", "complete"],
            answers,
        ),
        "feedback comments": insert_rows(
            Comment, ["id", "administration_id", "question", "text"], comments
        ),
    }
    FeedbackReply.objects.bulk_create(replies)
    return {
        "feedback rounds": len(rounds),
        "feedback rounds withheld (under k)": sum(
            1 for _c, _a, answered, is_open in plans if not is_open and answered < k
        ),
        "feedback replies": len(replies),
        **written,
    }
