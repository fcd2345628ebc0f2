"""The views of instructional coaching: the coach's caseload (and its exports), the teacher's own
page, the programme's aggregate of cycles, the API, and their places in the navigation, the
today page and the engagement page. Data is made directly with the models."""

import csv
import datetime
import io
import statistics
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from coachloop.actionsteps import caseload
from coachloop.actionsteps.models import ActionStep, Cycle
from coachloop.engagements.models import FormResponse, ParticipantRole
from coachloop.meetings import stagetimes
from coachloop.meetings.models import Meeting, StageTimeMonth
from coachloop.observations.models import Observation
from coachloop.organisations.models import Role
from coachloop.testing.api import Api as ApiClient
from coachloop.testing.factories import (
    EngagementFactory,
    MembershipFactory,
    ParticipantFactory,
    ProgrammeFactory,
    UserFactory,
)

TODAY = datetime.date(2026, 10, 1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def teacher_in(world, engagement_like, *, org=None, given="Nia", family="Teacher", coach=None):
    """Another teacher with an instructional engagement like `engagement_like` (same programme
    and playbook version), coached by Cora unless told otherwise."""
    org = org or world.oak
    teacher = UserFactory(given_name=given, family_name=family)
    MembershipFactory(user=teacher, organisation=org, role=Role.TEACHER)
    engagement = EngagementFactory(
        programme=engagement_like.programme,
        organisation=org,
        title=f"Instructional coaching: {given} {family}",
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=engagement_like.playbook_version,
        current_phase=engagement_like.current_phase,
    )
    ParticipantFactory(engagement=engagement, user=coach or world.cora, role=ParticipantRole.COACH)
    ParticipantFactory(engagement=engagement, user=teacher, role=ParticipantRole.COACHEE)
    return teacher, engagement


def step(world, engagement, coachee, *, title="Wait three seconds", visibility="team", **kw):
    return ActionStep.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=coachee,
        author=kw.pop("author", world.cora),
        visibility=visibility,
        title=title,
        success_criteria=["Waits three seconds", "Calls on a non-volunteer"],
        **kw,
    )


def observation(world, engagement, coachee, day, status="final"):
    return Observation.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        coachee=coachee,
        author=world.cora,
        visibility="team",
        status=status,
        started_at=at(day),
        notes="Secret observation notes",
    )


def feedback_agenda(engagement):
    spec = engagement.spec
    return [s.model_dump(mode="json") for s in spec.meeting_type("feedback").agenda]


def meeting(world, engagement, starts_at, *, status="held", guide=None, notes=None, **kw):
    agenda = feedback_agenda(engagement)
    made = Meeting.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        meeting_type=kw.pop("meeting_type", "feedback"),
        title="Feedback meeting",
        starts_at=starts_at,
        minutes=30,
        mode="in_person",
        status=status,
        held_at=starts_at if status == "held" else None,
        agenda=agenda,
        stage_notes=notes or ["" for _ in agenda],
        author=kw.pop("author", world.cora),
        visibility=kw.pop("visibility", "team"),
        guide=guide or {},
    )
    if status == "held":
        stagetimes.count_held(made)  # as the meetings service does when it is recorded held
    return made


def cycle(engagement, number, opened, closed=None, by=None):
    return Cycle.objects.create(
        organisation=engagement.organisation,
        engagement=engagement,
        number=number,
        status="closed" if closed else "open",
        opened_on=opened,
        closed_on=closed,
        closed_by=by,
    )


def rows_for(user, **kw):
    return caseload.caseload_rows(user=user, today=TODAY, **kw)


# --- The caseload's rows -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_caseload_lists_each_teacher_with_step_days_and_cycles(world, instructional):
    tom = world.tom
    tom.family_name = "Thomas"  # sorts after Tina E.; the factory's names are random
    tom.save()
    step(world, instructional, tom)
    observation(world, instructional, tom, datetime.date(2026, 9, 21))
    observation(world, instructional, tom, datetime.date(2026, 9, 28), status="draft")
    meeting(world, instructional, at(datetime.date(2026, 9, 24)))
    cycle(instructional, 1, datetime.date(2026, 9, 1), datetime.date(2026, 9, 10), world.cora)
    cycle(instructional, 2, datetime.date(2026, 9, 10), datetime.date(2026, 9, 24), world.cora)
    cycle(instructional, 3, datetime.date(2026, 9, 24))
    upcoming = meeting(world, instructional, timezone.now() + datetime.timedelta(days=3))
    upcoming.status = "planned"
    upcoming.save()
    tina_engagement = teacher_in(world, instructional, org=world.elm, given="Tina", family="E")[1]
    # Ben, in the other tenant, with Cora recorded as his coach: never shown to her.
    ben_engagement = EngagementFactory(
        programme=ProgrammeFactory(organisation=world.faraway),
        organisation=world.pine,
        playbook_version=instructional.playbook_version,
    )
    ParticipantFactory(engagement=ben_engagement, user=world.cora, role=ParticipantRole.COACH)
    ParticipantFactory(engagement=ben_engagement, user=world.ben, role=ParticipantRole.COACHEE)
    # Tom's performance coaching (no cycles) and a completed instructional engagement: not shown.
    _done_teacher, done = teacher_in(world, instructional, given="Old", family="Done")
    done.status = "completed"
    done.save()

    rows = rows_for(world.cora)

    assert [r.engagement for r in rows] == [tina_engagement, instructional]  # by family name
    tom_row = rows[1]
    assert tom_row.teacher == tom
    assert tom_row.school == "Oak"
    assert tom_row.step_title == "Wait three seconds"
    assert tom_row.last_observed == datetime.date(2026, 9, 21)  # the draft does not count
    assert tom_row.days_since_observed == 10
    assert tom_row.days_since_met == 7
    assert tom_row.cycles_completed == 2
    assert tom_row.next_meeting_id == upcoming.pk
    tina_row = rows[0]
    assert (tina_row.school, tina_row.step_title, tina_row.cycles_completed) == ("Elm", "", 0)
    assert tina_row.days_since_observed is None
    assert tina_row.days_since_met is None
    assert tina_row.next_meeting_id is None


@pytest.mark.django_db
def test_people_who_coach_no_instructional_engagement_have_an_empty_caseload(world, instructional):
    for name in ("sam", "tom", "lena", "dan", "ada", "bea"):
        assert rows_for(getattr(world, name)) == [], name


@pytest.mark.django_db
def test_a_step_the_coach_may_not_read_is_left_out_of_the_row(world, instructional):
    nia, engagement = teacher_in(world, instructional)
    step(world, engagement, nia, title="Nia's private step", visibility="private", author=nia)
    step(world, instructional, world.tom, title="Tom's team step")
    rows = {r.teacher: r for r in rows_for(world.cora)}
    assert rows[nia].step_title == ""
    assert rows[nia].step_id is None
    assert rows[world.tom].step_title == "Tom's team step"


@pytest.mark.django_db
def test_longest_since_observed_first_and_search_by_name(world, instructional):
    ann, first = teacher_in(world, instructional, given="Ann", family="Zed")
    bo, _second = teacher_in(world, instructional, given="Bo", family="Young")
    observation(world, instructional, world.tom, datetime.date(2026, 9, 30))
    observation(world, first, ann, datetime.date(2026, 9, 2))
    # Bo never observed: first of all.
    order = [r.teacher for r in rows_for(world.cora, sort="observed")]
    assert order == [bo, ann, world.tom]
    assert [r.teacher for r in rows_for(world.cora, query="zed")] == [ann]
    assert [r.teacher for r in rows_for(world.cora, query="bo young")] == [bo]
    assert rows_for(world.cora, query="nobody-like-this") == []


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def add_teachers(world, instructional, n, start=0):
    for i in range(start, start + n):
        teacher, engagement = teacher_in(world, instructional, given=f"T{i:02d}", family="Many")
        step(world, engagement, teacher, title=f"Step {i}")
        observation(world, engagement, teacher, datetime.date(2026, 9, 2 + i % 20))
        meeting(world, engagement, at(datetime.date(2026, 9, 3 + i % 20)))
        cycle(engagement, 1, datetime.date(2026, 9, 1), datetime.date(2026, 9, 3), world.cora)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/caseload/", "/caseload/?sort=observed", "/today/", "/api/caseload?sort=met"]
)
def test_the_caseload_takes_as_many_queries_for_30_teachers_as_for_3(
    world, instructional, signed_in, url
):
    client = signed_in(world.cora)
    add_teachers(world, instructional, 3)
    count_queries(client, url)  # warm the session
    small = count_queries(client, url)
    add_teachers(world, instructional, 27, start=3)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries for 3 teachers, {large} for 30"
    if not url.startswith("/today/"):
        page = client.get(url).content.decode()
        assert page.count("Step ") >= 30


# --- The caseload page and its exports ----------------------------------------------------------


@pytest.mark.django_db
def test_the_caseload_page_offers_one_tap_observe_and_the_engagement_links(
    world, instructional, signed_in
):
    step(world, instructional, world.tom)
    page = signed_in(world.cora).get("/caseload/").content.decode()
    assert "Your caseload" in page
    from django.urls import reverse

    assert f'action="{reverse("observation_start", args=[instructional.pk])}"' in page
    assert reverse("action_step_list", args=[instructional.pk]) in page
    assert reverse("observation_history", args=[instructional.pk]) in page
    assert str(world.tom) in page
    assert "Wait three seconds" in page


@pytest.mark.django_db
def test_the_caseload_search_answers_htmx_with_the_results_only(world, instructional, signed_in):
    teacher_in(world, instructional, given="Ann", family="Zed")
    client = signed_in(world.cora)
    response = client.get("/caseload/?q=zed", HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert "Ann Zed" in fragment
    assert str(world.tom) not in fragment


@pytest.mark.django_db
def test_the_caseload_page_has_empty_states(world, instructional, signed_in):
    client = signed_in(world.lena)
    assert (
        "You coach no teachers in instructional coaching yet."
        in client.get("/caseload/").content.decode()
    )
    cora = signed_in(world.cora)
    assert "No teacher in your caseload matches" in cora.get("/caseload/?q=zzzz").content.decode()


def parse_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_csv_and_xlsx_exports_hold_every_row_of_every_page(world, instructional, signed_in):
    step(world, instructional, world.tom, title="=HYPERLINK(evil)")
    observation(world, instructional, world.tom, datetime.date(2026, 9, 21))
    for i in range(50):
        teacher_in(world, instructional, given=f"E{i:02d}", family="Export")
    client = signed_in(world.cora)
    page = client.get("/caseload/").content.decode()
    assert "51 teachers" in page
    assert "Page 1 of 2" in page

    response = client.get("/caseload/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="caseload-')
    rows = parse_csv(response)
    assert rows[0][:5] == ["Teacher", "Email", "School", "Engagement", "Current action step"]
    assert len(rows) == 52
    tom = next(r for r in rows if r[1] == world.tom.email)
    assert tom[4] == "'=HYPERLINK(evil)"  # never run as a formula
    assert tom[5] == "2026-09-21"

    response = client.get("/caseload/export/?format=xlsx&q=export")
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Teacher"
    assert len(values) == 51  # the search applies: the 50 "Export" teachers
    assert all(row[2] == "Oak" for row in values[1:])

    bad = client.get("/caseload/export/?format=pdf")
    assert bad.status_code == 400
    assert "Choose CSV or XLSX" in bad.content.decode()


# --- The teacher's own page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_tom_sees_his_step_what_was_agreed_and_his_reflections(world, instructional, signed_in):
    tom = world.tom
    step(world, instructional, tom, title="Wait three seconds", goal="Everyone thinks")
    step(
        world,
        instructional,
        tom,
        title="Greet at the door",
        status="mastered",
        mastered_on=datetime.date(2026, 9, 15),
    )
    agenda = feedback_agenda(instructional)
    notes = [f"Notes on {stage['title']}" for stage in agenda]
    meeting(world, instructional, at(datetime.date(2026, 9, 24)), notes=notes)
    cycle(instructional, 1, datetime.date(2026, 9, 1), datetime.date(2026, 9, 24), world.cora)
    open_cycle = cycle(instructional, 2, datetime.date(2026, 9, 24))
    open_cycle.observation_planned_on = datetime.date(2026, 10, 2)
    open_cycle.save()
    for day, visibility, author in (
        (20, "team", tom),
        (25, "team", tom),
        (26, "private", world.cora),
    ):
        FormResponse.objects.create(
            organisation=instructional.organisation,
            engagement=instructional,
            form_key="reflection",
            title=f"Reflection of the {day}th ({visibility})",
            author=author,
            visibility=visibility,
            data={"tried": "x"},
            created_at=at(datetime.date(2026, 9, day)),
        )

    page = signed_in(tom).get("/my-coaching/").content.decode()

    assert "Wait three seconds" in page
    assert "Calls on a non-volunteer" in page
    assert "Greet at the door" in page  # mastered
    assert "Notes on Action step &amp; modelling" in page
    assert "Notes on Plan" in page
    assert "Notes on Praise" not in page
    assert "Notes on Discussion" not in page
    assert page.index("Reflection of the 25th") < page.index("Reflection of the 20th")
    assert "(private)" not in page
    assert f"/engagements/{instructional.pk}/forms/reflection/" in page
    assert "2 Oct 2026" in page  # the observation planned on the open cycle
    assert 'href="/my-coaching/" aria-current="page"' in page


@pytest.mark.django_db
def test_minutes_tom_may_not_read_are_not_shown(world, instructional, signed_in):
    agenda = feedback_agenda(instructional)
    meeting(
        world,
        instructional,
        at(datetime.date(2026, 9, 24)),
        notes=[f"Private notes on {s['title']}" for s in agenda],
        visibility="private",
    )
    page = signed_in(world.tom).get("/my-coaching/").content.decode()
    assert "24 Sep 2026" in page
    assert "Private notes" not in page
    assert "The minutes of that meeting are not shared with you." in page


@pytest.mark.django_db
def test_the_sponsor_gets_no_teacher_content_on_my_coaching(world, instructional, signed_in):
    step(world, instructional, world.tom, title="Tom's secret step")
    FormResponse.objects.create(
        organisation=instructional.organisation,
        engagement=instructional,
        form_key="reflection",
        title="Tom's reflection",
        author=world.tom,
        visibility="team",
    )
    page = signed_in(world.lena).get("/my-coaching/").content.decode()
    assert "You are not a teacher in instructional coaching." in page
    assert "Tom's secret step" not in page
    assert "Tom's reflection" not in page
    assert caseload.my_coaching(user=world.lena) == []


# --- The programme's aggregate view --------------------------------------------------------------


def guide(*spent_seconds, extra=0, skipped=()):
    return {
        "stage": 4,
        "stages": [
            {"spent": s, "extra": extra, "skipped": i in skipped, "visited": True}
            if s is not None
            else {"spent": 0, "extra": 0, "skipped": False, "visited": False}  # not reached
            for i, s in enumerate(spent_seconds)
        ],
    }


@pytest.fixture
def cycles_data(world, instructional):
    """Two coaches' cycles over September and October 2026, and timed feedback meetings."""
    _nia, other = teacher_in(world, instructional)
    cora, pat = world.cora, UserFactory(given_name="Pat", family_name="Coach")
    MembershipFactory(user=pat, organisation=world.district, role=Role.COACH)
    ParticipantFactory(engagement=other, user=pat, role=ParticipantRole.COACH)
    d = datetime.date
    # Cora: September 7 and 14 days, October 10 days; Pat: October 3 days.
    cycle(instructional, 1, d(2026, 9, 1), d(2026, 9, 8), cora)
    cycle(instructional, 2, d(2026, 9, 8), d(2026, 9, 22), cora)
    cycle(instructional, 3, d(2026, 9, 22), d(2026, 10, 2), cora)
    cycle(instructional, 4, d(2026, 10, 2))  # open: not counted
    cycle(other, 1, d(2026, 10, 1), d(2026, 10, 4), pat)
    cycle(other, 2, d(2026, 10, 4), d(2026, 12, 1), pat)  # outside the period
    # Praise 2, Action step 8, Discussion 8, Practice 10, Plan 2 minutes planned.
    meeting(world, instructional, at(d(2026, 9, 8)), guide=guide(120, 600, 480, 600, 60))
    meeting(
        world, instructional, at(d(2026, 9, 22)), guide=guide(180, 420, 540, 900, 0, skipped=(4,))
    )
    meeting(world, other, at(d(2026, 10, 4)), guide=guide(60, 540, None, 1200, 120, extra=5))
    # Guides without timings: stages never reached, or entries without their keys.
    meeting(world, other, at(d(2026, 10, 5)), guide=guide(None, None, None, None, None))
    meeting(world, other, at(d(2026, 10, 6)), guide={"stages": [{}, {"extra": 3}]})
    meeting(world, instructional, at(d(2026, 10, 2)), guide={})  # no timings
    meeting(world, instructional, at(d(2026, 10, 3)), guide=guide(6000), meeting_type="study")
    meeting(world, instructional, at(d(2026, 12, 2)), guide=guide(6000))  # outside the period
    return {"pat": pat, "other": other}


@pytest.mark.django_db
def test_the_aggregate_counts_cycles_per_coach_per_month_and_median_lengths(
    world, instructional, cycles_data
):
    report = caseload.programme_cycles(
        user=world.ada,
        programme=instructional.programme,
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2026, 10, 1),
    )
    assert report.months == [datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]
    by_name = {c.name: c for c in report.coaches}
    cora = by_name[str(world.cora)]
    pat = by_name[str(cycles_data["pat"])]
    assert (cora.by_month, cora.total, cora.median_days) == ([2, 1], 3, 10.0)
    assert (pat.by_month, pat.total, pat.median_days) == ([0, 1], 1, 3.0)
    assert report.month_totals == [2, 2]
    assert report.total == 4
    assert report.median_days == 8.5  # of 3, 7, 10, 14


@pytest.mark.django_db
def test_the_aggregate_times_each_stage_against_its_plan(world, instructional, cycles_data):
    report = caseload.programme_cycles(
        user=world.ada,
        programme=instructional.programme,
        start=datetime.date(2026, 9, 1),
        end=datetime.date(2026, 10, 1),
    )
    assert report.meetings_timed == 3
    stages = {s.title: s for s in report.stages}
    assert [s.title for s in report.stages] == [
        "Praise",
        "Action step & modelling",
        "Discussion",
        "Practice",
        "Plan",
    ]
    praise = stages["Praise"]
    assert (praise.meetings, praise.planned_minutes) == (3, 2.0)
    assert praise.mean_minutes == pytest.approx(2.0)  # 2, 3, 1
    assert praise.median_minutes == pytest.approx(2.0)
    practice = stages["Practice"]
    assert practice.mean_minutes == pytest.approx(15.0)  # 10, 15, 20
    assert practice.difference == pytest.approx(5.0)
    assert practice.extra_minutes == pytest.approx(5 / 3)
    assert stages["Discussion"].meetings == 2  # one meeting has no timing for it
    assert stages["Discussion"].median_minutes == pytest.approx(8.5)
    assert stages["Plan"].skipped == 1


@pytest.mark.django_db
def test_the_aggregate_page_shows_numbers_never_content(
    world, instructional, cycles_data, signed_in
):
    step(world, instructional, world.tom, title="Secret step title")
    client = signed_in(world.ada)
    url = f"/programmes/{instructional.programme.pk}/cycles/?from=2026-09&to=2026-10"
    page = client.get(url).content.decode()
    assert "Cycles completed per coach and month" in page
    assert str(world.cora) in page
    assert "Sep 2026" in page
    assert "Oct 2026" in page
    assert "8.5" in page
    assert "Action step &amp; modelling" in page
    assert "Secret step title" not in page
    assert "Secret observation" not in page
    detail = client.get(instructional.programme.get_absolute_url()).content.decode()
    assert f'href="/programmes/{instructional.programme.pk}/cycles/"' in detail


@pytest.mark.django_db
def test_the_aggregate_page_refuses_a_bad_period_with_a_message(world, instructional, signed_in):
    client = signed_in(world.ada)
    base = f"/programmes/{instructional.programme.pk}/cycles/"
    response = client.get(base + "?from=2026-10&to=2026-09")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose a last month on or after the first month." in page
    assert 'value="2026-10"' in page
    assert 'value="2026-09"' in page
    response = client.get(base + "?from=soon")
    assert response.status_code == 422
    assert "for example 2026-09" in response.content.decode()
    assert client.get(base).status_code == 200  # the default: the last twelve months


@pytest.mark.django_db
def test_the_aggregate_page_is_404_unseen_and_403_unmanaged(world, instructional, signed_in):
    url = f"/programmes/{instructional.programme.pk}/cycles/"
    assert signed_in(world.bea).get(url).status_code == 404
    assert signed_in(world.cora).get(url).status_code == 403
    assert signed_in(world.tom).get(url).status_code == 403
    assert signed_in(world.ada).get(url).status_code == 200
    assert signed_in(world.ada).get("/programmes/999999/cycles/").status_code == 404


# --- The API ---------------------------------------------------------------------------------------


def Api(client, user):
    return ApiClient(client, user, read_only=True)


@pytest.mark.django_db
def test_the_api_serves_the_caseload_my_coaching_and_the_aggregate(
    world, instructional, cycles_data, client
):
    step(world, instructional, world.tom, title="Wait three seconds")
    cora = Api(client, world.cora)
    found = cora.get("/api/caseload?sort=observed").json()
    assert found["count"] == 2
    assert found["pages"] == 1
    tom = next(i for i in found["items"] if i["teacher"]["id"] == world.tom.pk)
    assert tom["current_step"]["title"] == "Wait three seconds"
    assert tom["cycles_completed"] == 3
    assert tom["school"] == "Oak"
    bad = cora.get("/api/caseload?sort=sideways")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "sort"

    mine = Api(client, world.tom).get("/api/my-coaching").json()
    assert [m["engagement"]["id"] for m in mine] == [instructional.pk]
    assert mine[0]["current_steps"][0]["success_criteria"][1] == "Calls on a non-volunteer"
    assert Api(client, world.lena).get("/api/my-coaching").json() == []

    pk = instructional.programme.pk
    ada = Api(client, world.ada).get(f"/api/programmes/{pk}/cycles?from=2026-09&to=2026-10")
    assert ada.status_code == 200
    body = ada.json()
    assert body["months"] == ["2026-09", "2026-10"]
    assert body["median_days"] == 8.5
    assert {c["coach"]["name"]: c["by_month"] for c in body["coaches"]}[str(world.cora)] == [2, 1]
    assert body["stages"][0]["title"] == "Praise"
    assert Api(client, world.cora).get(f"/api/programmes/{pk}/cycles").status_code == 403
    assert Api(client, world.bea).get(f"/api/programmes/{pk}/cycles").status_code == 404
    wrong = Api(client, world.ada).get(f"/api/programmes/{pk}/cycles?from=2026-13")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "from"


# --- Navigation, the today page and the engagement page ------------------------------------------


@pytest.mark.django_db
def test_the_navigation_offers_caseload_to_coaches_and_my_coaching_to_teachers(
    world, instructional, signed_in
):
    def nav(user):
        return signed_in(user).get("/dashboard/").content.decode()

    cora, tom, lena, ada = nav(world.cora), nav(world.tom), nav(world.lena), nav(world.ada)
    assert 'href="/caseload/"' in cora
    assert 'href="/my-coaching/"' not in cora
    assert 'href="/my-coaching/"' in tom
    assert 'href="/caseload/"' not in tom
    for page in (lena, ada):
        assert 'href="/caseload/"' not in page
        assert 'href="/my-coaching/"' not in page


@pytest.mark.django_db
def test_the_today_page_lists_your_teachers_with_observe(world, instructional, signed_in):
    from django.urls import reverse

    page = signed_in(world.cora).get("/today/").content.decode()
    assert "Your teachers" in page
    assert reverse("observation_start", args=[instructional.pk]) in page
    assert "Your whole caseload" in page
    assert "Your teachers" not in signed_in(world.lena).get("/today/").content.decode()


@pytest.mark.django_db
def test_the_engagement_page_has_a_coaching_cycles_section(world, instructional, signed_in):
    from django.urls import reverse

    step(world, instructional, world.tom, title="Wait three seconds")
    cycle(instructional, 1, datetime.date(2026, 9, 1), datetime.date(2026, 9, 8), world.cora)
    planned = meeting(
        world, instructional, timezone.now() + datetime.timedelta(days=2), status="planned"
    )
    cora = signed_in(world.cora).get(instructional.get_absolute_url()).content.decode()
    assert "Coaching cycles" in cora
    assert "Wait three seconds" in cora
    assert reverse("action_step_list", args=[instructional.pk]) in cora
    assert reverse("observation_history", args=[instructional.pk]) in cora
    assert reverse("observation_start", args=[instructional.pk]) in cora
    assert reverse("meeting_guide", args=[instructional.pk, planned.pk]) in cora
    lena = signed_in(world.lena).get(instructional.get_absolute_url()).content.decode()
    assert "Coaching cycles" in lena
    assert "Wait three seconds" not in lena
    assert "In progress (not shared with you)" in lena
    assert reverse("observation_start", args=[instructional.pk]) not in lena
    other = signed_in(world.cora).get(world.engagement.get_absolute_url()).content.decode()
    assert "Coaching cycles" not in other


# --- Rules that hold for all inputs -------------------------------------------------------------


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_the_median_of_counts_is_the_median_of_the_values(values):
    assert caseload.median_of_counts(Counter(values)) == statistics.median(values)


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(),
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "title": st.sampled_from(["Praise", "Plan"]),
                            "minutes": st.integers(0, 30),
                        }
                    ),
                    max_size=4,
                ),
            ),
            st.one_of(
                st.none(),
                st.text(max_size=3),
                st.fixed_dictionaries(
                    {
                        "stages": st.lists(
                            st.one_of(
                                st.none(),
                                st.dictionaries(
                                    st.sampled_from(["spent", "extra", "skipped"]),
                                    st.one_of(
                                        st.integers(-100, 5000),
                                        st.floats(allow_nan=True),
                                        st.booleans(),
                                        st.text(max_size=2),
                                    ),
                                ),
                            ),
                            max_size=5,
                        )
                    }
                ),
            ),
        ),
        max_size=8,
    )
)
def test_stage_times_read_any_guide_without_failing(pairs):
    rollups = {}
    for agenda, guide in pairs:
        for t in stagetimes.timings(agenda, guide):
            row = rollups.setdefault(
                (t.position, t.title), StageTimeMonth(position=t.position, title=t.title)
            )
            stagetimes.add_timing(row, t)
    for stage in caseload.stage_times(rollups.values()):
        assert stage.meetings >= 1
        assert stage.mean_minutes is not None
        assert stage.mean_minutes >= 0
        assert stage.median_minutes is not None
        assert stage.median_minutes >= 0
        assert 0 <= stage.skipped <= stage.meetings
