"""The messages API: threads, replies with files (base64), check-ins, through the same services
and rules as the pages; bad input answers 422 naming the field, and writes nothing."""

import base64
import datetime

import pytest
from django.utils import timezone

from coachloop.messaging.models import Attachment, Contact, Message, Question, Thread
from coachloop.testing.api import Api

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def as_(client, world):
    return lambda user: Api(client, user)


def threads(engagement):
    return f"/api/engagements/{engagement.pk}/threads"


def contacts(engagement):
    return f"/api/engagements/{engagement.pk}/contacts"


def counts():
    return (
        Thread.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        Question.objects.count(),
        Contact.objects.count(),
    )


def pdf(name="plan.pdf", content=PDF):
    return {"filename": name, "content_base64": base64.b64encode(content).decode()}


def test_a_thread_a_reply_and_the_question_answered(as_, world, instructional):
    tom = as_(world.tom)
    made = tom.post(
        threads(instructional),
        {
            "subject": "Reading groups",
            "body": "How do I group them?",
            "needs_answer": True,
            "attachments": [pdf()],
        },
    )
    assert made.status_code == 201, made.content
    thread = made.json()
    assert thread["visibility"] == "team"
    assert thread["message_count"] == 1
    assert [r["id"] for r in thread["recipients"]] == [world.cora.pk]  # omitted: the team
    first = thread["messages"][0]
    assert first["question"]["answered_at"] is None
    assert first["attachments"][0]["name"] == "plan.pdf"
    attachment = Attachment.objects.get()
    assert first["attachments"][0]["url"] == (
        f"/engagements/{instructional.pk}/messages/attachments/{attachment.pk}/"
    )
    assert attachment.file.read() == PDF

    cora = as_(world.cora)
    reply = cora.post(f"/api/threads/{thread['id']}/messages", {"body": "Three groups."})
    assert reply.status_code == 201
    assert reply.json()["question"] is None
    detail = cora.get(f"/api/threads/{thread['id']}").json()
    assert detail["message_count"] == 2
    assert detail["messages"][0]["question"]["answered_at"] is not None
    listing = cora.get(threads(instructional), q="reading").json()
    assert listing["count"] == 1
    assert listing["items"][0]["subject"] == "Reading groups"
    assert cora.get(threads(instructional), q="nothing").json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": "  "}, "body"),
        ({"subject": ""}, "subject"),
        ({"recipients": ["lena"]}, "recipients"),
        ({"recipients": ["sam"]}, "recipients"),
        ({"recipients": ["ben"]}, "recipients"),
        ({"recipients": []}, "recipients"),
        ({"attachments": [pdf("x.pdf", b"MZ" + b"\x00" * 40)]}, "attachments"),
        ({"attachments": [{"filename": "x.pdf", "content_base64": "%%%"}]}, "attachments"),
        ({"attachments": [pdf(f"{i}.pdf") for i in range(6)]}, "attachments"),
    ],
)
def test_bad_input_is_422_on_its_field_and_writes_nothing(as_, world, instructional, change, field):
    if "recipients" in change:
        change = {"recipients": [getattr(world, n).pk for n in change["recipients"]]}
    body = {"subject": "S", "body": "B", "needs_answer": True, **change}
    response = as_(world.tom).post(threads(instructional), body)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    for name in ("lena", "sam", "ben"):
        assert str(getattr(world, name)) not in response.content.decode()
    assert counts() == (0, 0, 0, 0, 0)


def test_a_too_large_file_is_422(as_, world, instructional, settings):
    settings.COACHLOOP_MAX_UPLOAD_BYTES = 10
    response = as_(world.tom).post(
        threads(instructional), {"subject": "S", "body": "B", "attachments": [pdf()]}
    )
    assert response.status_code == 422
    assert "files can be at most" in response.json()["errors"][0]["message"]
    assert counts() == (0, 0, 0, 0, 0)


def test_check_ins_log_list_filter_and_refuse(as_, world, instructional):
    tom = as_(world.tom)
    tom.post(threads(instructional), {"subject": "Q", "body": "?", "needs_answer": True})
    question = Question.objects.get()
    question.asked_at = timezone.now() - datetime.timedelta(hours=4)
    question.save()
    cora = as_(world.cora)
    when = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    logged = cora.post(
        contacts(instructional),
        {
            "method": "phone",
            "occurred_at": when,
            "note": "Called",
            "answered_question_ids": [question.pk],
        },
    )
    assert logged.status_code == 201, logged.content
    made = logged.json()
    assert (made["method"], made["visibility"]) == ("phone", "team")
    assert made["answered_question_ids"] == [question.pk]
    question.refresh_from_db()
    assert question.answered_at is not None
    cora.post(
        contacts(instructional),
        {"method": "video", "occurred_at": when, "visibility": "sponsors"},
    )
    assert cora.get(contacts(instructional)).json()["count"] == 2
    assert cora.get(contacts(instructional), method="video").json()["count"] == 1
    lena = as_(world.lena)
    assert [c["method"] for c in lena.get(contacts(instructional)).json()["items"]] == ["video"]
    assert (
        lena.post(contacts(instructional), {"method": "phone", "occurred_at": when}).status_code
        == 403
    )
    assert as_(world.bea).get(contacts(instructional)).status_code == 404
    before = Contact.objects.count()
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    for body, field in [
        ({"method": "fax", "occurred_at": when}, "method"),
        ({"method": "email", "occurred_at": future}, "occurred_at"),
        (
            {"method": "email", "occurred_at": when, "answered_question_ids": [question.pk]},
            "answered_question_ids",
        ),
        ({"method": "email", "occurred_at": when, "visibility": "world"}, "visibility"),
    ]:
        response = cora.post(contacts(instructional), body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    assert Contact.objects.count() == before
