"""Messages in the browser, with axe on every page: Tom starts a thread with a file and "I need
an answer"; Cora reads it, downloads the file and replies, which answers the question; Cora logs
a phone check-in."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachloop.e2e.conftest import Checked, sign_in
from coachloop.messaging.models import Contact, Question, Thread

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_thread_with_a_file_a_reply_and_a_phone_check_in(
    browser, live_server, world, instructional
):
    engagement = instructional

    def new_page(user):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        checked = Checked(page, live_server.url)
        sign_in(checked, user)
        return checked, context

    # Tom: from the engagement page to a new thread, with a file and a question
    checked, context = new_page(world.tom)
    page = checked.page
    checked.goto(f"/engagements/{engagement.pk}/")
    page.get_by_role("link", name="Messages", exact=True).click()
    expect(page.get_by_text("No messages yet.")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="New message").click()
    checked.axe()
    expect(page.get_by_label(str(world.cora))).to_be_checked()
    expect(page.get_by_label("I need an answer")).to_be_checked()
    page.get_by_role("button", name="Send").click()  # nothing typed
    expect(page.get_by_text("Give the thread a subject.")).to_be_visible()
    checked.axe()
    page.get_by_label("Subject").fill("Reading groups on Monday")
    page.get_by_label("Message", exact=True).fill("How should I group the readers?")
    page.get_by_label("Attach files").set_input_files(
        {"name": "groups.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message was sent.")).to_be_visible()
    expect(page.get_by_role("heading", name="Reading groups on Monday", level=1)).to_be_visible()
    expect(page.get_by_text("Question: waiting for an answer")).to_be_visible()
    checked.axe()
    thread = Thread.objects.get()
    context.close()

    # Cora: reads it, downloads the file, replies
    checked, context = new_page(world.cora)
    page = checked.page
    checked.goto(f"/engagements/{engagement.pk}/messages/")
    page.get_by_role("link", name="Reading groups on Monday").click()
    checked.axe()
    expect(page.get_by_text("How should I group the readers?")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="groups.pdf").click()
    assert download.value.suggested_filename == "groups.pdf"
    expect(page.get_by_label("I need an answer")).to_have_count(0)
    page.get_by_label("Message", exact=True).fill("Group them by fluency: three groups.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_text("Your reply was sent.")).to_be_visible()
    expect(page.get_by_text("Question: answered")).to_be_visible()
    checked.axe()
    question = Question.objects.get(thread=thread)
    assert question.answered_by == world.cora

    # Cora: a phone check-in
    checked.goto(f"/engagements/{engagement.pk}/check-ins/")
    expect(page.get_by_text("No check-ins logged that you can read yet.")).to_be_visible()
    page.get_by_label("How").select_option(label="Phone")
    when = timezone.localtime(timezone.now() - datetime.timedelta(hours=2))
    page.get_by_label("When").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Note (optional)").fill("Checked in about the groups")
    page.get_by_role("button", name="Log the check-in").click()
    expect(page.get_by_text("Check-in logged.")).to_be_visible()
    expect(page.get_by_role("cell", name="Checked in about the groups")).to_be_visible()
    checked.axe()
    assert Contact.objects.get().method == "phone"
    context.close()
