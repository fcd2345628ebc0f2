"""Questions tracked until answered, and a coach's responsiveness (seed 003).

A coachee's message that asks for an answer becomes a `Question` in the same transaction; the
first later message in the thread by one of the engagement's coaches answers it, and so does a
check-in by another channel that the coach says answered it. The school time it took is stored
on the question (messaging.schooldays), so the figures below are plain aggregates.

The figures are metadata: counts and durations, never the text. `responsiveness_of` serves the
coach's own page, the coach overview and the API in a fixed number of queries for any number of
coaches."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachloop.access import policy
from coachloop.access.policy import AnyUser
from coachloop.accounts.models import User
from coachloop.engagements.models import Engagement, Participant, ParticipantRole, Programme
from coachloop.messaging import schooldays
from coachloop.messaging.models import Contact, Message, Question, Thread

#: the open questions listed on a coach's page (the figures count all of them)
OPEN_LISTED = 50


# --- Tracking -------------------------------------------------------------------------------------


def question_asked(message: Message, *, asked_at: dt.datetime | None = None) -> Question:
    """Track `message` (a coachee's) as a question: due when the engagement's agreed number of
    school days of school time has passed. The agreement in force now stays with the question."""
    thread = message.thread
    engagement = thread.engagement
    asked_at = asked_at or message.created_at
    # the agreement as stored now (the engagement object may have been read before a change)
    engagement.response_days = (
        Engagement.objects.filter(pk=engagement.pk).values_list("response_days", flat=True).get()
    )
    days = engagement.agreed_response_days
    calendar = schooldays.calendar_for(engagement.organisation)
    return Question.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        thread=thread,
        message=message,
        asked_by=message.author,
        asked_at=asked_at,
        response_days=days,
        due_at=schooldays.add_working(asked_at, days * schooldays.DAY, calendar),
    )


def _answer(questions: Sequence[Question], *, by: int, at: dt.datetime, **link: object) -> None:
    """Mark open questions answered at `at`: the school time it took on the engagement's calendar,
    and whether that was within the agreement in force when each was asked."""
    if not questions:
        return
    calendar = schooldays.calendar_for(questions[0].engagement.organisation)
    for question in questions:
        seconds = schooldays.working_seconds(question.asked_at, at, calendar)
        question.answered_at = at
        question.answered_by_id = by
        question.working_seconds = seconds
        question.within_agreement = seconds <= question.response_days * schooldays.DAY
        for name, value in link.items():
            setattr(question, name, value)
        question.save(
            update_fields=[
                "answered_at",
                "answered_by",
                "working_seconds",
                "within_agreement",
                *link,
            ]
        )


def open_questions(thread_id: int, before: dt.datetime) -> QuerySet[Question]:
    return Question.objects.filter(
        thread_id=thread_id, answered_at__isnull=True, asked_at__lte=before
    ).select_related("engagement__organisation")


def is_coach(user_id: int, engagement_id: int) -> bool:
    return Participant.objects.filter(
        engagement_id=engagement_id, user_id=user_id, role=ParticipantRole.COACH
    ).exists()


def message_posted(message: Message) -> list[Question]:
    """A coach's message answers the thread's open questions asked before it. A message by
    anyone else (the coachee following up, a second coachee) answers nothing; a question already
    answered stays answered by its first answer."""
    thread = message.thread
    if not is_coach(message.author_id, thread.engagement_id):
        return []
    questions = [
        q for q in open_questions(thread.pk, message.created_at) if q.message_id != message.pk
    ]
    _answer(questions, by=message.author_id, at=message.created_at, answer=message)
    return questions


def contact_logged(contact: Contact, answers: Sequence[Question]) -> list[Question]:
    """A check-in by another channel answered these open questions (the caller checked they
    belong to the contact's engagement and are open; those that are not, or were asked after
    the check-in, are left as they are)."""
    chosen = [
        q
        for q in answers
        if q.answered_at is None
        and q.engagement_id == contact.engagement_id
        and q.asked_at <= contact.occurred_at
    ]
    _answer(chosen, by=contact.author_id, at=contact.occurred_at, answered_by_contact=contact)
    return chosen


# --- Figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Responsiveness:
    asked: int
    answered: int
    open: int
    #: open and past their due moment now
    overdue: int
    #: median school time to answer, in seconds (None: nothing answered yet)
    median_seconds: int | None
    #: answered within the agreed time, as a share of answered questions (None: none answered)
    within_share: float | None

    @property
    def median_days(self) -> float | None:
        if self.median_seconds is None:
            return None
        return self.median_seconds / schooldays.DAY

    @property
    def median_label(self) -> str:
        return school_time_label(self.median_seconds)

    @property
    def within_percent(self) -> int | None:
        return None if self.within_share is None else round(self.within_share * 100)


EMPTY = Responsiveness(0, 0, 0, 0, None, None)


def school_time_label(seconds: int | None) -> str:
    """School time in school days and hours: "0.75 school days (18 h)"; "—" for none."""
    if seconds is None:
        return "—"
    days = seconds / schooldays.DAY
    hours = seconds / 3600
    day_text = ngettext("%(n)s school day", "%(n)s school days", 1 if days == 1 else 2) % {
        "n": f"{days:.2f}".rstrip("0").rstrip(".")
    }
    return _("%(days)s (%(hours)s h)") % {
        "days": day_text,
        "hours": f"{hours:.1f}".removesuffix(".0"),
    }


class _Tally:
    __slots__ = ("answered", "asked", "open", "overdue", "seconds", "within")

    def __init__(self) -> None:
        self.asked = self.answered = self.open = self.overdue = self.within = 0
        self.seconds: list[int] = []

    def add(
        self,
        answered_at: dt.datetime | None,
        due_at: dt.datetime,
        working: int | None,
        within: bool | None,
        now: dt.datetime,
    ) -> None:
        self.asked += 1
        if answered_at is None:
            self.open += 1
            self.overdue += due_at < now
        else:
            self.answered += 1
            self.within += bool(within)
            self.seconds.append(working or 0)

    def figures(self) -> Responsiveness:
        answered = self.answered
        return Responsiveness(
            asked=self.asked,
            answered=answered,
            open=self.open,
            overdue=self.overdue,
            median_seconds=int(statistics.median(self.seconds)) if answered else None,
            within_share=self.within / answered if answered else None,
        )


_FIGURE_FIELDS = ("answered_at", "due_at", "working_seconds", "within_agreement")


def responsiveness_of(
    coach_ids: Sequence[int],
    *,
    programme: Programme | None = None,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Responsiveness]:
    """Per coach: the questions asked in the engagements they coach (in `programme`, since
    `since`), in two queries whatever the number of coaches. A question in an engagement with
    two coaches counts for both."""
    now = now or timezone.now()
    links = Participant.objects.filter(user_id__in=coach_ids, role=ParticipantRole.COACH)
    if programme is not None:
        links = links.filter(engagement__programme=programme)
    coaches_of: dict[int, list[int]] = defaultdict(list)
    for engagement_id, user_id in links.values_list("engagement_id", "user_id"):
        coaches_of[engagement_id].append(user_id)
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    if coaches_of:
        rows = Question.objects.filter(engagement_id__in=list(coaches_of))
        if since is not None:
            rows = rows.filter(asked_at__gte=since)
        for engagement_id, answered_at, due_at, working, within in rows.values_list(
            "engagement_id", *_FIGURE_FIELDS
        ):
            for coach in coaches_of[engagement_id]:
                tallies[coach].add(answered_at, due_at, working, within, now)
    return {c: tallies[c].figures() if c in tallies else EMPTY for c in coach_ids}


def responsiveness_by_engagement(
    questions: QuerySet[Question], *, now: dt.datetime | None = None
) -> dict[int, Responsiveness]:
    """The figures of each engagement among `questions`, in one query."""
    now = now or timezone.now()
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for engagement_id, answered_at, due_at, working, within in questions.values_list(
        "engagement_id", *_FIGURE_FIELDS
    ):
        tallies[engagement_id].add(answered_at, due_at, working, within, now)
    return {pk: tally.figures() for pk, tally in tallies.items()}


# --- Questions' metadata --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInfo:
    """What may be shown about a question: when, who, how long, never the text."""

    id: int
    engagement_id: int
    engagement_title: str
    thread_id: int
    asked_by: User
    asked_at: dt.datetime
    response_days: int
    due_at: dt.datetime
    answered_at: dt.datetime | None
    answered_by: User | None
    #: "message", "contact" or "" while open
    answered_how: str
    #: school time it took (answered) or has waited so far (open), in seconds
    seconds: int
    within_agreement: bool | None
    overdue: bool
    #: the thread's page, for viewers who may read the messages; "" otherwise
    thread_url: str

    @property
    def is_open(self) -> bool:
        return self.answered_at is None

    @property
    def seconds_label(self) -> str:
        return school_time_label(self.seconds)


def describe(
    viewer: AnyUser, questions: Iterable[Question], now: dt.datetime
) -> list[QuestionInfo]:
    questions = list(questions)
    if not questions:
        return []
    organisations = {q.engagement.organisation_id: q.engagement.organisation for q in questions}
    calendars = schooldays.calendars_for(organisations.values())
    readable = set(
        policy.visible(viewer, Thread)
        .filter(pk__in={q.thread_id for q in questions})
        .values_list("pk", flat=True)
    )
    out = []
    for q in questions:
        open_ = q.answered_at is None
        if open_:
            waited = schooldays.working_seconds(
                q.asked_at, now, calendars[q.engagement.organisation_id]
            )
        else:
            waited = q.working_seconds or 0
        how = "" if open_ else ("contact" if q.answered_by_contact_id else "message")
        out.append(
            QuestionInfo(
                id=q.pk,
                engagement_id=q.engagement_id,
                engagement_title=q.engagement.title,
                thread_id=q.thread_id,
                asked_by=q.asked_by,
                asked_at=q.asked_at,
                response_days=q.response_days,
                due_at=q.due_at,
                answered_at=q.answered_at,
                answered_by=q.answered_by,
                answered_how=how,
                seconds=waited,
                within_agreement=q.within_agreement,
                overdue=open_ and q.due_at < now,
                thread_url=_thread_url(q) if q.thread_id in readable else "",
            )
        )
    return out


def _thread_url(question: Question) -> str:
    try:
        return reverse("thread_detail", args=[question.engagement_id, question.thread_id])
    except NoReverseMatch:  # the messages pages are not installed
        return ""


def _with_people(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.select_related("engagement__organisation", "asked_by", "answered_by")


def question_rows(
    viewer: AnyUser, engagement: Engagement, *, open_only: bool = False
) -> QuerySet[Question]:
    """The engagement's questions whose timing the viewer may see (its team and programme
    administrators; nobody else, not even sponsors), newest first: open and answered."""
    rows = policy.visible(viewer, Question).filter(engagement=engagement)
    if open_only:
        rows = rows.filter(answered_at__isnull=True)
    return _with_people(rows).order_by("-asked_at", "-id")


def may_see_questions(viewer: AnyUser, engagement: Engagement) -> bool:
    """Whether the viewer may see the timing of the engagement's questions (the same rule as
    `policy.questions_visible_to`)."""
    return policy.in_team(viewer, engagement) or (
        policy.engagements_managed_by(viewer).filter(pk=engagement.pk).exists()
    )


def questions_for(
    viewer: AnyUser,
    engagement: Engagement,
    *,
    open_only: bool = False,
    now: dt.datetime | None = None,
) -> list[QuestionInfo]:
    """`question_rows` described: metadata only, with the school time waited or taken."""
    rows = question_rows(viewer, engagement, open_only=open_only)
    return describe(viewer, rows, now or timezone.now())


@dataclass(frozen=True)
class EngagementFigures:
    engagement_id: int
    title: str
    agreed_days: int
    figures: Responsiveness


def responsiveness_section(
    viewer: AnyUser, coach: User, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The coach development page's responsiveness section: the coach's figures over every
    engagement they coach (the caller checked the viewer follows the coach), the breakdown by
    engagement and the open questions for the engagements whose questions the viewer may see.
    Metadata only: never a question's text."""
    now = now or timezone.now()
    figures = responsiveness_of([coach.pk], now=now)[coach.pk]
    coached = Engagement.objects.filter(
        participants__user=coach, participants__role=ParticipantRole.COACH
    )
    visible = policy.visible(viewer, Question).filter(engagement__in=coached)
    per = responsiveness_by_engagement(visible, now=now)
    engagements = Engagement.objects.filter(pk__in=list(per)).select_related("playbook_version")
    rows = sorted(
        (EngagementFigures(e.pk, e.title, e.agreed_response_days, per[e.pk]) for e in engagements),
        key=lambda r: (-r.figures.overdue, -r.figures.open, r.title),
    )
    open_rows = _with_people(visible.filter(answered_at__isnull=True)).order_by("asked_at", "id")
    open_count = sum(r.figures.open for r in rows)
    listed = describe(viewer, open_rows[:OPEN_LISTED], now)
    return {
        "coach": coach,
        "figures": figures,
        "median_label": figures.median_label,
        "engagements": rows,
        "open_questions": listed,
        "open_more": open_count - len(listed),
        "hidden_engagements": figures.asked > sum(r.figures.asked for r in rows),
        "is_empty": figures.asked == 0,
    }
