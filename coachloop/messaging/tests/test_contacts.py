"""Check-ins made by other channels: logged by the team with their method, on the logger's clock,
never in the future; read at their visibility (sponsors at `sponsors`); a coach says which open
questions a check-in answered; the list filters by method, pages and exports what the viewer
sees."""

import datetime

import pytest
from django.utils import timezone

from coachloop.lib.errors import DomainError
from coachloop.messaging import services
from coachloop.messaging.models import Contact, Question


def url(engagement):
    return f"/engagements/{engagement.pk}/check-ins/"


def log(world, engagement, *, actor=None, minutes_ago=60, **extra):
    return services.contact_log(
        actor=actor or world.cora,
        engagement=engagement,
        method=extra.pop("method", "phone"),
        occurred_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **extra,
    )


def local_input(moment, zone="Europe/London"):
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def test_cora_logs_a_phone_check_in_on_her_clock(world, instructional, signed_in):
    world.cora.time_zone = "America/New_York"
    world.cora.save()
    cora = signed_in(world.cora)
    page = cora.get(url(instructional)).content.decode()
    assert "No check-ins logged that you can read yet." in page
    assert "Log a check-in" in page
    assert "America/New_York" in page
    when = (timezone.now() - datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    response = cora.post(
        url(instructional),
        {
            "method": "phone",
            "occurred_at": local_input(when, "America/New_York"),
            "note": "Talked through Monday's groups",
            "visibility": "team",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.method, contact.author, contact.visibility) == ("phone", world.cora, "team")
    assert contact.occurred_at == when
    listing = cora.get(url(instructional)).content.decode()
    assert "Phone" in listing
    assert "Talked through Monday&#x27;s groups" in listing


def test_the_form_defaults_to_the_playbooks_visibility(world, instructional, signed_in):
    page = signed_in(world.tom).get(url(instructional)).content.decode()
    assert '<option value="team" selected>' in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"method": "pigeon"}, "method", "is not a way we log check-ins"),
        ({"occurred_at": "future"}, "occurred_at", "choose a past time"),
        ({"occurred_at": ""}, "occurred_at", "Enter when the check-in happened."),
    ],
)
def test_bad_input_is_refused_on_its_field(world, instructional, signed_in, change, field, message):
    data = {
        "method": "email",
        "occurred_at": local_input(timezone.now() - datetime.timedelta(hours=1)),
        "note": "Kept note",
        "visibility": "team",
        **change,
    }
    if data["occurred_at"] == "future":
        data["occurred_at"] = local_input(timezone.now() + datetime.timedelta(days=1))
    response = signed_in(world.cora).post(url(instructional), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert f'id="id_{field}_error"' in page
    assert "Kept note" in page
    assert not Contact.objects.exists()


def test_the_service_refuses_the_future_and_unknown_methods(world, instructional):
    with pytest.raises(DomainError) as future:
        log(world, instructional, minutes_ago=-10)
    assert future.value.field == "occurred_at"
    assert future.value.status == 422
    with pytest.raises(DomainError) as method:
        log(world, instructional, method="telegram")
    assert method.value.field == "method"
    assert not Contact.objects.exists()


def test_sponsors_read_check_ins_at_sponsors_visibility_and_never_log(
    world, instructional, signed_in
):
    log(world, instructional, note="Team only note", visibility="team")
    log(world, instructional, note="Shared with Lena", visibility="sponsors", method="video")
    lena = signed_in(world.lena)
    page = lena.get(url(instructional)).content.decode()
    assert "Shared with Lena" in page
    assert "Team only note" not in page
    assert "Log a check-in" not in page
    refused = lena.post(
        url(instructional),
        {"method": "phone", "occurred_at": local_input(timezone.now()), "visibility": "team"},
    )
    assert refused.status_code == 403
    assert Contact.objects.count() == 2
    for outsider in (world.sam, world.bea, world.tina):
        assert signed_in(outsider).get(url(instructional)).status_code == 404


def test_a_coach_marks_open_questions_answered(world, instructional, signed_in):
    thread = services.thread_create(
        actor=world.tom,
        engagement=instructional,
        subject="Groups",
        body="How to group?",
        needs_answer=True,
    )
    question = Question.objects.get()
    question.asked_at = timezone.now() - datetime.timedelta(hours=5)
    question.save()
    # Tom logs check-ins too, but answers no question
    assert (
        "Questions this check-in answered"
        not in signed_in(world.tom).get(url(instructional)).content.decode()
    )
    cora = signed_in(world.cora)  # the same test client, now Cora's
    page = cora.get(url(instructional)).content.decode()
    assert "Questions this check-in answered" in page
    assert "“Groups”, asked by" in page
    with pytest.raises(DomainError) as coachee:
        log(world, instructional, actor=world.tom, answered_ids=[question.pk])
    assert coachee.value.field == "answered"
    response = cora.post(
        url(instructional),
        {
            "method": "in_person",
            "occurred_at": local_input(timezone.now() - datetime.timedelta(hours=1)),
            "visibility": "team",
            "answered": [question.pk],
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    contact = Contact.objects.get()
    assert question.answered_by_contact == contact
    assert question.answered_at == contact.occurred_at
    # answered now: no longer offered, and refused if sent again
    assert "“Groups”, asked by" not in cora.get(url(instructional)).content.decode()
    with pytest.raises(DomainError) as again:
        log(world, instructional, answered_ids=[question.pk])
    assert again.value.field == "answered"
    assert thread.questions.filter(answered_at__isnull=True).count() == 0


def test_a_check_in_before_the_question_cannot_answer_it(world, instructional):
    services.thread_create(
        actor=world.tom, engagement=instructional, subject="Q", body="?", needs_answer=True
    )
    question = Question.objects.get()
    with pytest.raises(DomainError) as early:
        log(world, instructional, minutes_ago=60 * 24, answered_ids=[question.pk])
    assert early.value.field == "answered"
    assert not Contact.objects.exists()
    question.refresh_from_db()
    assert question.answered_at is None


def test_method_filter_paging_and_csv_of_what_the_viewer_sees(world, instructional, signed_in):
    for i in range(51):
        log(world, instructional, minutes_ago=100 + i, note=f"call {i:02d}", visibility="sponsors")
    log(world, instructional, method="email", note="=HYPERLINK(1)", visibility="sponsors")
    log(world, instructional, method="email", note="cora only", visibility="private")
    cora = signed_in(world.cora)
    first = cora.get(url(instructional)).content.decode()
    assert "Page 1 of 2" in first
    emails = cora.get(url(instructional), {"method": "email"}).content.decode()
    assert "cora only" in emails
    assert "call 00" not in emails
    lena = signed_in(world.lena)
    export = lena.get(url(instructional), {"method": "email", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert "attachment;" in export["Content-Disposition"]
    text = export.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("When,Time zone,Method,Logged by,Note")
    assert len(lines) == 2  # the private one is not Lena's to read
    assert "'=HYPERLINK(1)" in text
    assert "cora only" not in text
    everything = lena.get(url(instructional), {"format": "csv"}).content.decode("utf-8-sig")
    assert len(everything.strip().splitlines()) == 1 + 52
