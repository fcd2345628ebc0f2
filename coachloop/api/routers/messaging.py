"""Messages, check-ins by other channels, questions and responsiveness (seed 003). The same
services, selectors and policy as the pages: threads, messages and their files are for the
engagement's coaches and coachees only (404 for anyone else); check-ins are content at their
visibility. Recipients outside the team, empty messages, files too large or of a type we do not
accept, check-ins in the future or with an unknown method answer 422 and write nothing."""

import base64
import binascii
import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from coachloop.access import policy
from coachloop.api.common import engagement_or_404, person, user_of
from coachloop.lib.errors import DomainError
from coachloop.meetings import times
from coachloop.messaging import selectors, services
from coachloop.messaging.models import Attachment, Contact, Message, Thread

router = Router(tags=["messages"])


# --- Shapes ---------------------------------------------------------------------------------------


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str = Field(description="Download it (signed-in session or token), as an attachment.")

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("message_attachment", args=[obj.message.thread.engagement_id, obj.pk])


class QuestionOut(Schema):
    id: int
    asked_at: datetime.datetime
    due_at: datetime.datetime
    answered_at: datetime.datetime | None
    within_agreement: bool | None


class MessageOut(Schema):
    id: int
    thread_id: int
    author: dict[str, Any] | None
    body: str
    created_at: datetime.datetime
    attachments: list[AttachmentOut]
    question: QuestionOut | None = Field(
        description="When a coachee asked for an answer: the question's timing."
    )

    @staticmethod
    def resolve_author(obj: Message) -> dict[str, Any] | None:
        return person(obj.author)

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Attachment]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_question(obj: Message) -> Any:
        return getattr(obj, "question", None)


class ThreadOut(Schema):
    id: int
    engagement_id: int
    subject: str
    author: dict[str, Any] | None
    recipients: list[dict[str, Any]]
    visibility: str = Field(description="Always team.")
    created_at: datetime.datetime
    last_message_at: datetime.datetime
    message_count: int

    @staticmethod
    def resolve_author(obj: Thread) -> dict[str, Any] | None:
        return person(obj.author)

    @staticmethod
    def resolve_recipients(obj: Thread) -> list[dict[str, Any]]:
        return [{"id": u.pk, "name": str(u)} for u in obj.recipients.all()]


class ThreadDetailOut(ThreadOut):
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Thread) -> list[Message]:
        return selectors.thread_messages(obj)


class FileIn(Schema):
    filename: str
    content_base64: str = Field(description="The file's bytes, base64-encoded.")


class MessageIn(Schema):
    body: str
    needs_answer: bool = Field(
        False,
        description="A coachee's message to be tracked as a question until a coach answers "
        "(ignored for coaches).",
    )
    attachments: list[FileIn] = Field(
        default_factory=list, description="At most 5 files, each checked like an upload."
    )


class ThreadIn(MessageIn):
    subject: str
    recipients: list[int] | None = Field(
        None,
        description="Ids of the engagement's coaches and coachees to write to; omitted: all of "
        "them. Anyone else answers 422.",
    )


class ContactOut(Schema):
    id: int
    engagement_id: int
    author: dict[str, Any] | None
    method: str = Field(description="email, phone, in_person or video")
    occurred_at: datetime.datetime
    note: str
    visibility: str
    answered_question_ids: list[int]

    @staticmethod
    def resolve_author(obj: Contact) -> dict[str, Any] | None:
        return person(obj.author)

    @staticmethod
    def resolve_answered_question_ids(obj: Contact) -> list[int]:
        return [q.pk for q in obj.answers.all()]


class ContactIn(Schema):
    method: str = Field(description="email, phone, in_person or video")
    occurred_at: datetime.datetime = Field(
        description="Not in the future. Without an offset, read on your own time zone's clock."
    )
    note: str = ""
    visibility: str | None = Field(None, description="Default: the playbook's, usually team.")
    answered_question_ids: list[int] = Field(
        default_factory=list,
        description="Coaches: the engagement's open questions this check-in answered.",
    )


# --- Helpers --------------------------------------------------------------------------------------


def _files(items: list[FileIn]) -> list[SimpleUploadedFile]:
    files = []
    for item in items:
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(
                _("“%s” is not base64-encoded.") % item.filename[:100],
                field="attachments",
                status=422,
            ) from None
        files.append(SimpleUploadedFile(item.filename[:255] or "file", content))
    return files


def _thread(request: HttpRequest, pk: int) -> Thread:
    user = user_of(request)
    thread = policy.get_visible_or_404(user, Thread, pk)
    selectors.messages_engagement_or_404(user, thread.engagement_id)
    return thread


# --- Endpoints ------------------------------------------------------------------------------------


@router.get(
    "/engagements/{pk}/threads",
    response=list[ThreadOut],
    summary="An engagement's message threads, latest activity first (its coaches and coachees)",
)
@paginate(PageNumberPagination)
def thread_list(request: HttpRequest, pk: int, q: str = "") -> Any:
    user = user_of(request)
    engagement = selectors.messages_engagement_or_404(user, pk)
    return selectors.thread_list(user=user, engagement=engagement, search=q).prefetch_related(
        "recipients"
    )


@router.post(
    "/engagements/{pk}/threads",
    response={201: ThreadDetailOut},
    summary="Start a thread with its first message",
)
def thread_create(request: HttpRequest, pk: int, payload: ThreadIn) -> Status[Thread]:
    user = user_of(request)
    engagement = selectors.messages_engagement_or_404(user, pk)
    thread = services.thread_create(
        actor=user,
        engagement=engagement,
        subject=payload.subject,
        body=payload.body,
        recipient_ids=payload.recipients,
        files=_files(payload.attachments),
        needs_answer=payload.needs_answer,
    )
    return Status(201, thread)


@router.get("/threads/{pk}", response=ThreadDetailOut, summary="A thread with its messages")
def thread_detail(request: HttpRequest, pk: int) -> Thread:
    return _thread(request, pk)


@router.post("/threads/{pk}/messages", response={201: MessageOut}, summary="Reply in a thread")
def message_create(request: HttpRequest, pk: int, payload: MessageIn) -> Status[Message]:
    thread = _thread(request, pk)
    message = services.message_reply(
        actor=user_of(request),
        thread=thread,
        body=payload.body,
        files=_files(payload.attachments),
        needs_answer=payload.needs_answer,
    )
    return Status(201, message)


@router.get(
    "/engagements/{pk}/contacts",
    response=list[ContactOut],
    summary="Check-ins by other channels you may read, latest first",
)
@paginate(PageNumberPagination)
def contact_list(request: HttpRequest, pk: int, method: str = "") -> Any:
    engagement = engagement_or_404(request, pk)
    return selectors.contact_list(user=user_of(request), engagement=engagement, method=method)


@router.post(
    "/engagements/{pk}/contacts",
    response={201: ContactOut},
    summary="Log a check-in made by email, phone, in person or video",
)
def contact_create(request: HttpRequest, pk: int, payload: ContactIn) -> Status[Contact]:
    user = user_of(request)
    engagement = engagement_or_404(request, pk)
    occurred_at = times.to_aware(payload.occurred_at, times.zone_of(user), field="occurred_at")
    try:
        contact = services.contact_log(
            actor=user,
            engagement=engagement,
            method=payload.method,
            occurred_at=occurred_at,
            note=payload.note,
            visibility=payload.visibility,
            answered_ids=payload.answered_question_ids,
        )
    except DomainError as err:
        if "answered" in err.errors:  # the page's field, by the API's name
            err.errors["answered_question_ids"] = err.errors.pop("answered")
        raise
    return Status(201, contact)
