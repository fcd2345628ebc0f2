"""Reads for the views of instructional coaching (seed 004): the coach's caseload, the teacher's
own page and the programme administrator's aggregate of cycles. Pages, exports and the API all
read through these functions, so every channel shows the same rows at the same visibility.

Definitions:

- An *instructional* engagement is one whose playbook version has a `cycle` section (Study,
  Observe, Feedback meeting, Plan, then again).
- A coach's *caseload*: every teacher (coachee) of the active instructional engagements the user
  coaches, with their school, the engagement, the current action step's title (content: only when
  the policy lets the user read that step), the days since the last finished observation and
  since the last held meeting, the cycles completed (closed), and the next planned meeting. That
  an observation or a meeting happened, and when, is metadata; what was observed or said is not
  read here. One query for the whole page, however many teachers (subqueries per column, never
  a query per row).
- A teacher's *own page* ("My coaching"): per instructional engagement they are the teacher of,
  the current action step with its success criteria, what was agreed in the last held feedback
  meeting (its minutes for the action step and plan stages, only when the policy lets them read
  those minutes), the next meeting and the dates planned for the open cycle, their reflections
  and the steps mastered so far.
- The *programme aggregate*: cycles completed per coach per month (by the coach who closed each
  cycle, in the month it closed), the median cycle length in days (closed on minus opened on,
  over closed cycles), and the time spent per feedback meeting stage against its planned
  minutes (from the live meeting guide's timings). Aggregates and metadata only: no content.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps.models import ActionStep, ActionStepStatus, Cycle, CycleStatus
from coachloop.engagements.models import (
    Engagement,
    EngagementStatus,
    FormResponse,
    Participant,
    ParticipantRole,
    Programme,
)
from coachloop.meetings.models import Meeting, MeetingStatus, StageTimeMonth
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.playbooks import schema
from coachloop.playbooks.models import PlaybookVersion

#: the caseload's orders: teacher's name, longest since observed, longest since met
SORTS = ("name", "observed", "met")
#: the form a teacher writes their reflections in (the built-in playbook's key)
REFLECTION_FORM = "reflection"
#: the minutes of these agenda stages are "what was agreed"
AGREED_TOOLS = ("action_step", "plan")
#: a planned meeting stays "next" until 12 hours after its start, like on the today page
NEXT_MEETING_GRACE = datetime.timedelta(hours=12)


# --- Which engagements are instructional -------------------------------------------------------


def cycle_versions() -> QuerySet[PlaybookVersion, Any]:
    """Playbook versions with a `cycle` section (stored as JSON null when there is none)."""
    return (
        PlaybookVersion.objects.filter(definition__has_key="cycle")
        .exclude(definition__cycle=None)
        .values("pk")
    )


def _instructional(engagements: QuerySet[Engagement]) -> QuerySet[Engagement]:
    return engagements.filter(playbook_version__in=cycle_versions())


def coached_engagements(user: User) -> QuerySet[Engagement]:
    """The active instructional engagements the user coaches (and may see)."""
    mine = Participant.objects.filter(user=user, role=ParticipantRole.COACH)
    return _instructional(
        policy.engagements_visible_to(user).filter(
            pk__in=mine.values("engagement_id"), status=EngagementStatus.ACTIVE
        )
    )


# --- The caseload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadRow:
    """One teacher in one engagement, as the caseload shows them."""

    teacher: User
    engagement: Engagement
    school: str
    step_id: int | None
    step_title: str  # empty when there is none, or the user may not read it
    last_observed: datetime.date | None
    days_since_observed: int | None
    last_met: datetime.date | None
    days_since_met: int | None
    cycles_completed: int
    next_meeting_id: int | None
    next_meeting_at: datetime.datetime | None


def caseload(*, user: User, query: str = "", sort: str = "name") -> QuerySet[Participant]:
    """The user's caseload, one coachee row per engagement, annotated with every column (see the
    module's docstring). One query, whatever the number of teachers; turn each row into a
    `CaseloadRow` with `caseload_row`. `sort`: "name", "observed" (longest since observed
    first, never observed before all) or "met" (likewise for held meetings)."""
    engagement = OuterRef("engagement")
    teacher = OuterRef("user")
    step = (
        policy.action_steps_visible_to(user)
        .filter(engagement=engagement, coachee=teacher, status=ActionStepStatus.CURRENT)
        .order_by("-started_on", "-id")
    )
    observed = (
        Observation.objects.filter(
            engagement=engagement, coachee=teacher, status=ObservationStatus.FINAL
        )
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    met = (
        Meeting.objects.filter(engagement=engagement, status=MeetingStatus.HELD)
        .annotate(at=Coalesce("held_at", "starts_at"))
        .order_by("-at")
        .values("at")[:1]
    )
    closed = (
        Cycle.objects.filter(engagement=engagement, status=CycleStatus.CLOSED)
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    upcoming = Meeting.objects.filter(
        engagement=engagement,
        status=MeetingStatus.PLANNED,
        starts_at__gte=timezone.now() - NEXT_MEETING_GRACE,
    ).order_by("starts_at", "pk")
    rows = (
        Participant.objects.filter(
            role=ParticipantRole.COACHEE, engagement__in=coached_engagements(user)
        )
        .select_related("user", "engagement", "engagement__organisation")
        .annotate(
            step_id=Subquery(step.values("pk")[:1]),
            step_title=Subquery(step.values("title")[:1]),
            last_observed_at=Subquery(observed),
            last_met_at=Subquery(met),
            cycles_completed=Coalesce(Subquery(closed, output_field=IntegerField()), 0),
            next_meeting_id=Subquery(upcoming.values("pk")[:1]),
            next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
        )
    )
    for word in query.split()[:5]:
        rows = rows.filter(
            Q(user__given_name__icontains=word)
            | Q(user__family_name__icontains=word)
            | Q(user__email__icontains=word)
        )
    names = ("user__family_name", "user__given_name", "user__email", "engagement_id", "pk")
    if sort == "observed":
        return rows.order_by(F("last_observed_at").asc(nulls_first=True), *names)
    if sort == "met":
        return rows.order_by(F("last_met_at").asc(nulls_first=True), *names)
    return rows.order_by(*names)


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def caseload_row(row: Participant, today: datetime.date | None = None) -> CaseloadRow:
    """A row of `caseload()` with its days counted from `today` (default: today)."""
    today = today or timezone.localdate()
    data: dict[str, Any] = row.__dict__
    observed = _local_date(data.get("last_observed_at"))
    met = _local_date(data.get("last_met_at"))
    return CaseloadRow(
        teacher=row.user,
        engagement=row.engagement,
        school=row.engagement.organisation.name,
        step_id=data.get("step_id"),
        step_title=data.get("step_title") or "",
        last_observed=observed,
        days_since_observed=(today - observed).days if observed else None,
        last_met=met,
        days_since_met=(today - met).days if met else None,
        cycles_completed=int(data.get("cycles_completed") or 0),
        next_meeting_id=data.get("next_meeting_id"),
        next_meeting_at=data.get("next_meeting_at"),
    )


def caseload_rows(
    *,
    user: User,
    query: str = "",
    sort: str = "name",
    limit: int | None = None,
    today: datetime.date | None = None,
) -> list[CaseloadRow]:
    """Every row of the caseload (for exports, the today page's shortcut and the API)."""
    rows = caseload(user=user, query=query, sort=sort)
    if limit is not None:
        rows = rows[:limit]
    return [caseload_row(r, today) for r in rows]


#: the export's columns (translated when written: marked here for the message catalogue)
CASELOAD_HEADER = (
    gettext_noop("Teacher"),
    gettext_noop("Email"),
    gettext_noop("School"),
    gettext_noop("Engagement"),
    gettext_noop("Current action step"),
    gettext_noop("Last observed"),
    gettext_noop("Days since observed"),
    gettext_noop("Last meeting held"),
    gettext_noop("Days since meeting"),
    gettext_noop("Cycles completed"),
    gettext_noop("Next meeting"),
)


def caseload_table(rows: Iterable[CaseloadRow]) -> list[list[Any]]:
    """The caseload's rows as export cells, in the order of CASELOAD_HEADER."""
    return [
        [
            str(r.teacher),
            r.teacher.email,
            r.school,
            r.engagement.title,
            r.step_title,
            r.last_observed,
            r.days_since_observed,
            r.last_met,
            r.days_since_met,
            r.cycles_completed,
            timezone.localtime(r.next_meeting_at).replace(tzinfo=None)
            if r.next_meeting_at
            else None,
        ]
        for r in rows
    ]


# --- One engagement's cycles (the engagement page's section) -----------------------------------


@dataclass(frozen=True)
class EngagementCycles:
    """An instructional engagement at a glance: the current action step (when the user may read
    it), the cycles completed, and the next planned feedback meeting."""

    has_cycles: bool
    step_id: int | None = None
    step_title: str = ""
    #: a current step exists, whether or not the user may read it (metadata)
    step_exists: bool = False
    cycles_completed: int = 0
    next_feedback_id: int | None = None
    next_feedback_at: datetime.datetime | None = None


def engagement_cycles(*, user: Any, engagement: Engagement) -> EngagementCycles:
    """One query (none for an engagement without cycles)."""
    spec = engagement.spec
    if spec is None or spec.cycle is None or user is None or not user.is_authenticated:
        return EngagementCycles(has_cycles=spec is not None and spec.cycle is not None)
    here = OuterRef("pk")
    step = (
        policy.action_steps_visible_to(user)
        .filter(engagement=here, status=ActionStepStatus.CURRENT)
        .order_by("-started_on", "-id")
    )
    closed = (
        Cycle.objects.filter(engagement=here, status=CycleStatus.CLOSED)
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    feedback = Meeting.objects.filter(
        engagement=here,
        status=MeetingStatus.PLANNED,
        meeting_type=spec.cycle.meeting,
        starts_at__gte=timezone.now() - NEXT_MEETING_GRACE,
    ).order_by("starts_at", "pk")
    found = (
        Engagement.objects.filter(pk=engagement.pk)
        .annotate(
            step_id=Subquery(step.values("pk")[:1]),
            step_title=Subquery(step.values("title")[:1]),
            step_exists=Exists(
                ActionStep.objects.filter(engagement=here, status=ActionStepStatus.CURRENT)
            ),
            closed=Coalesce(Subquery(closed, output_field=IntegerField()), 0),
            feedback_id=Subquery(feedback.values("pk")[:1]),
            feedback_at=Subquery(feedback.values("starts_at")[:1]),
        )
        .values("step_id", "step_title", "step_exists", "closed", "feedback_id", "feedback_at")
        .first()
    )
    row: dict[str, Any] = dict(found) if found else {}
    return EngagementCycles(
        has_cycles=True,
        step_id=row.get("step_id"),
        step_title=row.get("step_title") or "",
        step_exists=bool(row.get("step_exists")),
        cycles_completed=int(row.get("closed") or 0),
        next_feedback_id=row.get("feedback_id"),
        next_feedback_at=row.get("feedback_at"),
    )


# --- The teacher's own page --------------------------------------------------------------------

MY_ENGAGEMENTS = 10
MY_REFLECTIONS = 5


@dataclass
class Agreed:
    """The last held feedback meeting: its date, and the minutes of its action-step and plan
    stages when the user may read the minutes (otherwise `minutes_visible` is False)."""

    meeting: Meeting
    held_on: datetime.date
    minutes_visible: bool
    stages: list[tuple[str, str]] = field(default_factory=list)  # (stage title, its notes)


@dataclass
class MyEngagement:
    engagement: Engagement
    spec: schema.Playbook | None
    current_steps: list[ActionStep] = field(default_factory=list)
    mastered: list[ActionStep] = field(default_factory=list)
    agreed: Agreed | None = None
    next_meeting: Meeting | None = None
    open_cycle: Cycle | None = None
    reflections: list[FormResponse] = field(default_factory=list)
    reflections_total: int = 0
    can_reflect: bool = False


def _cycle_meeting_types(versions: Iterable[PlaybookVersion | None]) -> set[str]:
    types = set()
    for version in versions:
        spec = version.spec if version is not None else None
        if spec is not None and spec.cycle is not None:
            types.add(spec.cycle.meeting)
    return types


def my_coaching(*, user: User, limit: int = MY_ENGAGEMENTS) -> list[MyEngagement]:
    """The instructional engagements the user is the teacher of (active ones first), each with
    what the teacher's own page shows (see the module's docstring). A fixed number of queries,
    whatever the number of engagements, steps, meetings or reflections."""
    mine = Participant.objects.filter(user=user, role=ParticipantRole.COACHEE)
    engagements = _instructional(
        policy.engagements_visible_to(user).filter(pk__in=mine.values("engagement_id"))
    ).select_related("organisation", "playbook_version")
    found = list(engagements.order_by("status", "-starts_on", "pk")[:limit])
    if not found:
        return []
    types = _cycle_meeting_types(e.playbook_version for e in found)
    ids = [e.pk for e in found]
    held = (
        Meeting.objects.filter(
            engagement=OuterRef("pk"), status=MeetingStatus.HELD, meeting_type__in=types
        )
        .annotate(at=Coalesce("held_at", "starts_at"))
        .order_by("-at", "-pk")
    )
    upcoming = Meeting.objects.filter(
        engagement=OuterRef("pk"),
        status=MeetingStatus.PLANNED,
        starts_at__gte=timezone.now() - NEXT_MEETING_GRACE,
    ).order_by("starts_at", "pk")
    reflections_count = (
        policy.form_responses_visible_to(user)
        .filter(engagement=OuterRef("pk"), form_key=REFLECTION_FORM)
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    annotated = {
        row["pk"]: row
        for row in Engagement.objects.filter(pk__in=ids)
        .annotate(
            last_held_id=Subquery(held.values("pk")[:1]),
            next_id=Subquery(upcoming.values("pk")[:1]),
            reflections=Coalesce(Subquery(reflections_count, output_field=IntegerField()), 0),
        )
        .values("pk", "last_held_id", "next_id", "reflections")
    }
    meeting_ids = {
        v for row in annotated.values() for v in (row["last_held_id"], row["next_id"]) if v
    }
    readable = policy.meeting_minutes_visible_to(user).filter(pk=OuterRef("pk"))
    meetings = {
        m.pk: m
        for m in policy.meetings_visible_to(user)
        .filter(pk__in=meeting_ids)
        .annotate(minutes_visible=Exists(readable))
    }
    steps = (
        policy.action_steps_visible_to(user)
        .filter(
            engagement__in=ids,
            coachee=user,
            status__in=(ActionStepStatus.CURRENT, ActionStepStatus.MASTERED),
        )
        .order_by("started_on", "pk")
    )
    open_cycles = {
        c.engagement_id: c
        for c in policy.cycles_visible_to(user).filter(engagement__in=ids, status=CycleStatus.OPEN)
    }
    reflections = (
        policy.form_responses_visible_to(user)
        .filter(engagement__in=ids, form_key=REFLECTION_FORM)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("engagement_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=MY_REFLECTIONS)
        .order_by("-created_at", "-pk")
    )
    pages = {e.pk: MyEngagement(e, e.spec) for e in found}
    for step in steps:
        page = pages[step.engagement_id]
        if step.status == ActionStepStatus.CURRENT:
            page.current_steps.append(step)
        else:
            page.mastered.append(step)
    for response in reflections:
        pages[response.engagement_id].reflections.append(response)
    for engagement in found:
        page = pages[engagement.pk]
        row = annotated[engagement.pk]
        page.reflections_total = row["reflections"]
        page.open_cycle = open_cycles.get(engagement.pk)
        page.next_meeting = meetings.get(row["next_id"]) if row["next_id"] else None
        page.current_steps.sort(key=lambda s: (s.started_on, s.pk), reverse=True)
        page.mastered.sort(key=lambda s: (s.mastered_on or s.started_on, s.pk))
        spec = page.spec
        last = meetings.get(row["last_held_id"]) if row["last_held_id"] else None
        cycle_spec = spec.cycle if spec is not None else None
        if last is not None and cycle_spec is not None and last.meeting_type == cycle_spec.meeting:
            page.agreed = _agreed(last)
        form = next((f for f in spec.forms if f.key == REFLECTION_FORM), None) if spec else None
        page.can_reflect = (
            form is not None
            and ParticipantRole.COACHEE in form.filled_by
            and engagement.status == EngagementStatus.ACTIVE
        )
    return [pages[e.pk] for e in found]


def _agreed(meeting: Meeting) -> Agreed:
    held_at = meeting.held_at or meeting.starts_at
    visible = bool(getattr(meeting, "minutes_visible", False))
    agreed = Agreed(meeting, timezone.localdate(held_at), visible)
    if not visible:
        return agreed
    notes = meeting.stage_notes if isinstance(meeting.stage_notes, list) else []
    for index, stage in enumerate(meeting.agenda if isinstance(meeting.agenda, list) else []):
        if not isinstance(stage, dict) or stage.get("tool") not in AGREED_TOOLS:
            continue
        text = notes[index] if index < len(notes) and isinstance(notes[index], str) else ""
        if text.strip():
            agreed.stages.append((str(stage.get("title") or ""), text))
    return agreed


# --- The programme's aggregate view ------------------------------------------------------------


@dataclass
class CoachCycles:
    coach_id: int | None
    name: str
    by_month: list[int]
    total: int
    median_days: float | None


@dataclass
class StageTime:
    """One feedback meeting stage over the period: minutes actually spent against the plan."""

    title: str
    position: int
    meetings: int
    planned_minutes: float | None
    mean_minutes: float | None
    median_minutes: float | None
    extra_minutes: float  # mean minutes added to the stage while it ran
    skipped: int

    @property
    def difference(self) -> float | None:
        if self.mean_minutes is None or self.planned_minutes is None:
            return None
        return self.mean_minutes - self.planned_minutes


@dataclass
class ProgrammeCycles:
    programme: Programme
    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the last month
    months: list[datetime.date]
    coaches: list[CoachCycles]
    month_totals: list[int]
    total: int
    median_days: float | None
    stages: list[StageTime]
    meetings_timed: int
    meeting_types: list[str]


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of every month from `start`'s to `end`'s, both included."""
    months = []
    month = month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def median_of_counts(counts: Counter[float] | dict[float, int]) -> float | None:
    """The median of a multiset given as {value: how many times}: what `statistics.median`
    gives on the expanded list, without expanding it."""
    total = sum(n for n in counts.values() if n > 0)
    if total == 0:
        return None
    values = sorted(v for v, n in counts.items() if n > 0)
    low_index, high_index = (total - 1) // 2, total // 2
    seen = 0
    low: float | None = None
    for value in values:
        seen += counts[value]
        if low is None and seen > low_index:
            low = value
        if seen > high_index:
            assert low is not None
            return (low + value) / 2
    raise AssertionError("unreachable")  # pragma: no cover


def stage_times(rows: Iterable[StageTimeMonth]) -> list[StageTime]:
    """Per agenda stage, the minutes spent over the meetings that recorded them, from the
    monthly roll-ups (meetings.stagetimes): mean and median against the planned minutes."""
    totals: dict[tuple[int, str], dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(
            (row.position, row.title),
            {
                "meetings": 0,
                "planned": 0,
                "spent": 0,
                "extra": 0,
                "skipped": 0,
                "spread": Counter(),
            },
        )
        total["meetings"] += row.meetings
        total["planned"] += row.planned_minutes
        total["spent"] += row.spent_seconds
        total["extra"] += row.extra_minutes
        total["skipped"] += row.skipped
        spread = total.setdefault("spread", Counter())
        for seconds, n in (row.spread or {}).items():
            spread[float(seconds)] += int(n)
    out = []
    for (position, title), total in totals.items():
        n = total["meetings"]
        if not n:
            continue
        median = median_of_counts(total["spread"])
        out.append(
            StageTime(
                title=title,
                position=position,
                meetings=n,
                planned_minutes=total["planned"] / n,
                mean_minutes=total["spent"] / n / 60,
                median_minutes=median / 60 if median is not None else None,
                extra_minutes=total["extra"] / n,
                skipped=total["skipped"],
            )
        )
    return sorted(out, key=lambda s: (s.position, s.title))


def programme_cycles(
    *, user: User, programme: Programme, start: datetime.date, end: datetime.date
) -> ProgrammeCycles:
    """The aggregate of the programme's cycles and feedback meetings from `start`'s month to
    `end`'s month, both included. For those who manage the programme (PermissionDenied for
    others: call after the 404 check). A fixed number of queries; the counts and lengths are
    grouped in the database, the stage timings read as (agenda, guide) pairs only."""
    policy.require(user, Action.MANAGE, programme)
    months = months_between(start, end)
    first, after = months[0], next_month(months[-1])
    closed = policy.programme_cycles_followed_by(user, programme).filter(
        status=CycleStatus.CLOSED, closed_month__gte=first, closed_month__lt=after
    )
    # One grouping, folded into months and lengths here: a second one would scan the
    # programme's cycles again.
    counts: dict[int | None, dict[datetime.date, int]] = {}
    by_coach: dict[int | None, Counter[float]] = {}
    overall: Counter[float] = Counter()
    grouped = (
        closed.order_by()
        .values("closed_by_id", "closed_month", "length_days")
        .annotate(n=Count("pk"))
    )
    for row in grouped:
        coach, month, days, n = (
            row["closed_by_id"],
            row["closed_month"],
            row["length_days"],
            row["n"],
        )
        if month is not None:
            months_counted = counts.setdefault(coach, {})
            months_counted[month] = months_counted.get(month, 0) + n
        if days is not None:
            by_coach.setdefault(coach, Counter())[float(days)] += n
            overall[float(days)] += n
    names = {
        u.pk: str(u)
        for u in User.objects.filter(pk__in=[pk for pk in counts if pk is not None]).only(
            "pk", "given_name", "family_name", "email"
        )
    }
    coaches = []
    for coach_id, months_counted in counts.items():
        name = names.get(coach_id, "") if coach_id is not None else ""
        by_month = [months_counted.get(m, 0) for m in months]
        coaches.append(
            CoachCycles(
                coach_id,
                name,
                by_month,
                sum(by_month),
                median_of_counts(by_coach.get(coach_id, Counter())),
            )
        )
    coaches.sort(key=lambda c: (c.coach_id is None, c.name.lower(), c.coach_id or 0))
    month_totals = [sum(c.by_month[i] for c in coaches) for i in range(len(months))]

    versions = PlaybookVersion.objects.filter(
        pk__in=Engagement.objects.filter(programme=programme)
        .order_by()
        .values("playbook_version_id")
        .distinct()
    ).only("pk", "digest", "definition")
    types = sorted(_cycle_meeting_types(versions))
    rollups = list(
        StageTimeMonth.objects.filter(
            programme=programme, meeting_type__in=types, month__gte=first, month__lt=after
        ).only(
            "position",
            "title",
            "meetings",
            "planned_minutes",
            "spent_seconds",
            "extra_minutes",
            "skipped",
            "spread",
        )
    )
    stages = stage_times(rollups)
    meetings_timed = max((s.meetings for s in stages), default=0)
    total = sum(month_totals)
    return ProgrammeCycles(
        programme=programme,
        start=first,
        end=months[-1],
        months=months,
        coaches=coaches,
        month_totals=month_totals,
        total=total,
        median_days=median_of_counts(overall),
        stages=stages,
        meetings_timed=meetings_timed,
        meeting_types=types,
    )


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def parse_month(value: str) -> datetime.date | None:
    """'2026-09' as the first of that month; None when it is not a month."""
    try:
        year, month = value.strip().split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        return None


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The twelve months up to and including this one."""
    end = month_start(today or timezone.localdate())
    start = end
    for _month in range(11):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    return start, end


MAX_MONTHS = 60


def period_errors(start: datetime.date | None, end: datetime.date | None) -> dict[str, str]:
    """What is wrong with a chosen period, by field ('from', 'to'); empty when it is fine."""
    errors = {}
    if start is None:
        errors["from"] = _("Choose the first month as year and month, for example 2026-09.")
    if end is None:
        errors["to"] = _("Choose the last month as year and month, for example 2027-06.")
    if start and end:
        if end < start:
            errors["to"] = _("Choose a last month on or after the first month.")
        elif len(months_between(start, end)) > MAX_MONTHS:
            errors["to"] = _("Choose a period of at most %d months.") % MAX_MONTHS
    return errors
