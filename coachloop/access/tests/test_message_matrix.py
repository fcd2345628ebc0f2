"""The visibility matrix for messages (issue 7): a thread with a marker in its subject, its body
and its file's name, between Cora (coach) and Tom (coachee) of the instructional engagement.
Through the policy querysets, the pages, the file download and the API, only Cora and Tom ever
see it; everyone else (the sponsor, the district representative, the programme administrator,
staff of the school, a teacher elsewhere, another tenant's people) gets 404, and the marker is
in no answer and no notification they receive."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachloop.access import policy
from coachloop.access.policy import Action
from coachloop.messaging import services
from coachloop.messaging.models import Attachment, Message, Thread
from coachloop.testing.api import Api

MARKER = "Zebra9731"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
READERS = {"cora", "tom"}
EVERYONE = ("cora", "tom", "lena", "dan", "ada", "sam", "tina", "bea", "ben")


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def thread(world, instructional, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.thread_create(
            actor=world.tom,
            engagement=instructional,
            subject=f"Subject {MARKER}",
            body=f"Body {MARKER}",
            files=[SimpleUploadedFile(f"{MARKER}.pdf", PDF)],
            needs_answer=True,
        )
        services.message_reply(actor=world.cora, thread=made, body=f"Reply {MARKER}")
    return made


def paths(instructional, thread):
    attachment = Attachment.objects.get()
    base = f"/engagements/{instructional.pk}/messages/"
    return [
        base,
        f"{base}?q={MARKER}",
        f"{base}new/",
        f"{base}{thread.pk}/",
        f"{base}attachments/{attachment.pk}/",
    ]


@pytest.mark.parametrize("name", EVERYONE)
def test_policy_querysets(world, thread, name):
    user = world.people[name]
    reads = name in READERS
    assert policy.threads_visible_to(user).filter(pk=thread.pk).exists() == reads
    assert policy.messages_visible_to(user).filter(thread=thread).count() == (2 if reads else 0)
    assert policy.allowed(user, Action.VIEW, thread) == reads
    for message in Message.objects.all():
        assert policy.allowed(user, Action.VIEW, message) == reads


@pytest.mark.parametrize("name", EVERYONE)
def test_pages_and_download(world, instructional, thread, signed_in, name):
    client = signed_in(world.people[name])
    for path in paths(instructional, thread):
        response = client.get(path)
        if name in READERS:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 404, (name, path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert MARKER.encode() not in body
    reply = client.post(f"/engagements/{instructional.pk}/messages/{thread.pk}/", {"body": "Reply"})
    create = client.post(
        f"/engagements/{instructional.pk}/messages/new/",
        {"subject": "S", "body": "B", "recipients": [world.cora.pk]},
    )
    if name not in READERS:
        assert (reply.status_code, create.status_code) == (404, 404)
        assert Message.objects.count() == 2
        assert Thread.objects.count() == 1
    # the engagement page never leaks the marker either
    page = client.get(f"/engagements/{instructional.pk}/")
    assert MARKER.encode() not in page.content


@pytest.mark.parametrize("name", EVERYONE)
def test_api(client, world, instructional, thread, name):
    api = Api(client, world.people[name])
    answers = [
        api.get(f"/api/engagements/{instructional.pk}/threads"),
        api.get(f"/api/engagements/{instructional.pk}/threads", q=MARKER),
        api.get(f"/api/threads/{thread.pk}"),
    ]
    written = [
        api.post(f"/api/threads/{thread.pk}/messages", {"body": "More"}),
        api.post(f"/api/engagements/{instructional.pk}/threads", {"subject": "S", "body": "B"}),
    ]
    if name in READERS:
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert answers[0].json()["items"][0]["subject"] == f"Subject {MARKER}"
        detail = answers[2].json()
        assert [m["body"] for m in detail["messages"]][:2] == [f"Body {MARKER}", f"Reply {MARKER}"]
        assert detail["messages"][0]["attachments"][0]["name"] == f"{MARKER}.pdf"
        assert [w.status_code for w in written] == [201, 201]
    else:
        for response in answers + written:
            assert response.status_code == 404, (name, response.request["PATH_INFO"])
            assert MARKER.encode() not in response.content
        assert Message.objects.count() == 2
        assert Thread.objects.count() == 1


def test_notifications_reach_the_team_only_without_the_marker(world, thread, mailoutbox):
    told = sorted(address for mail in mailoutbox for address in mail.to)
    assert told == sorted([world.cora.email, world.tom.email])
    for mail in mailoutbox:
        assert MARKER not in mail.subject
        assert MARKER not in mail.body
