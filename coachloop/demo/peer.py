"""Peer coaching in the demo district (seed 001): school leaders in teams of two (some of three),
each member both coach and coachee, their direct supervisors (district representatives) as
sponsors. The programme started on the first of a month some seven months ago; each team had
its orientation with the supervisors, signed the peer coaching agreement (every member in both
roles), set goals from the playbook's sources (some accomplished, with evidence), completed the
programme's monthly assignments, rated the four levels of coaching effectiveness at the points
already due (self and partner), and met monthly: mostly one session a month, mostly one in
three in person. Some teams break the cadence so that the programme's overview has rows off and
at risk: a team that missed last month, one that never meets in person, one whose session this
month is not scheduled. Some teams held a triad meeting with their supervisors; a few sessions
were cancelled and held later (the cancelled entry with sequence 1 and a reason). Team notes
and session minutes are at visibility team; orientation and triad minutes at sponsors.

Demo: 8 teams (leader@ in the first, with district@ as supervisor); large: 800 teams of the
district's school leaders, each leader in one team at most. Written in chunks with bulk_create
and, for the rows nothing points to, insert_plain.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import get_text_list

from coachloop.access.models import Visibility
from coachloop.accounts.models import User
from coachloop.engagements.models import (
    AgreementSignature,
    Engagement,
    Note,
    Participant,
    ParticipantRole,
    Programme,
    StepProgress,
    StepStatus,
)
from coachloop.engagements.services import steps_for, text_digest
from coachloop.meetings.models import Meeting, MeetingParticipant, MeetingStatus
from coachloop.organisations.models import Membership, Organisation, Role
from coachloop.peer.models import (
    Assignment,
    AssignmentCompletion,
    EffectivenessRating,
    Goal,
    GoalStatus,
    Interaction,
    Perspective,
)
from coachloop.playbooks import schema
from coachloop.playbooks.models import Playbook

PEER_PLAYBOOK_KEY = "peer-coaching"


@dataclass(frozen=True)
class PeerSize:
    teams: int
    #: every n-th team has three members (the others two)
    triad_every: int
    #: the programme started on the first of the month this many months before this one
    months: int


PEER_SIZES = {
    "demo": PeerSize(teams=8, triad_every=4, months=7),
    "large": PeerSize(teams=800, triad_every=5, months=7),
}

#: How each team keeps its cadence, by team number (repeating): most keep it; "missed" had no
#: session last month, "remote" never meets in person, "unscheduled" has no session this month.
PROFILES = (
    "steady",
    "missed",
    "steady",
    "remote",
    "steady",
    "unscheduled",
    "steady",
    "steady",
    "steady",
    "steady",
)

PEER_GOALS = [
    (
        "Give teachers specific, timely feedback after every walk-through",
        "Feedback within 48 hours after 9 of 10 walk-throughs",
        "The walk-through log and teachers' replies",
    ),
    (
        "Delegate the timetable and cover to the deputy",
        "Two hours a week back for classroom visits",
        "My diary for the term and the deputy's handover notes",
    ),
    (
        "Run leadership team meetings that end in decisions",
        "Each meeting ends with decisions, owners and dates",
        "Minutes of the leadership team",
    ),
    (
        "Listen before advising in difficult conversations",
        "Colleagues say they feel heard (employee survey)",
        "The spring employee survey and my reflection log",
    ),
    (
        "Raise reading attainment in the lower grades",
        "Reading scores up 5 points in the spring test",
        "The spring reading results",
    ),
    (
        "Build a team of teacher leaders for mathematics",
        "Three teacher leaders leading planning",
        "Planning notes and the teacher leaders' reflections",
    ),
]
PEER_ASSIGNMENTS = [
    (
        "Share your DISC profile",
        "Read each other's DISC profile and name one strength and one blind spot.",
        Interaction.TEAM,
    ),
    (
        "Walk-through together",
        "Visit each other's school for a walk-through and give feedback on what you saw.",
        Interaction.TEAM,
    ),
    (
        "Goals with your supervisor",
        "Discuss your goals and their evidence with your direct supervisor.",
        Interaction.SUPERVISOR,
    ),
    (
        "A difficult conversation",
        "Rehearse a difficult conversation with your partner, then hold it.",
        Interaction.TEAM,
    ),
    (
        "Read and discuss",
        "Read the chapter on delegation and bring one idea to the session.",
        Interaction.NONE,
    ),
    (
        "Data review",
        "Review this term's data with your supervisor and your partner.",
        Interaction.BOTH,
    ),
]
TEAM_NOTES = [
    "We agreed to focus on feedback after walk-throughs; both of us find it slips when the week "
    "gets busy.",
    "Talked through the staffing problem in confidence; not for the supervisors.",
    "Practised the conversation about attendance; try it on Tuesday and report back.",
]
SESSION_NOTES = [
    "Both well; the inspection dominates this month.",
    "Both assignments done; the walk-through was the most useful so far.",
    "Evidence of progress on feedback; the barrier is time after 3 pm.",
    "Rehearsed the conversation with the union representative.",
    "Each of us named one next step with a date.",
]
TRIAD_NOTES = [
    "Goals and evidence reviewed with the supervisors.",
    "The supervisors will protect Friday afternoons for visits.",
    "Next triad after the spring tests.",
]
SUMMARIES = [
    "Held as planned; next steps agreed.",
    "A good session; the assignment led to a real change.",
    "Short on time; agreed to meet again sooner.",
]
CANCEL_REASON = "A clash with a district meeting; moved to later in the month."


def peer_playbook() -> Playbook:
    found = Playbook.objects.filter(organisation=None, key=PEER_PLAYBOOK_KEY).first()
    if found is None or found.current_id is None:
        from coachloop.playbooks.services import sync_all_builtin

        sync_all_builtin()
        found = Playbook.objects.get(organisation=None, key=PEER_PLAYBOOK_KEY)
    return found


def month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class Team:
    engagement: Engagement
    members: list[User]
    #: each member's direct supervisor, in the members' order (a supervisor may repeat)
    supervisors: list[User]
    school: Organisation  # the first member's school: where they meet in person
    profile: str

    @property
    def sponsors(self) -> list[User]:
        return list({u.pk: u for u in self.supervisors}.values())


@dataclass
class PeerRows:
    """A chunk's rows, parents first (the ones nothing points to as plain rows)."""

    engagements: list[Engagement] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    steps: list[StepProgress] = field(default_factory=list)
    signatures: list[AgreementSignature] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    ratings: list[EffectivenessRating] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    meeting_participants: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)

    def write(self, counts: dict[str, int]) -> None:
        from coachloop.demo.generator import insert_plain

        plain = {
            "meeting_participants": MeetingParticipant,
            "completions": AssignmentCompletion,
        }
        for name, rows in vars(self).items():
            if name in plain:
                insert_plain(plain[name], rows)
            elif rows:
                type(rows[0]).objects.bulk_create(rows, batch_size=1000)
            key = f"peer_{name}"
            counts[key] = counts.get(key, 0) + len(rows)
            rows.clear()


class PeerAuthor:
    """One team's year so far: what happened, and the playbook's steps done accordingly."""

    def __init__(
        self,
        spec: schema.Playbook,
        rnd: random.Random,
        now: datetime,
        assignments: list[Assignment],
    ) -> None:
        self.spec = spec
        self.rnd = rnd
        self.now = now
        self.today = timezone.localdate(now)
        self.assignments = assignments
        self.steps = list(spec.steps())
        self.phase_index = {p.key: i for i, p in enumerate(spec.phases)}
        self.digest = text_digest(spec.agreement.text) if spec.agreement else ""
        assert spec.effectiveness is not None
        assert spec.goals is not None
        self.effectiveness = spec.effectiveness
        self.sources = spec.goals.sources

    def at(self, day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, self.rnd.choice((0, 30)))))

    def past(self, moment: datetime) -> datetime:
        return min(moment, self.now - timedelta(minutes=self.rnd.randint(5, 90)))

    # --- meetings -------------------------------------------------------------------------------

    def meeting(
        self,
        team: Team,
        rows: PeerRows,
        type_key: str,
        starts_at: datetime,
        mode: str,
        *,
        cancelled: bool = False,
    ) -> Meeting:
        kind = self.spec.meeting_type(type_key)
        held = not cancelled and starts_at + timedelta(minutes=kind.minutes) <= self.now
        visibility = kind.visibility or self.spec.default_visibility("meeting")
        notes = TRIAD_NOTES if visibility != Visibility.TEAM else SESSION_NOTES
        created_at = self.past(starts_at - timedelta(days=self.rnd.randint(5, 20)))
        held_at = starts_at + timedelta(minutes=kind.minutes) if held else None
        author = team.members[0]
        meeting = Meeting(
            organisation_id=team.engagement.organisation_id,
            engagement=team.engagement,
            meeting_type=kind.key,
            title=kind.title,
            starts_at=starts_at,
            minutes=kind.minutes,
            mode=mode,
            location=team.school.name if mode == "in_person" else "",
            link="https://meet.example.org/peer-team" if mode == "video" else "",
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            agenda=[stage.model_dump(mode="json") for stage in kind.agenda],
            stage_notes=[self.rnd.choice(notes) if held else "" for _ in kind.agenda],
            summary=self.rnd.choice(SUMMARIES) if held else "",
            author=author,
            visibility=visibility,
            held_at=held_at,
            revision=self.rnd.randint(1, 3) if held else 0,
            created_at=created_at,
            updated_at=held_at or created_at,
        )
        if cancelled:
            meeting.status = MeetingStatus.CANCELLED
            meeting.cancelled_at = self.past(starts_at - timedelta(days=2))
            meeting.cancelled_by = author
            meeting.reason = CANCEL_REASON
            meeting.sequence = 1
            meeting.updated_at = meeting.cancelled_at
        rows.meetings.append(meeting)
        people = list(team.members)
        if "sponsor" in kind.attendees:
            people += team.sponsors
        seen: set[int] = set()
        for user in people:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            rows.meeting_participants.append(
                {"meeting": meeting, "user": user, "attended": True if held else None}
            )
        return meeting

    def sessions(self, team: Team, rows: PeerRows, first_day: date) -> datetime | None:
        """Monthly sessions from the first month on; the first one held, or None."""
        rnd = self.rnd
        this_month = month_start(self.today)
        last_month = month_start(self.today, 1)
        month = month_start(first_day)
        since_in_person = 0
        first_held: datetime | None = None
        while month <= this_month:
            skip = (team.profile == "missed" and month == last_month) or (
                team.profile == "unscheduled" and month == this_month
            )
            if not skip:
                low = max(first_day, month) if month == month_start(first_day) else month
                high = month_end(month)
                day = low + timedelta(days=rnd.randint(0, max(0, (high - low).days - 1)))
                if team.profile == "remote":
                    mode = rnd.choice(("phone", "video"))
                elif since_in_person >= 2 or rnd.random() < 0.3:
                    mode = "in_person"
                else:
                    mode = rnd.choice(("phone", "video"))
                starts_at = self.at(day, rnd.choice((7, 8, 12, 15, 16)))
                if rnd.random() < 0.04 and day > low + timedelta(days=3):
                    # cancelled, then held a few days later
                    self.meeting(team, rows, "session", starts_at, mode, cancelled=True)
                    starts_at += timedelta(days=rnd.randint(2, 4))
                meeting = self.meeting(team, rows, "session", starts_at, mode)
                if meeting.status == MeetingStatus.HELD:
                    since_in_person = 0 if mode == "in_person" else since_in_person + 1
                    if first_held is None:
                        first_held = meeting.held_at
                if rnd.random() < 0.08 and month < this_month:
                    feedback_day = min(day + timedelta(days=rnd.randint(5, 12)), high)
                    self.meeting(
                        team,
                        rows,
                        "feedback",
                        self.at(feedback_day, 9),
                        "in_person",
                    )
            month = month_start(month_end(month) + timedelta(days=1))
        return first_held

    # --- the team's year ------------------------------------------------------------------------

    def build(self, team: Team, rows: PeerRows) -> None:
        rnd = self.rnd
        engagement = team.engagement
        start = engagement.starts_on
        done: dict[str, datetime] = {}

        # orientation with the supervisors, the agreement, goals
        orientation = self.meeting(
            team,
            rows,
            "orientation",
            self.at(start + timedelta(days=rnd.randint(4, 12)), 9),
            rnd.choice(("in_person", "in_person", "video")),
        )
        if orientation.held_at is not None:
            done["orientation"] = orientation.held_at
        signed = self.signatures(team, rows, start + timedelta(days=rnd.randint(5, 13)))
        if signed is not None:
            done["agreement"] = signed
        goals_on = start + timedelta(days=rnd.randint(18, 32))
        if goals_on < self.today:
            done["goals"] = self.goals(team, rows, goals_on)
        for point in self.effectiveness.points:
            late = rnd.choice((0, 0, 0, 2, 5, 9, 40))
            rated_on = start + timedelta(days=point.due_days + late - rnd.randint(0, 6))
            if rated_on < self.today:
                done[f"rate-{point.key}"] = self.ratings(team, rows, point.key, rated_on)

        # monthly sessions from the first month, a triad meeting for some
        first_held = self.sessions(team, rows, start + timedelta(days=rnd.randint(14, 24)))
        if first_held is not None:
            done["first-session"] = first_held
        triad_on = start + timedelta(days=rnd.randint(120, 160))
        if triad_on < self.today and rnd.random() < 0.6:
            triad = self.meeting(
                team, rows, "triad", self.at(triad_on, 14), rnd.choice(("in_person", "video"))
            )
            if triad.held_at is not None:
                done["triad"] = triad.held_at

        self.completions(team, rows)
        for n in range(rnd.randint(1, 2)):
            author = team.members[n % len(team.members)]
            rows.notes.append(
                Note(
                    organisation=engagement.organisation,
                    engagement=engagement,
                    author=author,
                    visibility=Visibility.TEAM,
                    title="Team note",
                    body=rnd.choice(TEAM_NOTES),
                    created_at=self.past(self.at(start + timedelta(days=30 * (n + 1)), 17)),
                )
            )
        self.progress(team, rows, done)

    def signatures(self, team: Team, rows: PeerRows, day: date) -> datetime | None:
        """Every member signs in both roles: for themself and as the others' coach."""
        agreement = self.spec.agreement
        if agreement is None or day >= self.today:
            return None
        last = None
        for n, member in enumerate(team.members):
            when = self.past(self.at(day + timedelta(days=n), 10))
            for role in agreement.signers:
                rows.signatures.append(
                    AgreementSignature(
                        organisation_id=team.engagement.organisation_id,
                        engagement=team.engagement,
                        user=member,
                        role=role,
                        signed_name=member.full_name,
                        text=team.engagement.agreement_text,
                        text_digest=self.digest,
                        signed_at=when,
                    )
                )
            last = when
        return last

    def goals(self, team: Team, rows: PeerRows, day: date) -> datetime:
        rnd = self.rnd
        when = self.past(self.at(day, 16))
        visibility = self.spec.default_visibility("goal")
        for member in team.members:
            for title, measure, evidence in rnd.sample(PEER_GOALS, rnd.choice((1, 2, 2, 3))):
                accomplished = rnd.random() < 0.25
                on = None
                if accomplished:
                    on = min(day + timedelta(days=rnd.randint(60, 150)), self.today)
                updated = self.past(self.at(on, 17)) if on else when
                rows.goals.append(
                    Goal(
                        organisation_id=team.engagement.organisation_id,
                        engagement=team.engagement,
                        member=member,
                        title=title,
                        source=rnd.choice(self.sources),
                        measure=measure,
                        evidence=evidence if accomplished else "",
                        status=GoalStatus.ACCOMPLISHED if accomplished else GoalStatus.ACTIVE,
                        accomplished_on=on,
                        author=member,
                        visibility=visibility,
                        revision=2 if accomplished else 1,
                        created_at=when,
                        updated_at=updated,
                    )
                )
        return when

    def levels(self, point: int) -> tuple[dict[str, Any], int]:
        """Ratings per level, higher at later points: {level: {"rating", "indicators"}}, and
        the highest level reached (it and every level below rated at least `reached_at`)."""
        rnd = self.rnd
        low, high = self.effectiveness.scale
        levels: dict[str, Any] = {}
        reached, climbing = 0, True
        for n, level in enumerate(self.effectiveness.levels):
            base = high - n + point + rnd.choice((-1, 0, 0, 1))
            rating = max(low, min(high, base))
            share = (rating - low) / max(1, high - low)
            indicators = [rnd.random() < share + 0.1 for _ in level.indicators]
            levels[level.key] = {"rating": rating, "indicators": indicators}
            if climbing and rating >= self.effectiveness.reached_at:
                reached = n + 1
            else:
                climbing = False
        return levels, reached

    def ratings(self, team: Team, rows: PeerRows, point_key: str, day: date) -> datetime:
        """Each member rated by themself and by their partner (the next member)."""
        point = [p.key for p in self.effectiveness.points].index(point_key)
        visibility = self.spec.default_visibility("effectiveness")
        last = self.now
        members = team.members
        for n, subject in enumerate(members):
            partner = members[(n + 1) % len(members)]
            for perspective, rater in (
                (Perspective.SELF, subject),
                (Perspective.PARTNER, partner),
            ):
                if perspective.value not in self.effectiveness.rated_by:
                    continue
                levels, reached = self.levels(point)
                when = self.past(self.at(day + timedelta(days=n), 17))
                last = when
                rows.ratings.append(
                    EffectivenessRating(
                        organisation_id=team.engagement.organisation_id,
                        engagement=team.engagement,
                        subject=subject,
                        rater=rater,
                        perspective=perspective,
                        point=point_key,
                        levels=levels,
                        reached=reached,
                        visibility=visibility,
                        created_at=when,
                        updated_at=when,
                    )
                )
        return last

    def completions(self, team: Team, rows: PeerRows) -> None:
        rnd = self.rnd
        this_month = month_start(self.today)
        chance = 0.6 if team.profile in ("missed", "unscheduled") else 0.9
        for assignment in self.assignments:
            if assignment.month < month_start(team.engagement.starts_on):
                continue
            current = assignment.month == this_month
            for member in team.members:
                if rnd.random() >= (0.3 if current else chance):
                    continue
                last = self.today if current else month_end(assignment.month)
                day = assignment.month + timedelta(
                    days=rnd.randint(0, max(0, (last - assignment.month).days))
                )
                rows.completions.append(
                    {
                        "assignment": assignment,
                        "engagement": team.engagement,
                        "member": member,
                        "interaction_done": assignment.interaction != Interaction.NONE
                        and rnd.random() < 0.9,
                        "completed_at": self.past(self.at(day, 18)),
                    }
                )

    def progress(self, team: Team, rows: PeerRows, done: dict[str, datetime]) -> None:
        """The playbook's steps, done when what they stand for happened; the current phase is
        the first with a required step open."""
        engagement = team.engagement
        flags = [step.key in done for _phase, step in self.steps]
        open_required = [
            self.phase_index[phase.key]
            for i, (phase, step) in enumerate(self.steps)
            if step.required and not flags[i]
        ]
        current = open_required[0] if open_required else len(self.spec.phases) - 1
        engagement.current_phase = self.spec.phases[current].key
        owner = team.members[0]
        for i, row in enumerate(steps_for(engagement, self.spec)):
            phase, step = self.steps[i]
            when = done.get(step.key)
            if when is not None:
                row.status = StepStatus.DONE
                row.completed_by = owner
                row.completed_at = when
                row.checklist_done = [True] * len(step.checklist)
            elif self.phase_index[phase.key] < current:  # optional, and it did not happen
                row.status = StepStatus.SKIPPED
            elif self.phase_index[phase.key] == current and step.checklist:
                row.checklist_done = [n == 0 for n in range(len(step.checklist))]
            rows.steps.append(row)


def teams_of(
    leaders_by_school: list[list[User]], size: PeerSize
) -> list[tuple[list[User], list[int]]]:
    """Members (and their schools) of each team: leaders of different schools, each in one team
    at most; the first team starts with the first school's first leader (leader@)."""
    pool = [
        (leaders[j], s)
        for j in range(max(len(ls) for ls in leaders_by_school))
        for s, leaders in enumerate(leaders_by_school)
        if j < len(leaders)
    ]
    teams = []
    at = 0
    for n in range(size.teams):
        count = 3 if n % size.triad_every == size.triad_every - 1 else 2
        if at + count > len(pool):
            break
        chosen = pool[at : at + count]
        at += count
        teams.append(([u for u, _s in chosen], [s for _u, s in chosen]))
    return teams


@transaction.atomic
def generate_peer(
    *,
    size: str,
    seed: int,
    district: Organisation,
    schools: list[Organisation],
    leaders_by_school: list[list[User]],
    supervisors: list[User],
    rep: User,
    admin: User,
    now: datetime,
) -> dict[str, int]:
    """The peer coaching programme. `supervisors[s % len]` supervises the leaders of school s
    (district representatives; the first is district@); `rep` follows every team as district
    representative unless they supervise one of its members."""
    peer_size = PEER_SIZES[size]
    rnd = random.Random(f"{seed}-peer")  # its own stream: the other programmes do not change
    today = timezone.localdate(now)
    playbook = peer_playbook()
    version = playbook.current
    assert version is not None
    spec = version.spec
    starts_on = month_start(today, peer_size.months)
    programme = Programme.objects.create(
        organisation=district,
        name=f"Peer coaching for school leaders, {starts_on:%B %Y} cohort",
        playbook=playbook,
        starts_on=starts_on,
        description=(
            "School leaders coach each other in pairs and triads, monthly and in confidence, "
            "with their direct supervisors kept informed."
        ),
    )
    programme.administrators.add(admin)

    # the programme's monthly assignment, the same for all teams
    assignments = []
    for k in range(peer_size.months, -1, -1):
        month = month_start(today, k)
        title, description, interaction = PEER_ASSIGNMENTS[
            (peer_size.months - k) % len(PEER_ASSIGNMENTS)
        ]
        assignments.append(
            Assignment(
                organisation=district,
                programme=programme,
                month=month,
                title=title,
                description=description,
                interaction=interaction,
                due_on=month_end(month),
                created_by=admin,
                created_at=min(
                    timezone.make_aware(datetime.combine(month - timedelta(days=5), time(9))),
                    now,
                ),
            )
        )
    Assignment.objects.bulk_create(assignments)

    # teams across schools live at the district: each member holds a role there too
    teams_members = teams_of(leaders_by_school, peer_size)
    Membership.objects.bulk_create(
        [
            Membership(
                user=member,
                organisation=district,
                role=Role.SCHOOL_LEADER,
                source=Membership.Source.DEMO,
            )
            for members, _schools in teams_members
            for member in members
        ],
        batch_size=2000,
    )
    author = PeerAuthor(spec, rnd, now, assignments)
    counts: dict[str, int] = {"peer_assignments": len(assignments)}
    rows = PeerRows()
    agreement_text = spec.agreement.text if spec.agreement else ""
    for n, (members, member_schools) in enumerate(teams_members):
        names = get_text_list([m.given_name for m in members], "and")
        engagement = Engagement(
            organisation=district,
            programme=programme,
            title=f"Peer team: {names}",
            starts_on=starts_on + timedelta(days=rnd.randint(0, 10)),
            playbook_version=version,
            agreement_text=agreement_text,
        )
        engagement.created_at = author.past(
            timezone.make_aware(datetime.combine(starts_on - timedelta(days=7), time(10)))
        )
        team = Team(
            engagement=engagement,
            members=members,
            supervisors=[supervisors[s % len(supervisors)] for s in member_schools],
            school=schools[member_schools[0]],
            profile=PROFILES[n % len(PROFILES)],
        )
        rows.engagements.append(engagement)
        for member in members:
            rows.participants += [
                Participant(engagement=engagement, user=member, role=ParticipantRole.COACH),
                Participant(engagement=engagement, user=member, role=ParticipantRole.COACHEE),
            ]
        for sponsor in team.sponsors:
            rows.participants.append(
                Participant(engagement=engagement, user=sponsor, role=ParticipantRole.SPONSOR)
            )
        if all(s.pk != rep.pk for s in team.sponsors):
            rows.participants.append(
                Participant(engagement=engagement, user=rep, role=ParticipantRole.DISTRICT_REP)
            )
        author.build(team, rows)
        if n % 100 == 99 or n == len(teams_members) - 1:
            rows.write(counts)
    counts["peer_teams"] = len(teams_members)
    return counts
