"""Meetings (metadata for whoever sees the engagement, minutes only for their readers) and the
anonymous participant feedback (results only through the one aggregation, and only when
published)."""

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.actionsteps import practice
from coachloop.actionsteps.models import PracticeAttempt
from coachloop.api import engagement_schemas as s
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.api.engagement_schemas import PersonRef
from coachloop.engagements.models import Engagement
from coachloop.feedback import selectors as feedback_selectors
from coachloop.feedback import services as feedback
from coachloop.feedback.models import FeedbackCollection
from coachloop.lib.errors import DomainError
from coachloop.meetings import followups, guide
from coachloop.meetings import services as meetings
from coachloop.meetings.models import FollowUp, Meeting, MeetingParticipant

router = Router(tags=["meetings and feedback"])


# --- Meetings -----------------------------------------------------------------------------------


def _meetings(user: User, engagement: Engagement) -> QuerySet[Meeting]:
    readable = policy.meeting_minutes_visible_to(user).filter(pk=OuterRef("pk"))
    return (
        policy.meetings_visible_to(user)
        .filter(engagement=engagement)
        .annotate(minutes_visible=Exists(readable))
        .prefetch_related(
            Prefetch("participants", MeetingParticipant.objects.select_related("user"))
        )
        .order_by("starts_at", "pk")
    )


def _meeting(user: User, engagement: Engagement, meeting_id: int) -> Meeting:
    found = _meetings(user, engagement).filter(pk=meeting_id).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/engagements/{pk}/meetings",
    response=list[s.MeetingOut],
    summary="Meetings: when and how for everyone who sees the engagement; minutes for readers",
)
@paginate(PageNumberPagination)
def meeting_list(request: HttpRequest, pk: int) -> Any:
    return _meetings(user_of(request), engagement_or_404(request, pk))


@router.get("/engagements/{pk}/meetings/{meeting_id}", response=s.MeetingOut, summary="A meeting")
def meeting_detail(request: HttpRequest, pk: int, meeting_id: int) -> Meeting:
    return _meeting(user_of(request), engagement_or_404(request, pk), meeting_id)


@router.post(
    "/engagements/{pk}/meetings",
    response={201: s.MeetingOut},
    summary="Schedule one of the playbook's meeting types (coaches and coachees)",
    description="A start without an offset is read on the clock of `time_zone` (a time the "
    "clocks skip is refused). Give `ends_at` or `length_minutes`. Participants must take part "
    "in the engagement. Sending the same `submission` again returns the meeting it made.",
)
def meeting_schedule(request: HttpRequest, pk: int, payload: s.MeetingIn) -> Status[Meeting]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = meetings.meeting_schedule(
        actor=user,
        engagement=engagement,
        meeting_type=payload.meeting_type,
        starts_at=payload.starts_at,
        time_zone=payload.time_zone or None,
        ends_at=payload.ends_at,
        mode=payload.mode,
        location=payload.location,
        link=payload.link,
        minutes=payload.length_minutes,
        participants=payload.participants or None,
        submission=payload.submission,
    )
    return Status(201, _meeting(user, engagement, meeting.pk))


@router.post(
    "/engagements/{pk}/meetings/{meeting_id}/reschedule",
    response=s.MeetingOut,
    summary="Move a planned meeting (its calendar sequence goes up; everyone invited is told)",
)
def meeting_reschedule(
    request: HttpRequest, pk: int, meeting_id: int, payload: s.RescheduleIn
) -> Meeting:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    meeting.engagement = engagement
    meetings.meeting_reschedule(
        actor=user,
        meeting=meeting,
        starts_at=payload.starts_at,
        time_zone=payload.time_zone or None,
        ends_at=payload.ends_at,
        minutes=payload.length_minutes,
        mode=payload.mode or None,
        location=payload.location,
        link=payload.link,
        reason=payload.reason,
    )
    return _meeting(user, engagement, meeting_id)


@router.post(
    "/engagements/{pk}/meetings/{meeting_id}/attendance",
    response=s.MeetingOut,
    summary="Record who attended a meeting that has taken place (its participants only)",
)
def meeting_attendance(
    request: HttpRequest, pk: int, meeting_id: int, payload: s.AttendanceIn
) -> Meeting:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    meeting.engagement = engagement
    meetings.meeting_attendance(actor=user, meeting=meeting, attended=payload.attended)
    return _meeting(user, engagement, meeting_id)


@router.put(
    "/engagements/{pk}/meetings/{meeting_id}/minutes",
    response=s.MeetingOut,
    summary="Save the minutes stage by stage; `held` marks the meeting as held",
)
def meeting_minutes(
    request: HttpRequest, pk: int, meeting_id: int, payload: s.MinutesIn
) -> Meeting:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    if not meeting.minutes_visible:  # type: ignore[attr-defined]
        raise PermissionDenied  # minutes one may not read are not one's to overwrite
    meetings.meeting_record(
        actor=user,
        meeting=meeting,
        stage_notes=payload.stage_notes,
        summary=payload.summary,
        visibility=payload.visibility,
        held=payload.held,
        base=payload.base,
    )
    return _meeting(user, engagement, meeting_id)


@router.post(
    "/engagements/{pk}/meetings/{meeting_id}/cancel",
    response=s.MeetingOut,
    summary="Cancel a meeting that has not been held",
)
def meeting_cancel(request: HttpRequest, pk: int, meeting_id: int, payload: s.CancelIn) -> Meeting:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    meeting.engagement = engagement
    meetings.meeting_cancel(actor=user, meeting=meeting, reason=payload.reason)
    return _meeting(user, engagement, meeting_id)


# --- Agreed next steps --------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/follow-ups",
    response=list[s.FollowUpOut],
    summary="Agreed next steps you may read (at the visibility of their meeting's minutes)",
)
@paginate(PageNumberPagination)
def follow_up_list(request: HttpRequest, pk: int) -> Any:
    return followups.follow_ups_for(user_of(request), engagement_or_404(request, pk))


@router.post(
    "/engagements/{pk}/meetings/{meeting_id}/follow-ups",
    response={201: s.FollowUpOut},
    summary="Add a next step agreed in a meeting (those who may write its minutes)",
)
def follow_up_add(
    request: HttpRequest, pk: int, meeting_id: int, payload: s.FollowUpIn
) -> Status[FollowUp]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    meeting.engagement = engagement
    made = followups.follow_up_add(
        actor=user, meeting=meeting, text=payload.text, owner=payload.owner, due_on=payload.due_on
    )
    return Status(201, made)


@router.post(
    "/engagements/{pk}/follow-ups/{follow_up_id}/done",
    response=s.FollowUpOut,
    summary="Mark a next step done, or reopen it with done: false",
)
def follow_up_done(
    request: HttpRequest, pk: int, follow_up_id: int, payload: s.FollowUpDoneIn
) -> FollowUp:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    found = followups.follow_ups_for(user, engagement).filter(pk=follow_up_id).first()
    if found is None:
        raise Http404
    found.engagement = engagement
    return followups.follow_up_done(actor=user, follow_up=found, done=payload.done)


# --- The live meeting guide and practice attempts ----------------------------------------------


class GuideStageOut(Schema):
    index: int
    title: str
    minutes: int = Field(description="The stage's planned minutes, from the playbook.")
    extra: int = Field(description="Minutes added with extend.")
    planned_seconds: int
    prompt: str
    tips: list[str]
    tool: str = Field(description="notes, action_step, practice or plan")
    spent: float = Field(description="Seconds spent on earlier visits of the stage.")
    used: float = Field(description="spent, plus the current visit for the current stage.")
    skipped: bool
    visited: bool
    current: bool


class GuideOut(Schema):
    current: int
    running: bool
    elapsed: float = Field(description="Seconds on the current stage in this visit, now.")
    started: bool
    finished: bool
    finished_at: str | None
    remaining: float
    overrun: float
    planned_minutes: int
    extra_minutes: int
    now: str
    message: str = Field(description="What the last action did, in words.")
    stages: list[GuideStageOut]


class GuideActionIn(Schema):
    action: Literal[
        "start", "pause", "resume", "next", "previous", "goto", "skip", "extend", "finish"
    ]
    elapsed: float | None = Field(
        None,
        description="Seconds on the current stage as your timer shows them (0 to 6 hours); "
        "leave out to let the server's clock count.",
    )
    minutes: int | None = Field(None, description="For extend: 1 to 15 minutes.")
    stage: int | None = Field(None, description="For goto (and optionally extend): 0-based.")


class CriterionResultOut(Schema):
    criterion: str
    met: bool


class PracticeAttemptOut(Schema):
    id: int
    number: int
    repractice: bool = Field(description="Whether this is a re-practice (number 2 and on).")
    action_step_id: int
    action_step_title: str
    criteria: list[CriterionResultOut]
    feedback: str
    author: PersonRef
    created_at: datetime.datetime

    @staticmethod
    def resolve_repractice(obj: PracticeAttempt) -> bool:
        return obj.number > 1

    @staticmethod
    def resolve_action_step_title(obj: PracticeAttempt) -> str:
        return obj.action_step.title

    @staticmethod
    def resolve_author(obj: PracticeAttempt) -> dict[str, Any] | None:
        return person(obj.author)


class PracticeAttemptIn(Schema):
    action_step: int
    met: list[bool] = Field(description="One per success criterion of the step, in order.")
    feedback: str = Field("", max_length=20_000)


def _guide_meeting(request: HttpRequest, pk: int, meeting_id: int) -> Meeting:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    meeting.engagement = engagement
    guide.require_guide(user, meeting)
    return meeting


@router.get(
    "/engagements/{pk}/meetings/{meeting_id}/guide",
    response=GuideOut,
    summary="The meeting guide's state: stages with timings, the current one, time spent",
)
def guide_read(request: HttpRequest, pk: int, meeting_id: int) -> dict[str, Any]:
    return guide.guide_state(_guide_meeting(request, pk, meeting_id)).as_dict()


@router.post(
    "/engagements/{pk}/meetings/{meeting_id}/guide",
    response=GuideOut,
    summary="Press a guide button: start, pause, resume, next, previous, goto, skip, extend, "
    "finish",
)
def guide_press(
    request: HttpRequest, pk: int, meeting_id: int, payload: GuideActionIn
) -> dict[str, Any]:
    meeting = _guide_meeting(request, pk, meeting_id)
    state = guide.guide_act(
        actor=user_of(request),
        meeting=meeting,
        action=payload.action,
        elapsed=payload.elapsed,
        minutes=payload.minutes,
        stage=payload.stage,
    )
    return state.as_dict()


@router.get(
    "/engagements/{pk}/meetings/{meeting_id}/practice",
    response=list[PracticeAttemptOut],
    summary="Practice attempts of a meeting, read with its minutes",
)
def practice_list(request: HttpRequest, pk: int, meeting_id: int) -> list[PracticeAttempt]:
    user = user_of(request)
    meeting = _meeting(user, engagement_or_404(request, pk), meeting_id)
    if not meeting.minutes_visible:  # type: ignore[attr-defined]
        raise DomainError(
            _("Practice attempts belong to the minutes, which are not shared with you."),
            status=403,
        )
    return list(practice.practice_attempts(meeting, actor=user))


@router.post(
    "/engagements/{pk}/meetings/{meeting_id}/practice",
    response={201: PracticeAttemptOut},
    summary="Log a practice attempt: one `met` per success criterion (coaches)",
)
def practice_add(
    request: HttpRequest, pk: int, meeting_id: int, payload: PracticeAttemptIn
) -> Status[PracticeAttempt]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = _meeting(user, engagement, meeting_id)
    meeting.engagement = engagement
    step = (
        policy.action_steps_visible_to(user)
        .filter(engagement=engagement, pk=payload.action_step)
        .first()
    )
    if step is None:
        raise DomainError(
            _("No action step %s in this engagement.") % payload.action_step, field="action_step"
        )
    attempt = practice.practice_attempt_add(
        actor=user,
        meeting=meeting,
        action_step=step,
        met=payload.met,
        feedback=payload.feedback,
    )
    return Status(201, practice.practice_attempts(meeting).get(pk=attempt.pk))


# --- Anonymous participant feedback -------------------------------------------------------------


def _collections(user: User, engagement: Engagement) -> QuerySet[FeedbackCollection]:
    coaches = policy.allowed(user, Action.COACH, engagement)  # they share the link
    return feedback_selectors.collection_list(user=user, engagement=engagement).annotate(
        link_for_viewer=Value(coaches)
    )


@router.get(
    "/engagements/{pk}/feedback",
    response=list[s.FeedbackCollectionOut],
    summary="Anonymous feedback you may read, with results once published",
)
@paginate(PageNumberPagination)
def feedback_list(request: HttpRequest, pk: int) -> Any:
    return _collections(user_of(request), engagement_or_404(request, pk))


def _collection(request: HttpRequest, pk: int, collection_id: int) -> FeedbackCollection:
    engagement = engagement_or_404(request, pk)
    found = _collections(user_of(request), engagement).filter(pk=collection_id).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/engagements/{pk}/feedback/{collection_id}",
    response=s.FeedbackCollectionOut,
    summary="One collection and its results",
)
def feedback_detail(request: HttpRequest, pk: int, collection_id: int) -> FeedbackCollection:
    return _collection(request, pk, collection_id)


@router.post(
    "/engagements/{pk}/feedback",
    response={201: s.FeedbackCollectionOut},
    summary="Open an anonymous feedback form and get its link (coaches)",
)
def feedback_open(
    request: HttpRequest, pk: int, payload: s.FeedbackOpenIn
) -> Status[FeedbackCollection]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    collection = feedback.collection_open(
        actor=user,
        engagement=engagement,
        form_key=payload.form_key,
        title=payload.title,
        visibility=payload.visibility,
    )
    return Status(201, _collections(user, engagement).get(pk=collection.pk))


@router.post(
    "/engagements/{pk}/feedback/{collection_id}/close",
    response=s.FeedbackCollectionOut,
    summary="Close the form; results appear if enough people answered",
)
def feedback_close(request: HttpRequest, pk: int, collection_id: int) -> FeedbackCollection:
    collection = _collection(request, pk, collection_id)
    feedback.collection_close(actor=user_of(request), collection=collection)
    return _collection(request, pk, collection_id)
