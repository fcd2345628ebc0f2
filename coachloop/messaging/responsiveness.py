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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from coachloop.accounts.models import User
from coachloop.engagements.models import Participant, ParticipantRole, Programme
from coachloop.messaging import schooldays
from coachloop.messaging.models import Contact, Message, Question


def question_asked(message: Message, *, asked_at: dt.datetime | None = None) -> Question:
    """Track `message` (a coachee's) as a question: due when the engagement's agreed number of
    school days of school time has passed."""
    thread = message.thread
    engagement = thread.engagement
    asked_at = asked_at or message.created_at
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
    if not questions:
        return
    calendar = schooldays.calendar_for(questions[0].engagement.organisation)
    for question in questions:
        question.answered_at = at
        question.answered_by_id = by
        question.working_seconds = schooldays.working_seconds(question.asked_at, at, calendar)
        question.within_agreement = at <= question.due_at
        for name, value in link.items():
            setattr(question, name, value)
        question.save()


def open_questions(thread_id: int, before: dt.datetime) -> QuerySet[Question]:
    return Question.objects.filter(
        thread_id=thread_id, answered_at__isnull=True, asked_at__lte=before
    ).select_related("engagement__organisation")


def message_posted(message: Message) -> list[Question]:
    """A coach's message answers the thread's open questions asked before it."""
    thread = message.thread
    is_coach = Participant.objects.filter(
        engagement_id=thread.engagement_id, user_id=message.author_id, role=ParticipantRole.COACH
    ).exists()
    if not is_coach:
        return []
    questions = list(open_questions(thread.pk, message.created_at))
    _answer(questions, by=message.author_id, at=message.created_at, answer=message)
    return questions


def contact_logged(contact: Contact, answers: Sequence[Question]) -> None:
    """A check-in by another channel answered these open questions (the caller checked they
    belong to the contact's engagement and are open)."""
    _answer(
        [q for q in answers if q.answered_at is None and q.asked_at <= contact.occurred_at],
        by=contact.author_id,
        at=contact.occurred_at,
        answered_by_contact=contact,
    )


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


EMPTY = Responsiveness(0, 0, 0, 0, None, None)


def responsiveness_of(
    coach_ids: Sequence[int],
    *,
    programme: Programme | None = None,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Responsiveness]:
    """Per coach: the questions asked in the engagements they coach (in `programme`, since
    `since`), in two queries whatever the number of coaches."""
    now = now or timezone.now()
    links = Participant.objects.filter(user_id__in=coach_ids, role=ParticipantRole.COACH)
    if programme is not None:
        links = links.filter(engagement__programme=programme)
    coaches_of: dict[int, list[int]] = defaultdict(list)
    for engagement_id, user_id in links.values_list("engagement_id", "user_id"):
        coaches_of[engagement_id].append(user_id)
    rows = Question.objects.filter(engagement_id__in=list(coaches_of))
    if since is not None:
        rows = rows.filter(asked_at__gte=since)
    seconds: dict[int, list[int]] = defaultdict(list)
    counts: dict[int, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0, 0]
    )  # asked, answered, open, overdue, within
    for engagement_id, answered_at, due_at, working, within in rows.values_list(
        "engagement_id", "answered_at", "due_at", "working_seconds", "within_agreement"
    ):
        for coach in coaches_of[engagement_id]:
            c = counts[coach]
            c[0] += 1
            if answered_at is None:
                c[2] += 1
                c[3] += due_at < now
            else:
                c[1] += 1
                c[4] += bool(within)
                seconds[coach].append(working or 0)
    out = {}
    for coach in coach_ids:
        if coach not in counts:
            out[coach] = EMPTY
            continue
        c = counts[coach]
        answered = c[1]
        out[coach] = Responsiveness(
            asked=c[0],
            answered=answered,
            open=c[2],
            overdue=c[3],
            median_seconds=int(statistics.median(seconds[coach])) if answered else None,
            within_share=c[4] / answered if answered else None,
        )
    return out


def responsiveness_section(viewer: User, coach: User) -> dict[str, Any]:
    """The coach development page's responsiveness section (scaffolding from the foundation)."""
    return {"coach": coach, "figures": responsiveness_of([coach.pk])[coach.pk]}
