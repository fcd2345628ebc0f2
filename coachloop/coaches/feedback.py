"""Coaching-experience feedback (seed 003): rounds, invitations, results, replies and trends.

A `FeedbackRound` is one survey administration of the playbook's `coaching_feedback.instrument`
about one coach (`Administration.subject`), for one period of a programme (the calendar quarter,
or periods of `every_months` months from January), to the coachees of the coach's active
engagements in that programme. Answers are pooled per coach, so results come only through the
anonymity engine (surveys.engine): the coach, their leads and the programme's administrators
see a round's figures only when it has closed with at least k answers; never by engagement or
coachee.

Rounds are made by the worker each period (`ask_quarterly`, from the tick) and when a coaching
cycle closes (`ask_after_cycle`, from actionsteps.signals). A person is invited once per round.
The coach replies to a shown round with what they will change (`reply`)."""

from __future__ import annotations

import calendar
import datetime
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from coachloop.access import audit, policy
from coachloop.access.models import Visibility
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.coaches.models import FeedbackReply, FeedbackRound
from coachloop.engagements.models import (
    Engagement,
    EngagementStatus,
    Participant,
    ParticipantRole,
    Programme,
)
from coachloop.lib.errors import DomainError
from coachloop.playbooks.schema import CoachingFeedbackSpec
from coachloop.surveys import engine
from coachloop.surveys import selectors as survey_selectors
from coachloop.surveys.models import Administration, Instrument, InstrumentVersion, Invitation
from coachloop.surveys.schema import Instrument as InstrumentSpec
from coachloop.surveys.services import Rater, _email_after_commit, _new_emailed

logger = logging.getLogger(__name__)

#: the respondent role coachees answer as (the instrument's)
ROLE = "participant"
#: periods when the playbook asks only after cycles
DEFAULT_MONTHS = 3
REPLY_MAX = 4000


# --- Periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    starts_on: datetime.date
    ends_on: datetime.date


def period_of(day: datetime.date, every_months: int | None = None) -> Period:
    """The period holding `day`: calendar quarters ("2026-Q4") by default; with another
    `every_months`, periods of that many months from January ("2026-10" for one month,
    "2026-H2" for six, "2026" for twelve, else "2026-M05" by the first month)."""
    months = every_months or DEFAULT_MONTHS
    index = (day.month - 1) // months
    first = index * months + 1
    last = min(first + months - 1, 12)
    if months == 3:
        label = f"{day.year}-Q{index + 1}"
    elif months == 1:
        label = f"{day.year}-{first:02d}"
    elif months == 6:
        label = f"{day.year}-H{index + 1}"
    elif months == 12:
        label = str(day.year)
    else:
        label = f"{day.year}-M{first:02d}"
    end = datetime.date(day.year, last, calendar.monthrange(day.year, last)[1])
    return Period(label, datetime.date(day.year, first, 1), end)


# --- Who is asked ---------------------------------------------------------------------------------


def feedback_spec(programme: Programme) -> CoachingFeedbackSpec | None:
    playbook = programme.playbook
    version = playbook.current if playbook is not None else None
    return version.spec.coaching_feedback if version is not None else None


def _instrument(programme: Programme, key: str) -> Instrument | None:
    """The programme's organisation's own copy of the instrument, else the built-in one."""
    return (
        Instrument.objects.filter(key=key, is_archived=False, current__isnull=False)
        .filter(Q(organisation__isnull=True) | Q(organisation_id=programme.organisation_id))
        .select_related("current")
        .order_by(F("organisation_id").desc(nulls_last=True))
        .first()
    )


def _active_pairs(programmes: Iterable[int]) -> dict[tuple[int, int], dict[int, User]]:
    """(programme, coach) -> the coachees of the coach's active engagements there: one query."""
    coaching = Participant.objects.filter(
        role=ParticipantRole.COACH,
        engagement__programme_id__in=list(programmes),
        engagement__status=EngagementStatus.ACTIVE,
        user__is_active=True,
    ).values_list("engagement_id", "engagement__programme_id", "user_id")
    coaches_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for engagement_id, programme_id, coach_id in coaching:
        coaches_of[engagement_id].append((programme_id, coach_id))
    pairs: dict[tuple[int, int], dict[int, User]] = {}
    for _e, keys in coaches_of.items():
        for key in keys:
            pairs.setdefault(key, {})
    coachees = (
        Participant.objects.filter(
            role=ParticipantRole.COACHEE,
            engagement_id__in=list(coaches_of),
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
    )
    for p in coachees:
        for key in coaches_of[p.engagement_id]:
            if p.user_id != key[1]:
                pairs[key][p.user_id] = p.user
    return pairs


# --- Rounds and invitations -----------------------------------------------------------------------


def round_for(
    programme: Programme,
    coach: User,
    today: datetime.date | None = None,
    *,
    create: bool = True,
) -> FeedbackRound | None:
    """The coach's round in the programme for the period holding `today`, made (with its
    administration, nobody invited yet) when missing and `create`; None when the programme's
    playbook asks for no coaching feedback or its instrument is missing."""
    today = today or timezone.localdate()
    spec = feedback_spec(programme)
    if spec is None:
        return None
    period = period_of(today, spec.every_months)
    found = FeedbackRound.objects.filter(
        programme=programme, coach=coach, period=period.label
    ).first()
    if found is not None or not create:
        return found
    instrument = _instrument(programme, spec.instrument)
    if instrument is None or instrument.current is None:
        logger.warning(
            "Programme %s asks for coaching feedback with instrument %r, which is missing.",
            programme.pk,
            spec.instrument,
        )
        return None
    try:
        with transaction.atomic():
            administration = Administration.objects.create(
                organisation_id=programme.organisation_id,
                engagement=None,
                version=instrument.current,
                title=f"{instrument.current.spec.name}: {coach}, {period.label}"[:200],
                subject=coach,
                roles=[ROLE],
                opens_on=today,
                closes_on=period.ends_on,
                visibility=Visibility.PROGRAMME,
                live_results=False,
                created_by=coach,
            )
            made = FeedbackRound.objects.create(
                organisation_id=programme.organisation_id,
                programme=programme,
                coach=coach,
                administration=administration,
                period=period.label,
                starts_on=period.starts_on,
                ends_on=period.ends_on,
            )
    except IntegrityError:
        # another worker made it at the same moment
        return FeedbackRound.objects.get(programme=programme, coach=coach, period=period.label)
    audit.record(
        actor=None,
        action="feedback.round",
        target=made,
        data={"period": period.label, "programme": programme.pk, "coach": coach.pk},
    )
    return made


def _invite(feedback_round: FeedbackRound, people: Sequence[User]) -> int:
    """Invite those of `people` not yet invited to the round (each once); emails after commit."""
    with transaction.atomic():
        administration = Administration.objects.select_for_update().get(
            pk=feedback_round.administration_id
        )
        if administration.is_closed or administration.closes_on < timezone.localdate():
            return 0
        invited = set(
            Invitation.objects.filter(administration=administration)
            .exclude(user__isnull=True)
            .values_list("user_id", flat=True)
        )
        emails = {
            e.lower()
            for e in Invitation.objects.filter(administration=administration).values_list(
                "email", flat=True
            )
        }
        raters = [
            Rater(email=u.email.lower(), role=ROLE, name=str(u), user=u)
            for u in {u.pk: u for u in people}.values()
            if u.pk not in invited
            and u.email
            and u.email.lower() not in emails
            and u.pk != feedback_round.coach_id
        ]
        if not raters:
            return 0
        invitations = _new_emailed(administration, raters)
        Administration.objects.filter(pk=administration.pk).update(
            invited_count=F("invited_count") + len(invitations)
        )
        audit.record(
            actor=None,
            action="survey.invite",
            target=administration,
            data={"added": len(invitations), "feedback_round": feedback_round.pk},
        )
        _email_after_commit([i.pk for i in invitations], reminder=False)
        return len(invitations)


def ask_quarterly(today: datetime.date | None = None) -> int:
    """The worker's tick: every coach of each programme whose playbook asks every few months
    gets the period's round, with every current coachee invited (once). Idempotent: returns
    how many invitations it made."""
    today = today or timezone.localdate()
    programmes = {
        p.pk: p
        for p in Programme.objects.filter(
            playbook__current__definition__coaching_feedback__isnull=False
        ).select_related("playbook__current")
        if (spec := feedback_spec(p)) is not None and spec.every_months
    }
    if not programmes:
        return 0
    pairs = _active_pairs(programmes)
    existing = {
        (r.programme_id, r.coach_id): r
        for r in FeedbackRound.objects.filter(
            programme_id__in=list(programmes),
            period__in={
                period_of(today, feedback_spec(p).every_months).label  # type: ignore[union-attr]
                for p in programmes.values()
            },
        )
    }
    invited: dict[int, set[int]] = defaultdict(set)
    for admin_id, user_id in Invitation.objects.filter(
        administration_id__in=[r.administration_id for r in existing.values()]
    ).values_list("administration_id", "user_id"):
        invited[admin_id].add(user_id)
    coaches = User.objects.in_bulk({c for _p, c in pairs})
    made = 0
    for (programme_id, coach_id), coachees in sorted(pairs.items()):
        if not coachees:
            continue
        programme = programmes[programme_id]
        found = existing.get((programme_id, coach_id))
        if found is not None and set(coachees) <= invited[found.administration_id]:
            continue
        try:
            feedback_round = found or round_for(programme, coaches[coach_id], today)
            if feedback_round is not None:
                made += _invite(feedback_round, list(coachees.values()))
        except Exception:
            logger.exception(
                "Coaching feedback for coach %s in programme %s failed; tried again next tick.",
                coach_id,
                programme_id,
            )
    return made


def ask_after_cycle(cycle: Any, today: datetime.date | None = None) -> list[FeedbackRound]:
    """A coaching cycle closed: when the engagement's playbook asks after cycles, its coachees
    are invited into each of its coaches' rounds for the current period (made if missing),
    unless already invited there. Never stops the meeting being recorded: a failure is logged."""
    engagement: Engagement = cycle.engagement
    spec = engagement.spec
    if spec is None or spec.coaching_feedback is None or not spec.coaching_feedback.after_cycle:
        return []
    if engagement.status != EngagementStatus.ACTIVE:
        return []
    people = list(
        Participant.objects.filter(engagement=engagement, user__is_active=True).select_related(
            "user"
        )
    )
    coachees = [p.user for p in people if p.role == ParticipantRole.COACHEE and p.user.email]
    coaches = [p.user for p in people if p.role == ParticipantRole.COACH]
    rounds: list[FeedbackRound] = []
    if not coachees:
        return rounds
    for coach in coaches:
        try:
            with transaction.atomic():
                feedback_round = round_for(engagement.programme, coach, today)
                if feedback_round is not None:
                    _invite(feedback_round, [u for u in coachees if u.pk != coach.pk])
                    rounds.append(feedback_round)
        except Exception:
            logger.exception(
                "Coaching feedback after cycle %s failed for coach %s.", cycle.pk, coach.pk
            )
    return rounds


# --- Results --------------------------------------------------------------------------------------


def status_of(feedback_round: FeedbackRound, today: datetime.date | None = None) -> str:
    """ "open", "scheduled" or "closed" (as surveys say it)."""
    return survey_selectors.status_of(feedback_round.administration, today)


STATUS_LABELS = {
    "open": _("Open"),
    "scheduled": _("Not open yet"),
    "closed": _("Closed"),
}


def overall_of(report: engine.Report) -> float | None:
    """A round's overall score: the mean of the domain scores its report shows (so never over
    fewer than k); None when it shows none."""
    shown = [d.overall.mean for d in report.domains if d.overall is not None]
    return statistics.fmean(shown) if report.shown and shown else None


@dataclass(frozen=True)
class RoundResult:
    round: FeedbackRound
    report: engine.Report
    status: str
    #: shown: the closed round's results (at least k answered)
    shown: bool
    #: what the page says when not shown: withheld (fewer than k) or "results when it closes"
    message: str
    overall: float | None
    #: percent answered: while open, and for a closed round only when its results are shown
    response_rate: int | None
    reply: FeedbackReply | None
    can_reply: bool = False

    @property
    def withheld(self) -> bool:
        return self.status == "closed" and not self.shown

    @property
    def suppressed(self) -> str:
        return engine.suppressed_message(self.report.k)

    @property
    def status_label(self) -> str:
        if self.withheld:
            return str(_("Closed: results withheld"))
        return str(STATUS_LABELS.get(self.status, self.status))


def _result(
    viewer: User, feedback_round: FeedbackRound, reply: FeedbackReply | None
) -> RoundResult:
    administration = feedback_round.administration
    report = engine.school_report(administration, compare=False)
    status = status_of(feedback_round)
    shown = report.state == "final"
    if shown:
        rate = round(100 * report.response_rate) if report.response_rate is not None else None
        message = ""
    elif status == "closed":
        rate = None
        message = engine.suppressed_message(report.k)
    else:
        rate = survey_selectors.response_rate(administration).percent
        message = report.message
    return RoundResult(
        round=feedback_round,
        report=report,
        status=status,
        shown=shown,
        message=message,
        overall=overall_of(report) if shown else None,
        response_rate=rate,
        reply=reply,
        can_reply=shown and viewer.pk == feedback_round.coach_id,
    )


def rounds_for(viewer: User, coach: User) -> QuerySet[FeedbackRound]:
    """The coach's rounds the viewer may see, newest first."""
    return (
        policy.visible(viewer, FeedbackRound)
        .filter(coach=coach)
        .select_related("administration__version", "administration__organisation", "programme")
        .order_by("-starts_on", "-id")
    )


def _replies(viewer: User, rounds: Sequence[FeedbackRound]) -> dict[int, FeedbackReply]:
    return {
        r.round_id: r
        for r in policy.visible(viewer, FeedbackReply).filter(round__in=[x.pk for x in rounds])
    }


def round_results(viewer: User, feedback_round: FeedbackRound) -> RoundResult:
    """One round as the viewer may see it: the engine's report when closed with at least k
    answered, else the engine's message (never how many answered)."""
    if not policy.visible(viewer, FeedbackRound).filter(pk=feedback_round.pk).exists():
        raise DomainError(_("Not found."), status=404)
    return _result(
        viewer, feedback_round, _replies(viewer, [feedback_round]).get(feedback_round.pk)
    )


def results_of(viewer: User, rounds: Sequence[FeedbackRound]) -> list[RoundResult]:
    """`round_results` for rounds already found through `rounds_for`."""
    replies = _replies(viewer, rounds)
    return [_result(viewer, r, replies.get(r.pk)) for r in rounds]


def round_or_404(viewer: User, pk: Any) -> FeedbackRound:
    found = (
        policy.visible(viewer, FeedbackRound)
        .select_related(
            "administration__version", "administration__organisation", "programme", "coach"
        )
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if found is None:
        raise DomainError(_("Not found."), status=404)
    return found


# --- Replies --------------------------------------------------------------------------------------


@transaction.atomic
def reply(actor: User, feedback_round: FeedbackRound, text: str) -> FeedbackReply:
    """The coach's reply to a closed round whose results are shown: what they will change. One
    per round; saving again changes it."""
    if not policy.visible(actor, FeedbackRound).filter(pk=feedback_round.pk).exists():
        raise DomainError(_("Not found."), status=404)
    if actor.pk != feedback_round.coach_id:
        raise DomainError(_("Only the coach the feedback is about replies to it."), status=403)
    administration = Administration.objects.select_related("version").get(
        pk=feedback_round.administration_id
    )
    if not administration.is_closed:
        raise DomainError(
            _("Reply once the round has closed and its results are shown."), status=409
        )
    report = engine.school_report(administration, compare=False)
    if report.state != "final":
        raise DomainError(
            _("There are no results to reply to: %s") % engine.suppressed_message(report.k),
            status=409,
        )
    text = text.strip()
    if not text:
        raise DomainError(_("Write what you will change."), field="text")
    if len(text) > REPLY_MAX:
        raise DomainError(
            _("Keep your reply under %(max)d characters (it has %(n)d).")
            % {"max": REPLY_MAX, "n": len(text)},
            field="text",
        )
    now = timezone.now()
    existing = FeedbackReply.objects.select_for_update().filter(round=feedback_round).first()
    if existing is None:
        saved = FeedbackReply.objects.create(
            round=feedback_round, author=actor, text=text, created_at=now, updated_at=now
        )
    else:
        existing.text = text
        existing.updated_at = now
        existing.save(update_fields=["text", "updated_at"])
        saved = existing
    audit.record(
        actor=actor,
        action="feedback.reply",
        target=feedback_round,
        data={"round": feedback_round.pk, "changed": existing is not None},
    )
    return saved


def replies_for(viewer: User) -> QuerySet[FeedbackReply]:
    """The replies the viewer may read (as a coachee: their coaches' replies), newest first."""
    return (
        policy.visible(viewer, FeedbackReply)
        .select_related("round__coach", "round__programme")
        .order_by("-updated_at", "-id")
    )


# --- Trends ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    period: str
    #: the overall mean the viewer may see for the round (None: withheld, fewer than k answered)
    mean: float | None


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]

    @property
    def latest(self) -> float | None:
        shown = [p.mean for p in self.points if p.mean is not None]
        return shown[-1] if shown else None

    @property
    def change(self) -> float | None:
        shown = [p.mean for p in self.points if p.mean is not None]
        return shown[-1] - shown[-2] if len(shown) > 1 else None


def _specs(version_ids: Iterable[int]) -> dict[int, InstrumentSpec]:
    """Instrument versions' specs (they never change: kept per process)."""
    wanted = sorted(set(version_ids))
    out: dict[int, InstrumentSpec] = {}
    missing = []
    for vid in wanted:
        hit = engine.kept_already(("feedback-spec", vid))
        if hit is None:
            missing.append(vid)
        else:
            out[vid] = hit
    for version in InstrumentVersion.objects.filter(pk__in=missing):
        out[version.pk] = _spec_of(version)
    return out


def _spec_of(version: InstrumentVersion) -> InstrumentSpec:
    return engine.kept(("feedback-spec", version.pk), lambda: version.spec)


def _closed_means(rows: Sequence[dict[str, Any]]) -> dict[int, float | None]:
    """Per closed round (its administration's row): the overall mean its report shows, through
    the engine's batch over respondents' domain moments (as the district report does), so a
    round under k, or a domain under k, contributes nothing. Queries: one per instrument
    version among the rounds not yet kept in this process."""
    by_version: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_version[row["version_id"]].append(row)
    specs = _specs(by_version)
    out: dict[int, float | None] = {}
    for version_id, admins in by_version.items():
        spec = specs[version_id]
        district = engine.district_of(
            spec,
            [
                {
                    "id": a["administration_id"],
                    "organisation_id": 0,
                    "organisation__name": "",
                    "invited_count": a["invited_count"],
                    "k": spec.k,
                    "live_results": a["live_results"],
                }
                for a in admins
            ],
        )
        for school in district.schools:
            shown = [e.mean for e in school.domains.values() if e is not None]
            out[school.administration_id] = (
                statistics.fmean(shown) if school.shown and shown else None
            )
    return out


def _closed_rounds(
    viewer: User, *, coach_ids: Sequence[int] | None = None, programme: Programme | None = None
) -> list[dict[str, Any]]:
    rows = policy.visible(viewer, FeedbackRound).filter(administration__closed_at__isnull=False)
    if coach_ids is not None:
        rows = rows.filter(coach_id__in=list(coach_ids))
    if programme is not None:
        rows = rows.filter(programme=programme)
    return [
        dict(row)
        for row in rows.order_by("starts_on", "id").values(
            "id",
            "coach_id",
            "period",
            "starts_on",
            "administration_id",
            version_id=F("administration__version_id"),
            invited_count=F("administration__invited_count"),
            live_results=F("administration__live_results"),
        )
    ]


def feedback_trends(
    viewer: User, coach_ids: Sequence[int], programme: Programme | None = None
) -> dict[int, Trend]:
    """Per coach, the closed rounds' overall results the anonymity engine shows, oldest first.
    A fixed number of queries whatever the number of coaches: the rounds, then one batch per
    instrument version (kept per process once read)."""
    rows = _closed_rounds(viewer, coach_ids=coach_ids, programme=programme)
    means = _closed_means(rows)
    points: dict[int, list[TrendPoint]] = defaultdict(list)
    for row in rows:
        points[row["coach_id"]].append(
            TrendPoint(row["period"], means.get(row["administration_id"]))
        )
    return {coach: Trend(tuple(p)) for coach, p in points.items()}


@dataclass(frozen=True)
class PeriodFigure:
    period: str
    #: the mean of the coaches' shown round means; None when no coach's round was shown
    mean: float | None
    #: how many coaches' rounds were shown (those under k are not counted in the mean)
    coaches: int


@dataclass(frozen=True)
class CoachTrend:
    coach: User
    trend: Trend
    #: per period of the programme, this coach's shown mean (None: no round, or withheld)
    by_period: tuple[float | None, ...]


@dataclass
class ProgrammeTrends:
    programme: Programme
    periods: tuple[str, ...]
    across: tuple[PeriodFigure, ...]
    coaches: list[CoachTrend] = field(default_factory=list)
    #: the scale the means lie on (for charts)
    low: int = 1
    high: int = 4


def programme_trends(viewer: User, programme: Programme, query: str = "") -> ProgrammeTrends:
    """Across the programme's coaches, per period: the mean of the coaches' shown round means
    and how many coaches were shown; and each coach's trend. Withheld rounds count nowhere."""
    if not policy.visible(viewer, Programme, Action.MANAGE).filter(pk=programme.pk).exists():
        raise DomainError(_("Not found."), status=404)
    rows = _closed_rounds(viewer, programme=programme)
    means = _closed_means(rows)
    periods = tuple(sorted({r["period"] for r in rows}, key=lambda p: _period_key(rows, p)))
    per_period: dict[str, list[float]] = defaultdict(list)
    per_coach: dict[int, dict[str, float | None]] = defaultdict(dict)
    for row in rows:
        mean = means.get(row["administration_id"])
        per_coach[row["coach_id"]][row["period"]] = mean
        if mean is not None:
            per_period[row["period"]].append(mean)
    across = tuple(
        PeriodFigure(
            p,
            statistics.fmean(per_period[p]) if per_period[p] else None,
            len(per_period[p]),
        )
        for p in periods
    )
    people = User.objects.filter(pk__in=list(per_coach)).order_by("family_name", "given_name", "id")
    if query:
        people = people.filter(
            Q(given_name__icontains=query)
            | Q(family_name__icontains=query)
            | Q(email__icontains=query)
        )
    coaches = [
        CoachTrend(
            coach=u,
            trend=Trend(tuple(TrendPoint(p, m) for p, m in per_coach[u.pk].items())),
            by_period=tuple(per_coach[u.pk].get(p) for p in periods),
        )
        for u in people
    ]
    specs = _specs(r["version_id"] for r in rows).values()
    ranges = [engine.domain_range(s, d) for s in specs for d in s.domains]
    low = min((r[0] for r in ranges), default=1)
    high = max((r[1] for r in ranges), default=4)
    return ProgrammeTrends(programme, periods, across, coaches, low, high)


def _period_key(rows: Sequence[dict[str, Any]], period: str) -> tuple[datetime.date, str]:
    return (min(r["starts_on"] for r in rows if r["period"] == period), period)


def trends_table(trends: ProgrammeTrends) -> tuple[list[str], list[list[Any]]]:
    """The export: exactly the page's figures (withheld: "not shown", never a number)."""
    header = [_("Coach"), *trends.periods]
    rows: list[list[Any]] = [
        [
            _("Across coaches (mean of shown coaches)"),
            *[_r(f.mean) for f in trends.across],
        ],
        [_("Coaches shown"), *[f.coaches for f in trends.across]],
    ]
    for c in trends.coaches:
        rows.append([str(c.coach), *[_r(m) for m in c.by_period]])
    return header, rows


def _r(value: float | None) -> Any:
    return _("not shown") if value is None else round(value, 2)


# --- The coach's development page -----------------------------------------------------------------


def feedback_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's feedback section: the latest shown round's results, the
    trend, the reply, and the open round's response rate."""
    rounds = list(rounds_for(viewer, coach)[:12])
    results = results_of(viewer, rounds)
    latest = next((r for r in results if r.shown), None)
    open_round = next((r for r in results if r.status == "open"), None)
    trend = feedback_trends(viewer, [coach.pk]).get(coach.pk, Trend(()))
    return {
        "coach": coach,
        "latest": latest,
        "open": open_round,
        "trend": trend,
        "has_rounds": bool(rounds),
    }
