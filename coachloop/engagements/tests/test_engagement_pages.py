"""The engagement pages as the people of the shared world use them: the timeline of phases and
steps, step actions, the agreement, the playbook's forms, resources and the CSV export, with the
confidentiality and tenancy rules holding on every page."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coachloop.access.models import Visibility
from coachloop.engagements import services
from coachloop.engagements.models import FormResponse, Resource, StepStatus
from coachloop.meetings import services as meetings

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def page_of(client, engagement):
    response = client.get(engagement.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def step_html(html, key):
    """The part of the engagement page that shows one step."""
    start = html.index(f'id="step-{key}"')
    end = html.find('<li id="step-', start + 1)
    return html[start : end if end != -1 else len(html)]


def step_url(engagement, key, action):
    step = engagement.steps.get(step_key=key)
    return reverse("step_action", args=[engagement.pk, step.pk, action])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- The engagement page ------------------------------------------------------------------------


def test_the_page_shows_the_five_phases_in_order_with_pre_coaching_current(world, signed_in):
    engagement = world.engagement
    html = page_of(signed_in(world.cora), engagement)
    phases = re.findall(r'<li class="phase phase-(\w+)".*?<h3>(.*?) <span', html, re.S)
    assert phases == [
        ("current", "Pre-coaching"),
        ("upcoming", "Plan"),
        ("upcoming", "Do"),
        ("upcoming", "Check"),
        ("upcoming", "Act"),
    ]
    assert "Plan for coaching; analyse factors; orient performer and sponsor." in html
    current = re.search(r"Current step: <a[^>]*>(.*?)</a>", html)
    assert current is not None
    assert current.group(1) == "Review the coaching assignment, profile and data"
    assert "Performance coaching, version 1" in html
    assert f"{world.tom} — Performer" in html
    assert f"{world.lena} — Sponsor" in html


def test_an_overdue_step_says_so_in_words(world, signed_in):
    engagement = world.engagement
    late = engagement.steps.get(step_key="plan-orientation")
    late.due_on = timezone.localdate() - datetime.timedelta(days=1)
    late.save()
    later = engagement.steps.get(step_key="orientation")
    later.due_on = timezone.localdate() + datetime.timedelta(days=30)
    later.save()
    html = page_of(signed_in(world.cora), engagement)
    assert "Overdue" in step_html(html, "plan-orientation")
    assert "Overdue" not in step_html(html, "orientation")


def test_the_coach_ticks_the_checklist_and_marks_a_task_done(world, signed_in):
    engagement = world.engagement
    client = signed_in(world.cora)
    response = client.post(step_url(engagement, "plan-orientation", "tick"), {"index": 0})
    assert response.status_code == 302
    assert response["Location"].endswith("#step-plan-orientation")
    step = engagement.steps.get(step_key="plan-orientation")
    assert step.checklist_done == [True, False, False]
    client.post(step_url(engagement, "plan-orientation", "untick"), {"index": 0})
    step.refresh_from_db()
    assert step.checklist_done == [False, False, False]

    # The whole checklist at once, as the form without JavaScript sends it.
    client.post(
        step_url(engagement, "plan-orientation", "tick"),
        {"checklist": "1", "items": ["0", "1", "2"]},
    )
    step.refresh_from_db()
    assert step.checklist_done == [True, True, True]

    response = client.post(step_url(engagement, "plan-orientation", "complete"), follow=True)
    assert "“Plan the orientation meeting” is done." in messages_of(response)
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.completed_by == world.cora
    shown = step_html(response.content.decode(), "plan-orientation")
    assert "Done" in shown
    assert f"by {world.cora}" in shown
    assert "Reopen" in shown

    client.post(step_url(engagement, "plan-orientation", "reopen"))
    step.refresh_from_db()
    assert step.status == StepStatus.OPEN


def test_ticking_with_htmx_answers_with_the_step_alone(world, signed_in):
    engagement = world.engagement
    response = signed_in(world.cora).post(
        step_url(engagement, "plan-orientation", "tick"),
        {"checklist": "1", "items": ["1"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<li id="step-plan-orientation"')
    assert "1 of 3 ticked" in html
    assert "Checklist saved." in html
    assert "<h1>" not in html


def test_a_task_with_unticked_items_is_not_done(world, signed_in):
    engagement = world.engagement
    response = signed_in(world.cora).post(
        step_url(engagement, "plan-orientation", "complete"), follow=True
    )
    assert "Tick every item of the checklist first." in messages_of(response)
    assert engagement.steps.get(step_key="plan-orientation").status == StepStatus.OPEN


def test_completing_a_non_task_step_by_hand_is_refused_with_the_reason(world, signed_in):
    engagement = world.engagement
    client = signed_in(world.cora)
    html = step_html(page_of(client, engagement), "review-assignment")
    assert "Mark done" not in html
    assert reverse("form_fill", args=[engagement.pk, "assignment-review"]) in html
    response = client.post(step_url(engagement, "review-assignment", "complete"), follow=True)
    assert "This step is done when its form has been filled in." in messages_of(response)
    assert engagement.steps.get(step_key="review-assignment").status == StepStatus.OPEN


def test_the_sponsor_cannot_tick_a_coach_only_step(world, signed_in):
    engagement = world.engagement
    client = signed_in(world.lena)
    html = step_html(page_of(client, engagement), "plan-orientation")
    assert 'type="checkbox"' not in html
    assert "(not ticked)" in html
    response = client.post(step_url(engagement, "plan-orientation", "tick"), {"index": 0})
    assert response.status_code == 403
    assert engagement.steps.get(step_key="plan-orientation").checklist_done == [False] * 3
    response = client.post(step_url(engagement, "plan-orientation", "complete"))
    assert response.status_code == 403
    assert engagement.steps.get(step_key="plan-orientation").status == StepStatus.OPEN


def test_an_optional_step_can_be_marked_not_needed_with_a_reason(world, signed_in):
    engagement = world.engagement
    step = engagement.steps.get(step_key="communicate-status")
    step.required = False
    step.save()
    client = signed_in(world.cora)
    response = client.post(step_url(engagement, "communicate-status", "skip"), follow=True)
    assert "Say why the step is not needed." in messages_of(response)
    client.post(
        step_url(engagement, "communicate-status", "skip"), {"reason": "Told them in person"}
    )
    step.refresh_from_db()
    assert step.status == StepStatus.SKIPPED
    assert step.note == "Told them in person"


def test_a_due_date_before_the_start_is_refused_and_nothing_changes(world, signed_in):
    engagement = world.engagement
    before = engagement.steps.get(step_key="plan-orientation").due_on
    client = signed_in(world.cora)
    response = client.post(
        step_url(engagement, "plan-orientation", "due"), {"due_on": "2026-08-01"}, follow=True
    )
    assert any("can't be due before the engagement starts" in m for m in messages_of(response))
    assert engagement.steps.get(step_key="plan-orientation").due_on == before

    client.post(step_url(engagement, "plan-orientation", "due"), {"due_on": "2026-12-01"})
    assert engagement.steps.get(step_key="plan-orientation").due_on == datetime.date(2026, 12, 1)

    # The sponsor does not set due dates.
    response = signed_in(world.lena).post(
        step_url(engagement, "plan-orientation", "due"), {"due_on": "2026-12-24"}
    )
    assert response.status_code == 403
    assert engagement.steps.get(step_key="plan-orientation").due_on == datetime.date(2026, 12, 1)


def test_a_step_of_another_engagement_is_not_found(world, signed_in):
    other = services.engagement_create(
        actor=world.ada,
        programme=world.engagement.programme,
        people=services.People(coachees=[world.sam], coaches=[world.cora], sponsors=[world.lena]),
        starts_on=datetime.date(2026, 9, 1),
    )
    foreign = other.steps.get(step_key="plan-orientation")
    url = reverse("step_action", args=[world.engagement.pk, foreign.pk, "tick"])
    assert signed_in(world.cora).post(url, {"index": 0}).status_code == 404


def test_moving_on_while_steps_are_open_lists_the_blocking_steps(world, signed_in):
    engagement = world.engagement
    client = signed_in(world.cora)
    html = page_of(client, engagement)
    assert "Before moving to Plan, finish these required steps:" in html
    blocking = re.search(r'<ul class="blocking">(.*?)</ul>', html, re.S)
    assert blocking is not None
    assert "Plan the orientation meeting" in blocking.group(1)
    assert "Move to Plan" not in html

    response = client.post(reverse("phase_advance", args=[engagement.pk]), follow=True)
    [message] = messages_of(response)
    assert message.startswith("Finish these steps first: Review the coaching assignment")
    engagement.refresh_from_db()
    assert engagement.current_phase == "pre-coaching"

    engagement.steps.filter(phase_key="pre-coaching").update(status=StepStatus.DONE)
    assert "Move to Plan" in page_of(client, engagement)
    response = client.post(reverse("phase_advance", args=[engagement.pk]), follow=True)
    assert "The engagement has moved to Plan." in messages_of(response)
    engagement.refresh_from_db()
    assert engagement.current_phase == "plan"


def test_the_sponsor_does_not_move_the_engagement_on(world, signed_in):
    engagement = world.engagement
    engagement.steps.filter(phase_key="pre-coaching").update(status=StepStatus.DONE)
    client = signed_in(world.lena)
    assert "Move to Plan" not in page_of(client, engagement)
    response = client.post(reverse("phase_advance", args=[engagement.pk]))
    assert response.status_code == 403
    engagement.refresh_from_db()
    assert engagement.current_phase == "pre-coaching"


def test_the_coach_completes_the_engagement_from_the_last_phase(world, signed_in, mailoutbox):
    engagement = world.engagement
    engagement.steps.update(status=StepStatus.DONE)
    engagement.current_phase = "act"
    engagement.save()
    client = signed_in(world.cora)
    assert "Complete the engagement" in page_of(client, engagement)
    response = client.post(
        reverse("engagement_complete", args=[engagement.pk]),
        {"message": "Well done, Tom!"},
        follow=True,
    )
    assert any("The engagement is complete" in m for m in messages_of(response))
    engagement.refresh_from_db()
    assert engagement.status == "completed"
    assert "This engagement is complete" in response.content.decode()


# --- The agreement ------------------------------------------------------------------------------


def test_tom_signs_the_agreement_and_signs_again_after_it_changes(world, signed_in):
    engagement = world.engagement
    url = reverse("agreement", args=[engagement.pk])
    tom = signed_in(world.tom)
    html = tom.get(url).content.decode()
    assert "Type your full name to sign" in html
    assert "The performer commits to take part in planning" in html

    response = tom.post(url, {"action": "sign", "sign-name": "Someone Else"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Type your name as it appears on your account" in html
    assert 'value="Someone Else"' in html
    assert not engagement.signatures.exists()

    response = tom.post(url, {"action": "sign", "sign-name": world.tom.full_name}, follow=True)
    assert "You have signed the agreement. Thank you." in messages_of(response)
    html = response.content.decode()
    assert "Type your full name to sign" not in html
    assert re.search(rf"{re.escape(str(world.tom))}</th><td>Performer</td>\s*<td>.*?Signed", html)

    cora = signed_in(world.cora)
    new_text = engagement.agreement_text + "\n\nWe meet every other Tuesday."
    response = cora.post(url, {"action": "change", "text-text": new_text}, follow=True)
    assert "Everyone who signed is asked to sign again." in messages_of(response)[0]

    html = signed_in(world.tom).get(url).content.decode()
    assert "We meet every other Tuesday." in html
    assert "Must sign again" in html
    assert "please read it and sign again" in html
    assert "Type your full name to sign" in html


def test_only_the_coach_or_an_administrator_changes_the_agreement(world, signed_in):
    engagement = world.engagement
    url = reverse("agreement", args=[engagement.pk])
    lena = signed_in(world.lena)
    assert "Change the agreement" not in lena.get(url).content.decode()
    response = lena.post(url, {"action": "change", "text-text": "Nothing binds us."})
    assert response.status_code == 403
    engagement.refresh_from_db()
    assert "Nothing binds us." not in engagement.agreement_text
    html = signed_in(world.ada).get(url).content.decode()
    assert "Everyone must sign again." in html
    assert "Type your full name to sign" not in html  # ada takes no part: she does not sign


# --- Playbook forms -----------------------------------------------------------------------------


def test_a_missing_required_answer_keeps_what_was_typed(world, signed_in):
    engagement = world.engagement
    url = reverse("form_fill", args=[engagement.pk, "assignment-review"])
    client = signed_in(world.cora)
    html = client.get(url).content.decode()
    assert "The coaching assignment" in html
    assert "Who can read it" in html

    response = client.post(
        url, {"profile": "Third year teacher", "priorities": "Data meetings", "visibility": "team"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Answer “The coaching assignment”; it is required." in html
    assert "Third year teacher" in html
    assert "Data meetings" in html
    assert not FormResponse.objects.exists()

    response = client.post(
        url,
        {
            "assignment": "Lead the data team",
            "priorities": "Data meetings",
            "visibility": "team",
        },
        follow=True,
    )
    assert "Your answers to “Coaching assignment review” are saved." in messages_of(response)
    answer = FormResponse.objects.get()
    assert answer.data == {"assignment": "Lead the data team", "priorities": "Data meetings"}
    assert "Lead the data team" in response.content.decode()
    assert "You have filled in this form." in response.content.decode()
    assert engagement.steps.get(step_key="review-assignment").status == StepStatus.DONE


def test_scales_and_dates_are_typed_answers(world, signed_in):
    engagement = world.engagement
    tom = signed_in(world.tom)
    url = reverse("form_fill", args=[engagement.pk, "self-assessment"])
    html = tom.get(url).content.decode()
    assert html.count('type="radio" name="rating"') == 4
    response = tom.post(url, {"went_well": "Clear purpose", "differently": "Less talk"})
    assert response.status_code == 422
    assert "Answer “How well did I meet the priority performance?”; it is required." in (
        response.content.decode()
    )
    tom.post(
        url,
        {
            "went_well": "Clear purpose",
            "differently": "Less talk",
            "rating": "3",
            "visibility": "team",
        },
    )
    assert FormResponse.objects.get(form_key="self-assessment").data["rating"] == 3

    url = reverse("form_fill", args=[engagement.pk, "next-steps"])
    response = tom.post(url, {"steps": "Hand over the analysis", "by_when": "someday"})
    assert response.status_code == 422
    assert "Hand over the analysis" in response.content.decode()
    tom.post(
        url, {"steps": "Hand over the analysis", "by_when": "2026-12-18", "visibility": "team"}
    )
    assert FormResponse.objects.get(form_key="next-steps").data["by_when"] == "2026-12-18"


def test_a_role_that_does_not_fill_a_form_reads_it_only(world, signed_in):
    engagement = world.engagement
    url = reverse("form_fill", args=[engagement.pk, "assignment-review"])
    tom = signed_in(world.tom)
    html = tom.get(url).content.decode()
    assert "This form is filled in by the coach." in html
    assert "<textarea" not in html
    response = tom.post(url, {"assignment": "Mine", "priorities": "Mine"})
    assert response.status_code == 403
    assert not FormResponse.objects.exists()
    assert tom.get(reverse("form_fill", args=[engagement.pk, "no-such-form"])).status_code == 404
    anonymous = reverse("form_fill", args=[engagement.pk, "participant-feedback"])
    assert tom.get(anonymous).status_code == 404


def test_a_repeatable_form_takes_many_answers_and_the_author_edits_one(world, signed_in):
    engagement = world.engagement
    url = reverse("form_fill", args=[engagement.pk, "barriers"])
    cora = signed_in(world.cora)
    for barrier in ("No meeting time", "No data access"):
        response = cora.post(
            url,
            {
                "barrier": barrier,
                "response": "Sponsor acts",
                "status": "Open",
                "visibility": "sponsors",
            },
        )
        assert response.status_code == 302
    html = cora.get(url).content.decode()
    assert "No meeting time" in html
    assert "No data access" in html
    assert 'name="barrier"' in html  # still open for another one

    answer = FormResponse.objects.get(data__barrier="No data access")
    detail = reverse("form_response_detail", args=[engagement.pk, answer.pk])
    response = cora.post(
        detail,
        {
            "barrier": "No data access",
            "response": "District grants access",
            "status": "Resolved",
            "visibility": "sponsors",
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.data["status"] == "Resolved"
    # Lena reads it (sponsors) but only its author changes it.
    lena = signed_in(world.lena)
    html = lena.get(detail).content.decode()
    assert "District grants access" in html
    assert "Change your answer" not in html
    assert lena.post(detail, {"barrier": "Nothing"}).status_code == 403


# --- Confidentiality and tenancy ----------------------------------------------------------------


@pytest.fixture
def private_content(world):
    answer = services.form_submit(
        actor=world.cora,
        engagement=world.engagement,
        form_key="performance-factors",
        data={"summary": "PRIVATE-FACTORS-ANSWER"},
        visibility=Visibility.PRIVATE,
    )
    return world.notes["private"], answer


@pytest.mark.parametrize("name", ["lena", "dan", "ada", "tom"])
def test_private_content_stays_out_of_everyone_elses_page_and_export(
    world, signed_in, private_content, name
):
    note, answer = private_content
    client = signed_in(getattr(world, name))
    html = page_of(client, world.engagement)
    assert note.get_absolute_url() not in html
    assert answer.get_absolute_url() not in html
    export = client.get(reverse("engagement_export", args=[world.engagement.pk]))
    assert export.status_code == 200
    csv_text = export.content.decode()
    assert "Secret text at private level" not in csv_text
    assert "PRIVATE-FACTORS-ANSWER" not in csv_text
    assert "Plan the orientation meeting" in csv_text  # the steps are metadata, for all
    assert client.get(note.get_absolute_url()).status_code == 404
    assert client.get(answer.get_absolute_url()).status_code == 404


def test_the_author_finds_her_private_content_on_the_page_and_in_the_export(
    world, signed_in, private_content
):
    note, answer = private_content
    client = signed_in(world.cora)
    html = page_of(client, world.engagement)
    assert note.get_absolute_url() in html
    assert answer.get_absolute_url() in html
    export = client.get(reverse("engagement_export", args=[world.engagement.pk]))
    assert export["Content-Disposition"].startswith("attachment;")
    assert "no-store" in export["Cache-Control"]
    csv_text = export.content.decode()
    assert "Secret text at private level" in csv_text
    assert "PRIVATE-FACTORS-ANSWER" in csv_text


def test_an_administrator_sees_the_steps_but_only_programme_content(world, signed_in):
    html = page_of(signed_in(world.ada), world.engagement)
    assert "Plan the orientation meeting" in html
    assert world.notes["programme"].get_absolute_url() in html
    for level in ("private", "team", "sponsors"):
        assert world.notes[level].get_absolute_url() not in html
    assert "Write a note" not in html
    csv_text = (
        signed_in(world.ada)
        .get(reverse("engagement_export", args=[world.engagement.pk]))
        .content.decode()
    )
    assert "Secret text at programme level" in csv_text
    assert "Secret text at team level" not in csv_text


def test_a_formula_in_a_note_is_not_run_by_a_spreadsheet(world, signed_in):
    services.note_create(
        actor=world.cora,
        engagement=world.engagement,
        title="=HYPERLINK(1)",
        body="x",
        visibility=Visibility.TEAM,
    )
    csv_text = (
        signed_in(world.cora)
        .get(reverse("engagement_export", args=[world.engagement.pk]))
        .content.decode()
    )
    assert "'=HYPERLINK(1)" in csv_text


@pytest.mark.parametrize("name", ["tina", "ben", "bea"])
def test_people_outside_the_engagement_get_404_everywhere(
    world, signed_in, name, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    e = world.engagement
    answer = services.form_submit(
        actor=world.cora,
        engagement=e,
        form_key="assignment-review",
        data={"assignment": "A", "priorities": "B"},
    )
    resource = services.resource_add(
        actor=world.cora,
        engagement=e,
        title="Reading",
        upload=SimpleUploadedFile("reading.pdf", PDF),
    )
    meeting = meetings.meeting_schedule(
        actor=world.cora,
        engagement=e,
        meeting_type="orientation",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        mode="video",
    )
    step = e.steps.get(step_key="plan-orientation")
    gets = [
        e.get_absolute_url(),
        reverse("agreement", args=[e.pk]),
        reverse("form_fill", args=[e.pk, "assignment-review"]),
        answer.get_absolute_url(),
        reverse("resource_list", args=[e.pk]),
        reverse("resource_download", args=[e.pk, resource.pk]),
        world.notes["programme"].get_absolute_url(),
        reverse("engagement_export", args=[e.pk]),
        reverse("meeting_list", args=[e.pk]),
        meeting.get_absolute_url(),
        reverse("meeting_cancel", args=[e.pk, meeting.pk]),
    ]
    posts = [
        *gets,
        reverse("step_action", args=[e.pk, step.pk, "tick"]),
        reverse("step_action", args=[e.pk, step.pk, "complete"]),
        reverse("phase_advance", args=[e.pk]),
        reverse("engagement_complete", args=[e.pk]),
    ]
    client = signed_in(getattr(world, name))
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"index": 0}).status_code == 404, url
    assert client.get(reverse("engagement_list")).content.decode().count(e.title) == 0


# --- Resources ----------------------------------------------------------------------------------


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_saved(world, signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("resource_list", args=[world.engagement.pk])
    response = signed_in(world.cora).post(
        url,
        {
            "title": "Handbook",
            "file": SimpleUploadedFile("handbook.pdf", EXE),
            "visibility": "team",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "“handbook.pdf” is not a file type we accept." in html
    assert 'value="Handbook"' in html
    assert not Resource.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_a_resource_file_downloads_as_an_attachment(world, signed_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("resource_list", args=[world.engagement.pk])
    cora = signed_in(world.cora)
    response = cora.post(
        url,
        {
            "title": "Observation guide",
            "file": SimpleUploadedFile("guide.pdf", PDF),
            "visibility": "team",
        },
        follow=True,
    )
    assert "Resource added." in messages_of(response)
    resource = Resource.objects.get()
    assert resource.content_type == "application/pdf"
    download = cora.get(reverse("resource_download", args=[world.engagement.pk, resource.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="guide.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF
    # A team resource is not the sponsor's to read.
    lena = signed_in(world.lena)
    assert "Observation guide" not in lena.get(url).content.decode()
    assert (
        lena.get(reverse("resource_download", args=[world.engagement.pk, resource.pk])).status_code
        == 404
    )


def test_a_link_resource_redirects_and_a_bad_link_is_explained(world, signed_in):
    url = reverse("resource_list", args=[world.engagement.pk])
    cora = signed_in(world.cora)
    response = cora.post(url, {"title": "Reading", "url": "ftp://x.test/a", "visibility": "team"})
    assert response.status_code == 422
    assert "A link starts with https:// or http://." in response.content.decode()
    response = cora.post(url, {"title": "Reading", "url": "", "visibility": "team"})
    assert "Add a link or a file." in response.content.decode()
    cora.post(url, {"title": "Reading", "url": "https://example.org/r", "visibility": "team"})
    resource = Resource.objects.get()
    download = cora.get(reverse("resource_download", args=[world.engagement.pk, resource.pk]))
    assert download.status_code == 302
    assert download["Location"] == "https://example.org/r"


def test_the_list_searches_and_shows_the_phase(world, signed_in):
    client = signed_in(world.cora)
    html = client.get(reverse("engagement_list")).content.decode()
    assert "Coaching Tom" in html
    assert "Pre-coaching" in html
    assert "Active" in html
    html = client.get(reverse("engagement_list"), {"q": world.tom.family_name}).content.decode()
    assert "Coaching Tom" in html
    html = client.get(reverse("engagement_list"), {"q": "nobody-by-this-name"}).content.decode()
    assert "Coaching Tom" not in html
    assert "No engagement matches." in html


def test_other_phases_list_steps_briefly_and_open_in_full_on_request(world, signed_in):
    client = signed_in(world.cora)
    url = world.engagement.get_absolute_url()
    page = client.get(url).content.decode()
    # Pre-coaching is current: its steps in full; a later phase's step is a brief link.
    assert f'action="/engagements/{world.engagement.pk}/steps/' in page
    assert 'href="?phase=do#step-observe"' in page
    opened = client.get(url + "?phase=do").content.decode()
    assert 'id="step-observe" class="step ' in opened
