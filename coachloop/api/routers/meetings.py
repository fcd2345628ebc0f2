"""Meetings (metadata for whoever sees the engagement, minutes only for their readers) and the
anonymous participant feedback (results only through the one aggregation, and only when
published)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Value
from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.accounts.models import User
from coachloop.api import engagement_schemas as s
from coachloop.api.common import engagement_or_404, user_of
from coachloop.engagements.models import Engagement
from coachloop.feedback import selectors as feedback_selectors
from coachloop.feedback import services as feedback
from coachloop.feedback.models import FeedbackCollection
from coachloop.meetings import services as meetings
from coachloop.meetings.models import Meeting

router = Router(tags=["meetings and feedback"])


# --- Meetings -----------------------------------------------------------------------------------


def _meetings(user: User, engagement: Engagement) -> QuerySet[Meeting]:
    readable = policy.meeting_minutes_visible_to(user).filter(pk=OuterRef("pk"))
    return (
        policy.meetings_visible_to(user)
        .filter(engagement=engagement)
        .annotate(minutes_visible=Exists(readable))
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
)
def meeting_schedule(request: HttpRequest, pk: int, payload: s.MeetingIn) -> Status[Meeting]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meeting = meetings.meeting_schedule(
        actor=user,
        engagement=engagement,
        meeting_type=payload.meeting_type,
        starts_at=payload.starts_at,
        mode=payload.mode,
        location=payload.location,
        minutes=payload.length_minutes,
    )
    return Status(201, _meeting(user, engagement, meeting.pk))


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
def meeting_cancel(request: HttpRequest, pk: int, meeting_id: int) -> Meeting:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    meetings.meeting_cancel(actor=user, meeting=_meeting(user, engagement, meeting_id))
    return _meeting(user, engagement, meeting_id)


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
