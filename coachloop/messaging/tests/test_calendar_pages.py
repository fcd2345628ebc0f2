"""The school calendar and response-time pages and their API: who reads, who changes (404 for
what the caller may not see, 403 for what they see but may not change), bad input named on its
field with what was typed kept, nothing half-written."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from coachloop.access.models import AuditEvent
from coachloop.messaging import responsiveness
from coachloop.messaging.models import Message, Question, Thread
from coachloop.organisations.models import Holiday, SchoolCalendar
from coachloop.testing.api import Api

pytestmark = pytest.mark.django_db


def calendar_url(org, rest=""):
    return f"/organisations/{org.pk}/calendar/{rest}"


def response_url(engagement):
    return f"/engagements/{engagement.pk}/response-time/"


@pytest.fixture
def as_(client, world):
    return lambda user: Api(client, user)


# --- Calendar page --------------------------------------------------------------------------------


def test_ada_sets_the_district_calendar_and_schools_inherit_it(signed_in, world):
    ada = signed_in(world.ada)
    page = ada.get(calendar_url(world.district))
    assert page.status_code == 200
    assert "Uses the default calendar" in page.content.decode()
    saved = ada.post(
        calendar_url(world.district),
        {"weekdays": ["1", "2", "3", "4"], "time_zone": "Europe/London"},
    )
    assert saved.status_code == 302
    calendar = SchoolCalendar.objects.get(organisation=world.district)
    assert (calendar.weekdays, calendar.time_zone) == ([1, 2, 3, 4], "Europe/London")
    assert AuditEvent.objects.filter(action="school_calendar.create").exists()
    oak = ada.get(calendar_url(world.oak)).content.decode()
    assert "Uses Riverbend's calendar." in oak
    assert "Monday, Tuesday, Wednesday, Thursday" in oak
    # the organisation page links to it
    assert calendar_url(world.oak) in ada.get(f"/organisations/{world.oak.pk}/").content.decode()


def test_everyone_in_scope_reads_the_calendar_only_administrators_change_it(signed_in, world):
    tom = signed_in(world.tom)
    page = tom.get(calendar_url(world.oak))
    assert page.status_code == 200
    assert "Save the calendar" not in page.content.decode()
    cora = signed_in(world.cora)
    assert cora.get(calendar_url(world.district)).status_code == 200
    refused = cora.post(calendar_url(world.district), {"weekdays": ["1"], "time_zone": ""})
    assert refused.status_code == 403
    assert (
        cora.post(
            calendar_url(world.district, "holidays/"), {"date": "2026-12-24", "name": "Eve"}
        ).status_code
        == 403
    )
    bea = signed_in(world.bea)
    assert bea.get(calendar_url(world.district)).status_code == 404
    assert bea.post(calendar_url(world.district), {"weekdays": ["1"]}).status_code == 404
    assert not SchoolCalendar.objects.exists()
    assert not Holiday.objects.exists()


def test_bad_calendar_input_keeps_what_was_typed(signed_in, world):
    ada = signed_in(world.ada)
    response = ada.post(calendar_url(world.district), {"time_zone": "Europe/Londres"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose at least one school day of the week." in page
    response = ada.post(
        calendar_url(world.district), {"weekdays": ["6", "7"], "time_zone": "Europe/Londres"}
    )
    page = response.content.decode()
    assert "is not a time zone we know" in page
    assert 'value="Europe/Londres"' in page
    assert 'value="6" id="id_calendar_weekdays_5" checked' in page
    assert not SchoolCalendar.objects.exists()


def test_holidays_one_a_range_twice_and_removed_after_confirmation(signed_in, world):
    ada = signed_in(world.ada)
    one = ada.post(calendar_url(world.oak, "holidays/"), {"date": "2026-11-30", "name": "Inset"})
    assert one.status_code == 302
    rng = ada.post(
        calendar_url(world.oak, "holidays/"),
        {"date": "2026-12-21", "last_day": "2026-12-23", "name": "Winter break"},
    )
    assert rng.status_code == 302
    assert Holiday.objects.filter(organisation=world.oak).count() == 4
    twice = ada.post(
        calendar_url(world.oak, "holidays/"),
        {"date": "2026-12-23", "last_day": "2026-12-24", "name": "Again"},
    )
    assert twice.status_code == 409
    assert "Already a holiday here: 2026-12-23" in twice.content.decode()
    assert 'value="Again"' in twice.content.decode()
    backwards = ada.post(
        calendar_url(world.oak, "holidays/"),
        {"date": "2026-12-23", "last_day": "2026-12-01", "name": "Backwards"},
    )
    assert backwards.status_code == 422
    assert "The last day is before the first day." in backwards.content.decode()
    assert Holiday.objects.count() == 4
    listing = ada.get(calendar_url(world.oak)).content.decode()
    assert "Winter break" in listing
    confirm = ada.get(calendar_url(world.oak, "holidays/2026-11-30/remove/"))
    assert confirm.status_code == 200
    assert "Remove the holiday “Inset” on 2026-11-30?" in confirm.content.decode()
    assert Holiday.objects.filter(date="2026-11-30").exists()
    ada.post(calendar_url(world.oak, "holidays/2026-11-30/remove/"))
    assert not Holiday.objects.filter(date="2026-11-30").exists()
    assert ada.get(calendar_url(world.oak, "holidays/2026-11-30/remove/")).status_code == 404


def test_inherited_holidays_are_shown_read_only(signed_in, world):
    Holiday.objects.create(organisation=world.district, date=dt.date(2026, 12, 25), name="Xmas")
    ada = signed_in(world.ada)
    page = ada.get(calendar_url(world.oak)).content.decode()
    assert "Xmas" in page
    assert "Holidays from above" in page
    # no remove link for it at Oak
    assert ada.get(calendar_url(world.oak, "holidays/2026-12-25/remove/")).status_code == 404


def test_a_csv_upload_names_its_bad_rows_and_imports_nothing(signed_in, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ada = signed_in(world.ada)
    bad = SimpleUploadedFile("h.csv", b"date,name\n2026-12-24,Eve\n2026-13-01,Nope\n", "text/csv")
    response = ada.post(calendar_url(world.district, "holidays/import/"), {"file": bad})
    assert response.status_code == 422
    assert "Row 3: “2026-13-01” is not a date" in response.content.decode()
    assert not Holiday.objects.exists()
    good = SimpleUploadedFile("h.csv", b"2026-12-24,Eve\n2026-12-25,Christmas\n", "text/csv")
    assert (
        ada.post(calendar_url(world.district, "holidays/import/"), {"file": good}).status_code
        == 302
    )
    assert Holiday.objects.count() == 2


def test_the_organisation_can_go_back_to_the_calendar_above(signed_in, world):
    SchoolCalendar.objects.create(organisation=world.district, weekdays=[1, 2, 3, 4, 5])
    SchoolCalendar.objects.create(organisation=world.oak, weekdays=[1, 2, 3])
    ada = signed_in(world.ada)
    confirm = ada.get(calendar_url(world.oak, "use-inherited/")).content.decode()
    assert "will use Riverbend&#x27;s school days" in confirm
    assert SchoolCalendar.objects.filter(organisation=world.oak).exists()
    ada.post(calendar_url(world.oak, "use-inherited/"))
    assert not SchoolCalendar.objects.filter(organisation=world.oak).exists()


# --- Response-time page ---------------------------------------------------------------------------


def test_the_team_changes_the_response_time_not_the_sponsor_or_administrator(
    signed_in, world, coachdev
):
    engagement = coachdev.engagements[0]
    for user, days in ((world.cora, "3"), (world.tom, "4")):
        client = signed_in(user)
        page = client.get(response_url(engagement)).content.decode()
        assert "the playbook&#x27;s default" in page or "Agreed by the team" in page
        assert client.post(response_url(engagement), {"response_days": days}).status_code == 302
        engagement.refresh_from_db()
        assert engagement.response_days == int(days)
    for user in (world.lena, world.ada):
        client = signed_in(user)
        page = client.get(response_url(engagement))
        assert page.status_code == 200
        assert "within 4 school days" in page.content.decode()
        assert "Save the response time" not in page.content.decode()
        assert client.post(response_url(engagement), {"response_days": "1"}).status_code == 403
    assert signed_in(world.bea).get(response_url(engagement)).status_code == 404
    engagement.refresh_from_db()
    assert engagement.response_days == 4
    # the engagement page links to it
    assert (
        response_url(engagement)
        in signed_in(world.tom).get(f"/engagements/{engagement.pk}/").content.decode()
    )


def test_a_bad_response_time_keeps_what_was_typed(signed_in, world, coachdev):
    engagement = coachdev.engagements[0]
    cora = signed_in(world.cora)
    for typed in ("0", "31"):
        response = cora.post(response_url(engagement), {"response_days": typed})
        assert response.status_code == 422
        assert f'value="{typed}"' in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.response_days is None


def test_the_questions_table_shows_timing_to_the_team_and_administrators(
    signed_in, world, coachdev
):
    engagement = coachdev.engagements[0]
    thread = Thread.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        subject="Private subject",
        author=world.tom,
    )
    message = Message.objects.create(
        organisation_id=engagement.organisation_id,
        thread=thread,
        author=world.tom,
        body="A private question",
    )
    responsiveness.question_asked(message)
    for user in (world.cora, world.ada):
        page = signed_in(user).get(response_url(engagement)).content.decode()
        assert "Questions and their answers" in page
        assert "Waiting" in page
        assert "A private question" not in page
        assert "Private subject" not in page
    lena = signed_in(world.lena).get(response_url(engagement)).content.decode()
    assert "Questions and their answers" not in lena
    assert Question.objects.count() == 1


# --- API ------------------------------------------------------------------------------------------


def test_the_calendar_through_the_api(as_, world):
    ada = as_(world.ada)
    base = f"/api/organisations/{world.district.pk}"
    got = ada.get(f"{base}/calendar")
    assert got.status_code == 200
    assert got.json()["weekdays"] == [1, 2, 3, 4, 5]
    assert got.json()["has_own_calendar"] is False
    put = ada.put(f"{base}/calendar", {"weekdays": [1, 2, 3], "time_zone": "America/New_York"})
    assert put.status_code == 200, put.content
    assert put.json()["zone_in_force"] == "America/New_York"
    for body, field in (
        ({"weekdays": [0, 8]}, "weekdays"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [1], "time_zone": "Nowhere/City"}, "time_zone"),
    ):
        bad = ada.put(f"{base}/calendar", body)
        assert bad.status_code == 422, body
        assert [e["field"] for e in bad.json()["errors"]] == [field]
    assert SchoolCalendar.objects.get().weekdays == [1, 2, 3]
    added = ada.post(f"{base}/holidays", {"date": "2026-12-24", "name": "Eve"})
    assert added.status_code == 201
    assert added.json()[0]["name"] == "Eve"
    assert ada.post(f"{base}/holidays", {"date": "2026-12-24", "name": "Eve"}).status_code == 409
    oak = ada.get(f"/api/organisations/{world.oak.pk}/calendar").json()
    assert oak["source_id"] == world.district.pk
    assert [h["name"] for h in oak["inherited_holidays"]] == ["Eve"]
    assert ada.delete(f"{base}/holidays/2026-12-24").status_code == 204
    assert ada.delete(f"{base}/holidays/2026-12-24").status_code == 404
    cora = as_(world.cora)
    assert cora.get(f"{base}/calendar").status_code == 200
    assert cora.put(f"{base}/calendar", {"weekdays": [1]}).status_code == 403
    assert as_(world.bea).get(f"{base}/calendar").status_code == 404


def test_response_time_questions_and_responsiveness_through_the_api(as_, world, coachdev):
    engagement = coachdev.engagements[0]
    base = f"/api/engagements/{engagement.pk}"
    tom = as_(world.tom)
    assert tom.get(f"{base}/response-time").json() == {
        "engagement_id": engagement.pk,
        "response_days": None,
        "agreed_days": 2,
        "default_days": 2,
    }
    assert tom.put(f"{base}/response-time", {"response_days": 0}).status_code == 422
    assert tom.put(f"{base}/response-time", {"response_days": 3}).json()["agreed_days"] == 3
    assert as_(world.lena).put(f"{base}/response-time", {"response_days": 5}).status_code == 403
    thread = Thread.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        subject="S",
        author=world.tom,
    )
    message = Message.objects.create(
        organisation_id=engagement.organisation_id, thread=thread, author=world.tom, body="Q?"
    )
    responsiveness.question_asked(message)
    questions = as_(world.ada).get(f"{base}/questions")
    assert questions.status_code == 200
    [item] = questions.json()["items"]
    assert item["response_days"] == 3
    assert item["answered_at"] is None
    assert "Q?" not in questions.content.decode()
    assert as_(world.lena).get(f"{base}/questions").status_code == 403
    assert as_(world.bea).get(f"{base}/questions").status_code == 404
    followed = f"/api/coaches/{world.cora.pk}/responsiveness"
    mine = as_(world.cora).get(followed)
    assert mine.status_code == 200
    assert mine.json()["figures"]["open"] == 1
    assert len(mine.json()["open_questions"]) == 1
    lead = as_(coachdev.lola).get(followed).json()
    assert lead["figures"]["asked"] == 1
    assert lead["engagements"] == []
    for outsider in (world.tom, coachdev.carl, world.bea):
        assert as_(outsider).get(followed).status_code == 404
