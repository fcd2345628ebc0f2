"""Questions tracked until answered, the figures of a coach's responsiveness, and the calendar
and response-time services (seed 003)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from coachloop.access.models import AuditEvent
from coachloop.engagements.models import ParticipantRole
from coachloop.lib.errors import DomainError
from coachloop.messaging import calendar_services, responsiveness
from coachloop.messaging.models import Contact, ContactMethod, Message, Question, Thread
from coachloop.organisations.models import Holiday, SchoolCalendar
from coachloop.testing.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
FRIDAY_3PM = dt.datetime(2026, 11, 27, 15, tzinfo=LONDON)
MONDAY_9AM = dt.datetime(2026, 11, 30, 9, tzinfo=LONDON)
HOUR = 3600


@pytest.fixture
def london(world):
    return SchoolCalendar.objects.create(
        organisation=world.district, weekdays=[1, 2, 3, 4, 5], time_zone="Europe/London"
    )


def thread_of(engagement, author, subject="Planning"):
    return Thread.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        subject=subject,
        author=author,
    )


def post(thread, author, at, body="Hello", question=False):
    message = Message.objects.create(
        organisation_id=thread.organisation_id,
        thread=thread,
        author=author,
        body=body,
        created_at=at,
    )
    responsiveness.message_posted(message)
    if question:
        responsiveness.question_asked(message)
    return message


def ask(engagement, coachee, at, body="Could you look at my lesson plan?"):
    thread = thread_of(engagement, coachee)
    message = post(thread, coachee, at, body, question=True)
    return thread, Question.objects.get(message=message)


# --- Tracking -------------------------------------------------------------------------------------


def test_a_coachs_reply_answers_the_question_with_its_school_time(world, coachdev, london):
    engagement, tom = coachdev.engagements[0], world.tom
    thread, question = ask(engagement, tom, FRIDAY_3PM)
    assert question.response_days == 2
    assert question.due_at == dt.datetime(2026, 12, 1, 15, tzinfo=LONDON)
    assert question.is_open
    reply = post(thread, world.cora, MONDAY_9AM, "Yes, see my notes.")
    question.refresh_from_db()
    assert question.answered_at == MONDAY_9AM
    assert question.answered_by == world.cora
    assert question.answer == reply
    assert question.working_seconds == 18 * HOUR
    assert question.within_agreement is True


def test_a_holiday_on_the_engagements_calendar_shortens_the_time(world, coachdev, london):
    Holiday.objects.create(organisation=world.oak, date=dt.date(2026, 11, 30), name="Inset")
    engagement = coachdev.engagements[0]  # at Oak
    thread, question = ask(engagement, world.tom, FRIDAY_3PM)
    assert question.due_at == dt.datetime(2026, 12, 2, 15, tzinfo=LONDON)
    post(thread, world.cora, MONDAY_9AM)
    question.refresh_from_db()
    assert question.working_seconds == 9 * HOUR


def test_a_late_answer_is_outside_the_agreement(world, coachdev, london):
    thread, question = ask(coachdev.engagements[0], world.tom, FRIDAY_3PM)
    post(thread, world.cora, dt.datetime(2026, 12, 2, 10, tzinfo=LONDON))
    question.refresh_from_db()
    assert question.working_seconds == (9 + 24 + 24 + 10) * HOUR
    assert question.within_agreement is False


def test_the_coachees_follow_up_does_not_answer_and_a_second_reply_does_not_re_answer(
    world, coachdev, london
):
    thread, question = ask(coachdev.engagements[0], world.tom, FRIDAY_3PM)
    post(thread, world.tom, MONDAY_9AM, "Any news?")
    question.refresh_from_db()
    assert question.is_open
    first = post(thread, world.cora, MONDAY_9AM + dt.timedelta(hours=1))
    post(thread, world.cora, MONDAY_9AM + dt.timedelta(hours=5))
    question.refresh_from_db()
    assert question.answer == first
    assert question.working_seconds == 19 * HOUR


def test_a_sponsors_message_does_not_answer(world, coachdev, london):
    thread, question = ask(coachdev.engagements[0], world.tom, FRIDAY_3PM)
    post(thread, world.lena, MONDAY_9AM)
    question.refresh_from_db()
    assert question.is_open


def test_a_reply_answers_only_its_own_threads_questions(world, coachdev, london):
    engagement = coachdev.engagements[0]
    _thread, question = ask(engagement, world.tom, FRIDAY_3PM)
    other = thread_of(engagement, world.cora, "Another subject")
    post(other, world.cora, MONDAY_9AM)
    question.refresh_from_db()
    assert question.is_open


def test_a_check_in_answers_the_questions_the_coach_names(world, coachdev, london):
    engagement = coachdev.engagements[0]
    _thread, question = ask(engagement, world.tom, FRIDAY_3PM)
    _other, later = ask(engagement, world.tom, MONDAY_9AM + dt.timedelta(hours=2))
    contact = Contact.objects.create(
        organisation_id=engagement.organisation_id,
        engagement=engagement,
        author=world.cora,
        method=ContactMethod.PHONE,
        occurred_at=MONDAY_9AM,
        visibility="team",
    )
    answered = responsiveness.contact_logged(contact, [question, later])
    assert answered == [question]  # `later` was asked after the call
    question.refresh_from_db()
    later.refresh_from_db()
    assert question.answered_by_contact == contact
    assert question.working_seconds == 18 * HOUR
    assert later.is_open


def test_questions_keep_the_response_time_in_force_when_asked(world, coachdev, london):
    engagement = coachdev.engagements[0]
    _t, before = ask(engagement, world.tom, FRIDAY_3PM)
    calendar_services.response_time_set(actor=world.cora, engagement=engagement, days=5)
    _t, after = ask(engagement, world.tom, FRIDAY_3PM)
    before.refresh_from_db()
    assert (before.response_days, after.response_days) == (2, 5)
    assert after.due_at == dt.datetime(2026, 12, 4, 15, tzinfo=LONDON)
    event = AuditEvent.objects.get(action="engagement.response_time")
    assert event.data == {"before": None, "after": 5}


# --- Figures --------------------------------------------------------------------------------------


def test_figures_for_two_coaches_over_several_engagements(world, coachdev, london):
    cora_engs, carl_engs = coachdev.engagements, coachdev.carl_engagements
    teachers = coachdev.teachers
    # Cora: answered in 18 h, in 9+24+24+10 = 67 h (late) and in 2 h; one open and overdue,
    # one open and not yet due
    for engagement, teacher, asked, answered in [
        (cora_engs[0], teachers[0], FRIDAY_3PM, MONDAY_9AM),
        (cora_engs[1], teachers[1], FRIDAY_3PM, dt.datetime(2026, 12, 2, 10, tzinfo=LONDON)),
        (cora_engs[2], teachers[2], MONDAY_9AM, MONDAY_9AM + dt.timedelta(hours=2)),
    ]:
        thread, _q = ask(engagement, teacher, asked)
        post(thread, world.cora, answered)
    ask(cora_engs[3], teachers[3], FRIDAY_3PM)
    ask(cora_engs[4], teachers[4], dt.datetime(2026, 12, 7, 9, tzinfo=LONDON))
    # Carl: one answered within 1 h
    uma = carl_engs[0].participants.get(role=ParticipantRole.COACHEE).user
    thread, _q = ask(carl_engs[0], uma, MONDAY_9AM)
    post(thread, coachdev.carl, MONDAY_9AM + dt.timedelta(hours=1))

    now = dt.datetime(2026, 12, 7, 12, tzinfo=LONDON)
    figures = responsiveness.responsiveness_of([world.cora.pk, coachdev.carl.pk], now=now)
    cora = figures[world.cora.pk]
    assert (cora.asked, cora.answered, cora.open, cora.overdue) == (5, 3, 2, 1)
    assert cora.median_seconds == 18 * HOUR
    assert cora.within_share == pytest.approx(2 / 3)
    assert cora.within_percent == 67
    assert cora.median_label == "0.75 school days (18 h)"
    carl = figures[coachdev.carl.pk]
    assert (carl.asked, carl.answered, carl.open, carl.overdue) == (1, 1, 0, 0)
    assert carl.median_seconds == HOUR
    # Lola coaches Cora; nobody asked her anything
    assert responsiveness.responsiveness_of([coachdev.lola.pk])[coachdev.lola.pk].asked == 0
    # Cora is a coachee in her development engagement: questions she asks there are not hers
    ask(coachdev.development, world.cora, FRIDAY_3PM)
    again = responsiveness.responsiveness_of([world.cora.pk, coachdev.lola.pk], now=now)
    assert again[world.cora.pk].asked == 5
    assert again[coachdev.lola.pk].open == 1
    # in one programme only, and since a moment
    only_dev = responsiveness.responsiveness_of(
        [world.cora.pk], programme=coachdev.development_programme
    )
    assert only_dev[world.cora.pk] == responsiveness.EMPTY
    since = responsiveness.responsiveness_of(
        [world.cora.pk], since=dt.datetime(2026, 12, 1, tzinfo=LONDON), now=now
    )[world.cora.pk]
    assert (since.asked, since.open) == (1, 1)


def _coaches_with_questions(world, coachdev, n):
    coaches = []
    for i in range(n):
        coach = UserFactory(email=f"coach{n}-{i}@a.test")
        engagement = coachdev.engagements[i % len(coachdev.engagements)]
        ParticipantFactory(engagement=engagement, user=coach, role=ParticipantRole.COACH)
        coaches.append(coach)
    for engagement, teacher in zip(coachdev.engagements, coachdev.teachers, strict=True):
        thread, _q = ask(engagement, teacher, FRIDAY_3PM)
        post(thread, world.cora, MONDAY_9AM)
    return coaches


def test_the_figures_take_the_same_number_of_queries_for_2_and_20_coaches(world, coachdev, london):
    coaches = _coaches_with_questions(world, coachdev, 20)
    counts = []
    for n in (2, 20):
        ids = [c.pk for c in coaches[:n]]
        with CaptureQueriesContext(connection) as ctx:
            figures = responsiveness.responsiveness_of(ids)
        counts.append(len(ctx.captured_queries))
        assert all(figures[i].answered == 1 for i in ids)
    assert counts[0] == counts[1] == 2


# --- What each person sees ------------------------------------------------------------------------


def test_questions_metadata_for_the_team_and_administrators_not_sponsors(world, coachdev, london):
    engagement = coachdev.engagements[0]
    ask(engagement, world.tom, FRIDAY_3PM, body="My secret worry about year 9")
    now = MONDAY_9AM
    for user in (world.tom, world.cora, world.ada):
        [info] = responsiveness.questions_for(user, engagement, now=now)
        assert info.seconds == 18 * HOUR
        assert not info.overdue
        assert not hasattr(info, "body")
    for user in (world.lena, coachdev.lola, world.bea):
        assert responsiveness.questions_for(user, engagement) == []


def test_the_section_shows_figures_and_waiting_questions_never_the_text(world, coachdev, london):
    secret = "My secret worry about year 9"
    ask(coachdev.engagements[0], world.tom, FRIDAY_3PM, body=secret)
    now = dt.datetime(2026, 12, 3, 9, tzinfo=LONDON)
    for viewer in (world.ada, world.cora):
        section = responsiveness.responsiveness_section(viewer, world.cora, now=now)
        assert section["figures"].open == 1
        assert section["figures"].overdue == 1
        [row] = section["engagements"]
        assert row.title == coachdev.engagements[0].title
        [waiting] = section["open_questions"]
        assert waiting.seconds == (9 + 24 + 24 + 24 + 9) * HOUR
        html = render_to_string("messaging/_responsiveness_section.html", {"section": section})
        assert secret not in html
        assert "Overdue" in html
        assert coachdev.engagements[0].title in html
    # the lead coach follows Cora: the figures, not the engagements' details
    lead = responsiveness.responsiveness_section(coachdev.lola, world.cora, now=now)
    assert lead["figures"].asked == 1
    assert lead["engagements"] == []
    assert lead["open_questions"] == []
    assert lead["hidden_engagements"]


def test_the_section_says_so_when_no_question_was_asked(world, coachdev):
    section = responsiveness.responsiveness_section(world.ada, world.cora)
    assert section["is_empty"]
    html = render_to_string("messaging/_responsiveness_section.html", {"section": section})
    assert "No coachee has asked" in html


# --- Calendar services ----------------------------------------------------------------------------


def test_a_range_adds_one_holiday_a_day_and_a_day_twice_is_refused(world):
    rows = calendar_services.holidays_add(
        actor=world.ada,
        organisation=world.district,
        first_day=dt.date(2026, 12, 21),
        last_day=dt.date(2027, 1, 1),
        name="Winter break",
    )
    assert len(rows) == 12
    with pytest.raises(DomainError) as err:
        calendar_services.holidays_add(
            actor=world.ada,
            organisation=world.district,
            first_day=dt.date(2026, 12, 31),
            last_day=dt.date(2027, 1, 2),
            name="New year",
        )
    assert err.value.status == 409
    assert "2026-12-31" in err.value.message
    assert not Holiday.objects.filter(date=dt.date(2027, 1, 2)).exists()


def test_only_administrators_change_a_calendar(world):
    with pytest.raises(DomainError) as err:
        calendar_services.calendar_save(
            actor=world.cora, organisation=world.district, weekdays=[1], time_zone=""
        )
    assert err.value.status == 403
    with pytest.raises(DomainError) as err:
        calendar_services.calendar_save(
            actor=world.bea, organisation=world.district, weekdays=[1], time_zone=""
        )
    assert err.value.status == 404


def test_bad_weekdays_and_zones_are_named(world):
    with pytest.raises(DomainError) as err:
        calendar_services.calendar_save(
            actor=world.ada, organisation=world.district, weekdays=[0, 8], time_zone="Mars/Base"
        )
    assert set(err.value.errors) == {"weekdays", "time_zone"}
    assert not SchoolCalendar.objects.exists()


def test_a_csv_import_is_all_or_nothing_with_numbered_rows(world):
    bad = "date,name\n2026-12-24,Eve\nnot a date,Oops\n2026-12-24,Again\n2026-12-26,\n"
    with pytest.raises(calendar_services.HolidayImportProblems) as err:
        calendar_services.holidays_import(
            actor=world.ada,
            organisation=world.district,
            upload=SimpleUploadedFile("h.csv", bad.encode(), "text/csv"),
        )
    problems = err.value.problems
    assert [p.split(":")[0] for p in problems] == ["Row 3", "Row 4", "Row 5"]
    assert "also on row 2" in problems[1]
    assert not Holiday.objects.exists()
    good = "2026-12-24,Eve\n2026-12-25,Christmas Day\n"
    rows = calendar_services.holidays_import(
        actor=world.ada,
        organisation=world.district,
        upload=SimpleUploadedFile("h.csv", good.encode(), "text/csv"),
    )
    assert [h.name for h in rows] == ["Eve", "Christmas Day"]
    with pytest.raises(calendar_services.HolidayImportProblems) as err:
        calendar_services.holidays_import(
            actor=world.ada,
            organisation=world.district,
            upload=SimpleUploadedFile("h.csv", b"2026-12-31,NYE\n2026-12-25,Again\n", "text/csv"),
        )
    assert err.value.problems == ["Row 2: 2026-12-25 is already a holiday here."]
    assert Holiday.objects.count() == 2


def test_response_time_is_agreed_by_the_team_within_1_to_30(world, coachdev):
    engagement = coachdev.engagements[0]
    for days in (0, 31):
        with pytest.raises(DomainError) as err:
            calendar_services.response_time_set(actor=world.tom, engagement=engagement, days=days)
        assert err.value.field == "response_days"
    for user in (world.lena, world.ada):
        with pytest.raises(DomainError) as err:
            calendar_services.response_time_set(actor=user, engagement=engagement, days=3)
        assert err.value.status == 403
    calendar_services.response_time_set(actor=world.tom, engagement=engagement, days=3)
    engagement.refresh_from_db()
    assert engagement.agreed_response_days == 3
    calendar_services.response_time_set(actor=world.cora, engagement=engagement, days=None)
    engagement.refresh_from_db()
    assert engagement.agreed_response_days == 2
