"""Messages between the participants of an engagement: threads with files, for the team only;
recipients only from the team; a coachee's question answered by the coach's reply; notifications
that name the engagement and the author, never the content."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachloop.access.models import AuditEvent
from coachloop.lib.errors import DomainError
from coachloop.messaging import services
from coachloop.messaging.models import Attachment, Message, Question, Thread

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(engagement, rest=""):
    return f"/engagements/{engagement.pk}/messages/{rest}"


def start(world, engagement, *, actor=None, needs_answer=True, files=(), **extra):
    return services.thread_create(
        actor=actor or world.tom,
        engagement=engagement,
        subject=extra.pop("subject", "Reading groups"),
        body=extra.pop("body", "How do I group the readers on Monday?"),
        files=list(files),
        needs_answer=needs_answer,
        **extra,
    )


def counts():
    return (
        Thread.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        Question.objects.count(),
    )


def test_tom_starts_a_thread_to_the_team_and_cora_replies(
    world, instructional, signed_in, mailoutbox, django_capture_on_commit_callbacks
):
    tom = signed_in(world.tom)
    form = tom.get(url(instructional, "new/"))
    assert form.status_code == 200
    page = form.content.decode()
    # the coach, ticked by default; the coachee's own "I need an answer", on by default
    assert f'value="{world.cora.pk}"' in page
    assert "checked" in page
    assert "I need an answer" in page
    assert str(world.lena) not in page  # the sponsor is no recipient
    with django_capture_on_commit_callbacks(execute=True):
        response = tom.post(
            url(instructional, "new/"),
            {
                "subject": "Reading groups",
                "recipients": [world.cora.pk],
                "body": "How do I group the readers on Monday?",
                "needs_answer": "on",
                "attachments": [SimpleUploadedFile("groups.pdf", PDF)],
            },
        )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(instructional, f"{thread.pk}/")
    assert (thread.visibility, thread.message_count) == ("team", 1)
    assert list(thread.recipients.all()) == [world.cora]
    question = Question.objects.get()
    assert question.asked_by == world.tom
    assert question.answered_at is None
    assert Attachment.objects.get().name == "groups.pdf"
    # Cora is told: the engagement and the author, never the subject or the text
    assert [m.to for m in mailoutbox] == [[world.cora.email]]
    mail = mailoutbox[0]
    assert world.tom.full_name in mail.subject
    assert instructional.title in mail.subject
    for secret in ("Reading groups", "readers", "groups.pdf"):
        assert secret not in mail.subject
        assert secret not in mail.body
    assert url(instructional, f"{thread.pk}/") in mail.body
    # the list shows the thread, and the detail its message and file
    listing = tom.get(url(instructional)).content.decode()
    assert "Reading groups" in listing
    detail = tom.get(url(instructional, f"{thread.pk}/")).content.decode()
    assert "How do I group the readers on Monday?" in detail
    assert "groups.pdf" in detail
    assert "waiting for an answer" in detail

    cora = signed_in(world.cora)
    reply_page = cora.get(url(instructional, f"{thread.pk}/")).content.decode()
    assert "I need an answer" not in reply_page  # a coach's message is no question
    with django_capture_on_commit_callbacks(execute=True):
        response = cora.post(
            url(instructional, f"{thread.pk}/"), {"body": "Group by fluency, three groups."}
        )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.message_count == 2
    question.refresh_from_db()
    assert question.answered_by == world.cora
    assert question.answered_at is not None
    assert question.answer == Message.objects.get(body="Group by fluency, three groups.")
    assert mailoutbox[-1].to == [world.tom.email]
    assert "fluency" not in mailoutbox[-1].body


def test_a_coachees_follow_up_does_not_answer_the_question(world, instructional):
    thread = start(world, instructional)
    question = Question.objects.get()
    services.message_reply(actor=world.tom, thread=thread, body="Any thoughts?", needs_answer=False)
    question.refresh_from_db()
    assert question.answered_at is None
    assert Question.objects.count() == 1  # the follow-up was not ticked: no second question
    services.message_reply(actor=world.cora, thread=thread, body="Yes: fluency groups.")
    question.refresh_from_db()
    assert question.answered_by == world.cora
    assert question.answer.body == "Yes: fluency groups."
    # a later question in the same thread waits for its own answer
    services.message_reply(actor=world.tom, thread=thread, body="And on Friday?", needs_answer=True)
    later = Question.objects.get(answered_at__isnull=True)
    assert later.message.body == "And on Friday?"
    thread.refresh_from_db()
    assert thread.message_count == 4


def test_a_coachs_message_is_never_a_question(world, instructional):
    start(world, instructional, actor=world.cora, needs_answer=True)
    assert not Question.objects.exists()


def test_untick_i_need_an_answer_tracks_nothing(world, instructional, signed_in):
    tom = signed_in(world.tom)
    response = tom.post(
        url(instructional, "new/"),
        {"subject": "FYI", "recipients": [world.cora.pk], "body": "Slides attached soon."},
    )
    assert response.status_code == 302
    assert Message.objects.count() == 1
    assert not Question.objects.exists()


@pytest.mark.parametrize("who", ["lena", "sam", "ben", "ada", "tina"])
def test_a_recipient_outside_the_engagement_is_refused_and_nothing_written(
    world, instructional, signed_in, who
):
    outsider = getattr(world, who)
    tom = signed_in(world.tom)
    response = tom.post(
        url(instructional, "new/"),
        {
            "subject": "Reading groups",
            "recipients": [world.cora.pk, outsider.pk],
            "body": "How do I group the readers?",
            "needs_answer": "on",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Messages go only to this engagement&#x27;s coaches and coachees" in page
    assert 'id="id_recipients_error"' in page
    assert str(outsider) not in page  # the refusal never names who they are
    assert 'value="Reading groups"' in page  # what was typed is kept
    assert counts() == (0, 0, 0, 0)
    with pytest.raises(DomainError) as refused:
        start(world, instructional, recipient_ids=[outsider.pk])
    assert refused.value.field == "recipients"
    assert refused.value.status == 422
    assert counts() == (0, 0, 0, 0)


def test_empty_body_and_subject_are_refused_with_their_fields(world, instructional, signed_in):
    tom = signed_in(world.tom)
    response = tom.post(
        url(instructional, "new/"), {"subject": " ", "recipients": [world.cora.pk], "body": ""}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Write the message before sending it." in page
    assert "Give the thread a subject." in page
    with pytest.raises(DomainError) as refused:
        start(world, instructional, body="   \n ")
    assert refused.value.errors == {"body": "Write the message before sending it."}
    thread = start(world, instructional)
    before = counts()
    reply = tom.post(url(instructional, f"{thread.pk}/"), {"body": "  "})
    assert reply.status_code == 422
    assert "Write the message before sending it." in reply.content.decode()
    assert counts() == before


def test_files_too_large_of_a_wrong_type_or_too_many_are_refused(
    world, instructional, signed_in, settings
):
    tom = signed_in(world.tom)
    settings.COACHLOOP_MAX_UPLOAD_BYTES = 20
    response = tom.post(
        url(instructional, "new/"),
        {
            "subject": "Plan",
            "recipients": [world.cora.pk],
            "body": "My plan",
            "attachments": [SimpleUploadedFile("plan.pdf", PDF)],
        },
    )
    assert response.status_code == 422
    assert "files can be at most 20" in response.content.decode()
    assert counts() == (0, 0, 0, 0)
    settings.COACHLOOP_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(DomainError) as wrong:
        start(world, instructional, files=[SimpleUploadedFile("plan.pdf", EXE)])
    assert wrong.value.field == "attachments"
    assert "not a file type we accept" in wrong.value.message
    six = [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(6)]
    with pytest.raises(DomainError) as many:
        start(world, instructional, files=six)
    assert "at most 5 files" in many.value.message
    assert counts() == (0, 0, 0, 0)
    five = [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(5)]
    start(world, instructional, files=five)
    assert Attachment.objects.count() == 5
    assert all(a.file.name.startswith("messages/") for a in Attachment.objects.all())


def test_the_attachment_downloads_as_an_attachment_for_the_team(world, instructional, signed_in):
    start(world, instructional, files=[SimpleUploadedFile("groups.pdf", PDF)])
    attachment = Attachment.objects.get()
    path = url(instructional, f"attachments/{attachment.pk}/")
    for who in (world.tom, world.cora):
        response = signed_in(who).get(path)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF
    # an attachment id under another engagement is not found
    assert (
        signed_in(world.tom)
        .get(f"/engagements/{world.engagement.pk}/messages/attachments/{attachment.pk}/")
        .status_code
        == 404
    )


def test_search_paging_and_empty_state(world, instructional, signed_in):
    tom = signed_in(world.tom)
    empty = tom.get(url(instructional)).content.decode()
    assert "No messages yet." in empty
    for i in range(51):
        start(world, instructional, subject=f"Topic {i:02d}", needs_answer=False)
    first = tom.get(url(instructional)).content.decode()
    assert "Topic 50" in first
    assert "Topic 00" not in first
    assert "Page 1 of 2" in first
    found = tom.get(url(instructional), {"q": "topic 07"}).content.decode()
    assert "Topic 07" in found
    assert "Topic 08" not in found
    none = tom.get(url(instructional), {"q": "nothing like it"}).content.decode()
    assert "No thread has" in none


def test_a_completed_engagement_takes_no_new_messages(world, instructional):
    instructional.status = "completed"
    instructional.save()
    with pytest.raises(DomainError) as refused:
        start(world, instructional)
    assert refused.value.status == 409
    assert counts() == (0, 0, 0, 0)


def test_posting_is_audited_without_content(world, instructional):
    start(world, instructional)
    events = AuditEvent.objects.filter(action__in=["thread.create", "message.post"])
    assert {e.action for e in events} == {"thread.create", "message.post"}
    for event in events:
        assert "Reading groups" not in str(event.data)
        assert "readers" not in str(event.data)


def test_the_engagement_page_links_messages_for_the_team_only(world, instructional, signed_in):
    page = f"/engagements/{instructional.pk}/"
    assert url(instructional) in signed_in(world.tom).get(page).content.decode()
    lena = signed_in(world.lena).get(page)
    assert lena.status_code == 200
    assert url(instructional) not in lena.content.decode()
