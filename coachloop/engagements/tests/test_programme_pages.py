"""The programme pages: a new programme, engagements one by one and from a pasted list, the
administrator's overview (phases, overdue steps, progress), the exports, and who may do what."""

import csv
import datetime
import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from coachloop.engagements import services
from coachloop.engagements.models import Engagement, Programme
from coachloop.engagements.services import People
from coachloop.organisations.models import Role
from coachloop.plans import services as plans
from coachloop.testing.personas import builtin_playbook, person

pytestmark = pytest.mark.django_db


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def programme(world):
    return world.engagement.programme


def engagement_form(world, **changes):
    data = {
        "coachees": world.tom.pk,
        "coaches": world.cora.pk,
        "sponsors": world.lena.pk,
        "district_reps": world.dan.pk,
        "starts_on": "2026-10-01",
        "ends_on": "2027-06-30",
        "title": "Tom's second year",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_ada_creates_a_programme(world, signed_in):
    client = signed_in(world.ada)
    form = client.get("/programmes/new/")
    assert form.status_code == 200
    assert world.cora.email in text(form)  # the coaches to choose from
    assert world.tom.email not in text(form)  # a teacher is no coach
    response = client.post(
        "/programmes/new/",
        {
            "organisation": world.district.pk,
            "name": "New leaders 2027",
            "playbook": builtin_playbook("performance-coaching").pk,
            "starts_on": "2027-01-10",
            "ends_on": "2027-12-20",
            "description": "First-year principals.",
            "coaches": [world.cora.pk],
        },
    )
    programme = Programme.objects.get(name="New leaders 2027")
    assert response["Location"] == f"/programmes/{programme.pk}/"
    assert list(programme.administrators.all()) == [world.ada]
    assert list(programme.coaches.all()) == [world.cora]
    assert programme.starts_on == datetime.date(2027, 1, 10)
    page = text(client.get(response["Location"]))
    assert "Programme created" in page
    assert "No engagements yet" in page
    assert "New programme" in text(client.get("/programmes/"))


def test_a_programme_ending_before_it_starts_is_refused_with_what_was_typed(world, signed_in):
    response = signed_in(world.ada).post(
        "/programmes/new/",
        {
            "organisation": world.district.pk,
            "name": "Backwards",
            "playbook": builtin_playbook("performance-coaching").pk,
            "starts_on": "2027-06-01",
            "ends_on": "2027-01-01",
        },
    )
    assert response.status_code == 422
    assert "is before the start" in text(response)
    assert 'value="Backwards"' in text(response)
    assert not Programme.objects.filter(name="Backwards").exists()


def test_ada_creates_an_engagement_and_its_participants_are_told(
    world, signed_in, programme, django_capture_on_commit_callbacks
):
    client = signed_in(world.ada)
    page = text(client.get(f"/programmes/{programme.pk}/engagements/new/"))
    assert '<label for="id_coachees">Performer</label>' in page
    assert "District representative" in page
    assert world.sam.email in page  # the people of the programme's schools
    assert world.ben.email not in page  # never another tenant's
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/programmes/{programme.pk}/engagements/new/", engagement_form(world)
        )
    engagement = Engagement.objects.get(title="Tom's second year")
    assert response["Location"] == f"/engagements/{engagement.pk}/"
    assert engagement.starts_on == datetime.date(2026, 10, 1)
    assert engagement.steps.count() == 31
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.tom, world.cora, world.lena, world.dan)
    )
    follow = client.get(response["Location"])
    assert "its participants have been notified" in text(follow)


def test_an_end_before_the_start_is_shown_on_the_end_date(world, signed_in, programme):
    response = signed_in(world.ada).post(
        f"/programmes/{programme.pk}/engagements/new/",
        engagement_form(world, starts_on="2026-10-01", ends_on="2026-09-01"),
    )
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="id_ends_on_error">The end \(.*\) is before the start', page)
    assert 'value="Tom&#x27;s second year"' in page
    assert not Engagement.objects.filter(title="Tom's second year").exists()


def test_a_missing_sponsor_is_shown_on_the_sponsor_field(world, signed_in, programme):
    response = signed_in(world.ada).post(
        f"/programmes/{programme.pk}/engagements/new/",
        engagement_form(world, sponsors=None),
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="id_sponsors_error">Choose the sponsor.' in page
    # what was chosen stays chosen
    assert re.search(rf'<option value="{world.tom.pk}" selected>', page)
    assert not Engagement.objects.filter(title="Tom's second year").exists()


def test_two_good_lines_create_two_engagements(
    world, signed_in, programme, django_capture_on_commit_callbacks
):
    elle = person("elle@a.test", world.elm, Role.SCHOOL_LEADER)
    lines = (
        "performer email,coach email,sponsor email,district representative email,start,end\n"
        "tom@a.test,cora@a.test,lena@a.test,dan@a.test,2026-11-01,2027-06-30\n"
        f"tina@a.test,cora@a.test,{elle.email},,2026-11-15,\n"
    )
    client = signed_in(world.ada)
    assert "one engagement per line" in text(
        client.get(f"/programmes/{programme.pk}/engagements/bulk/")
    )
    before = Engagement.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/programmes/{programme.pk}/engagements/bulk/", {"lines": lines})
    assert response["Location"] == f"/programmes/{programme.pk}/"
    assert Engagement.objects.count() == before + 2
    assert Engagement.objects.filter(participants__user=world.tina).exists()
    assert "Created 2 engagements" in text(client.get(response["Location"]))
    assert world.tina.email in {m.to[0] for m in mail.outbox}


def test_one_bad_line_creates_nothing_and_names_the_line(world, signed_in, programme):
    lines = (
        "tom@a.test,cora@a.test,lena@a.test,dan@a.test,2026-11-01,\n"
        "nobody@a.test,cora@a.test,lena@a.test,,2026-11-01,\n"
    )
    before = Engagement.objects.count()
    response = signed_in(world.ada).post(
        f"/programmes/{programme.pk}/engagements/bulk/", {"lines": lines}
    )
    assert response.status_code == 422
    page = text(response)
    assert "<li>Line 2: nobody in your organisations has the email nobody@a.test" in page
    assert "Line 1" not in page
    assert "nobody@a.test,cora@a.test" in response.content.decode()  # the text is kept
    assert Engagement.objects.count() == before


def test_the_overview_shows_phases_and_overdue_steps(world, signed_in, programme):
    page = text(signed_in(world.ada).get(f"/programmes/{programme.pk}/"))
    assert re.search(r'<th scope="row">Pre-coaching</th><td class="num">1</td>', page)
    assert re.search(r'<th scope="row">Check</th><td class="num">0</td>', page)
    # the world's engagement started on 1 September 2026: its first step is long overdue
    assert "Review the coaching assignment, profile and data" in page
    assert (
        f'href="/engagements/{world.engagement.pk}/?phase=pre-coaching#step-review-assignment"'
        in page
    )
    assert "Overdue steps" in page
    # the engagement's progress, and the buttons of an administrator
    assert "0 of 31 steps" in page
    assert "New engagement" in page
    assert "Add engagements from a list" in page
    assert "Secret text" not in page


def test_the_overview_searches_engagements(world, signed_in, programme):
    client = signed_in(world.ada)
    assert "Coaching Tom" in text(client.get(f"/programmes/{programme.pk}/?q=tom@a.test"))
    page = text(client.get(f"/programmes/{programme.pk}/?q=zzz"))
    assert "No engagement matches" in page


def test_the_csv_export_lists_engagements_without_content(world, signed_in, programme):
    response = signed_in(world.ada).get(f"/programmes/{programme.pk}/export/?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Title", "Performers", "Coaches"]
    tom = next(r for r in rows if r[0] == "Coaching Tom")
    assert tom[3] == "Oak"
    assert tom[4] == "2026-09-01"
    assert tom[6] == "Pre-coaching"
    assert tom[9] == "31"
    assert int(tom[10]) > 0  # overdue steps
    assert "Secret text" not in response.content.decode()


def test_the_xlsx_export_opens_as_a_workbook(world, signed_in, programme):
    response = signed_in(world.ada).get(f"/programmes/{programme.pk}/export/?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[0] == "Title"
    assert sheet["A1"].font.bold
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][0] == "Coaching Tom"
    assert values[0][1] == str(world.tom)
    assert not any("Secret text" in str(v) for row in values for v in row)


def test_a_formula_in_a_title_is_exported_as_text(world, signed_in, programme):
    Engagement.objects.filter(pk=world.engagement.pk).update(title="=HYPERLINK(1)")
    response = signed_in(world.ada).get(f"/programmes/{programme.pk}/export/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert sheet["A2"].data_type == "s"


def test_an_unknown_export_format_is_a_bad_request(world, signed_in, programme):
    response = signed_in(world.ada).get(f"/programmes/{programme.pk}/export/?format=pdf")
    assert response.status_code == 400
    assert "Choose CSV or XLSX" in text(response)


def test_the_coach_sees_the_programme_but_cannot_add_engagements(world, signed_in, programme):
    client = signed_in(world.cora)
    page = text(client.get(f"/programmes/{programme.pk}/"))
    assert "Coaching Tom" in page
    assert "New engagement" not in page
    assert client.get(f"/programmes/{programme.pk}/engagements/new/").status_code == 403
    assert client.get(f"/programmes/{programme.pk}/engagements/bulk/").status_code == 403
    before = Engagement.objects.count()
    assert (
        client.post(
            f"/programmes/{programme.pk}/engagements/new/", engagement_form(world)
        ).status_code
        == 403
    )
    assert Engagement.objects.count() == before
    assert client.get("/programmes/new/").status_code == 403


@pytest.mark.parametrize("name", ["tina", "ben"])
def test_people_outside_the_programme_get_not_found(world, signed_in, programme, name):
    client = signed_in(getattr(world, name))
    for path in ("", "engagements/new/", "engagements/bulk/", "export/?format=csv"):
        assert client.get(f"/programmes/{programme.pk}/{path}").status_code == 404, path
    assert programme.name not in text(client.get("/programmes/"))


def test_the_programme_list_has_an_empty_state_with_a_way_forward(world, signed_in):
    Programme.objects.filter(pk=world.engagement.programme_id).update(name="Leadership coaching")
    client = signed_in(world.bea)
    page = text(client.get("/programmes/"))
    assert "No programmes yet" in page
    assert 'href="/programmes/new/"' in page
    assert "No programme matches" in text(signed_in(world.ada).get("/programmes/?q=zzz"))


def test_an_htmx_search_answers_with_the_engagements_only(world, signed_in, programme):
    response = signed_in(world.ada).get(
        f"/programmes/{programme.pk}/?q=Coaching", headers={"HX-Request": "true"}
    )
    page = text(response)
    assert "Coaching Tom" in page
    assert "1 engagement" in page
    assert "<h1>" not in page
    assert "Overdue steps" not in page


def test_the_plan_status_is_exported_only_to_those_who_may_read_the_plan(
    world, signed_in, programme
):
    version = plans.plan_save(
        actor=world.cora,
        engagement=world.engagement,
        summary="Lead data meetings.",
        goals=[{"title": "Monthly data meetings", "measure": "4 of 4", "evidence": "Minutes"}],
        base=0,
    )
    plans.plan_submit(actor=world.cora, engagement=world.engagement, number=version.number)

    def plan_status(user):
        response = signed_in(user).get(f"/programmes/{programme.pk}/export/?format=csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][11] == "Plan status"
        assert "Lead data meetings." not in response.content.decode()
        return next(r for r in rows if r[0] == "Coaching Tom")[11]

    assert plan_status(world.lena) == "Awaiting approval"  # the sponsor reads the plan
    assert plan_status(world.ada) == ""  # at "sponsors" level, not the administrator's


def test_an_empty_list_is_refused_once_with_what_to_do(world, signed_in, programme):
    response = signed_in(world.ada).post(
        f"/programmes/{programme.pk}/engagements/bulk/", {"lines": "  \n  "}
    )
    assert response.status_code == 422
    assert text(response).count("Paste at least one line.") == 1


def test_the_overview_and_exports_take_the_same_queries_for_more_engagements(
    world, signed_in, programme
):
    def add(n):
        for _ in range(n):
            services.engagement_create(
                actor=world.ada,
                programme=programme,
                people=People(coachees=[world.tom], coaches=[world.cora], sponsors=[world.lena]),
                starts_on=datetime.date(2026, 10, 1),
            )

    client = signed_in(world.ada)
    urls = [f"/programmes/{programme.pk}/", f"/programmes/{programme.pk}/export/?format=xlsx"]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    add(1)
    counts()  # warm the session
    small = counts()
    add(10)
    assert counts() == small
