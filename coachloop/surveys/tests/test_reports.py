"""Report pages, exports and API for the lfl data: who may see them, and that every channel
shows the engine's report and nothing more."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from coachloop.surveys import engine
from coachloop.surveys.models import Comment
from coachloop.surveys.tests.test_engine import administration_at, lfl_people, store
from coachloop.testing.api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def oak_survey(lfl, world):
    """A closed survey at Oak with 12 answers and 10 comments; one at Elm with 8 (the district);
    an open one at Oak with 3 (not shown)."""
    admin = administration_at(world.oak, creator=world.cora)
    admin.engagement = lfl.engagement
    admin.save(update_fields=["engagement"])
    store(admin, lfl_people(12))
    Comment.objects.bulk_create(
        Comment(administration=admin, question="strength", text=f"Comment number {i}")
        for i in range(10)
    )
    elm = administration_at(world.elm, creator=world.cora)
    store(elm, lfl_people(8, seed=3))
    return admin


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("lena", 200),
        ("cora", 200),
        ("dan", 200),
        ("ada", 200),
        ("tom", 404),
        ("tina", 404),
        ("bea", 404),
        ("ben", 404),
    ],
)
def test_who_sees_the_oak_report(client, signed_in, world, oak_survey, persona, status):
    signed_in(getattr(world, persona))
    for name in ("report", "growth"):
        assert client.get(reverse(name, args=[oak_survey.pk])).status_code == status
    export = client.get(reverse("report_export", args=[oak_survey.pk]), {"format": "csv"})
    assert export.status_code == status
    api = Api(client, getattr(world, persona))
    assert api.get(f"/api/surveys/{oak_survey.pk}/report").status_code == status
    assert api.get(f"/api/surveys/{oak_survey.pk}/growth").status_code == status


def test_the_report_page_shows_scores_intervals_alpha_comments_and_the_district(
    client, signed_in, world, oak_survey
):
    signed_in(world.lena)
    response = client.get(reverse("report", args=[oak_survey.pk]))
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    report = engine.school_report(oak_survey)
    focus = report.domain("focus")
    assert focus.overall is not None
    assert f"{focus.overall.mean:.2f}" in page
    assert "95% interval" in page
    assert "Strengths and target areas" in page
    assert "Comment number 3" in page
    assert 'role="img"' in page
    assert "<title" in page
    assert "District" in page
    assert report.district is not None
    assert report.district.schools == 1
    assert 'style="' not in page


def test_an_open_survey_under_2k_says_when_results_appear_without_its_count(
    client, signed_in, world, lfl
):
    admin = administration_at(world.oak, closed=False, creator=world.cora)
    store(admin, lfl_people(3))
    signed_in(world.ada)
    page = client.get(reverse("report", args=[admin.pk])).content.decode()
    assert "Results appear when the survey closes with at least 5 answers" in page
    data = Api(client, world.ada).get(f"/api/surveys/{admin.pk}/report").json()
    assert data["state"] == "waiting"
    assert data["answered"] is None
    assert data["respondents"] is None
    assert data["domains"] == []
    assert " 3 " not in data["message"]


def test_export_is_the_report_as_a_table(client, signed_in, world, oak_survey):
    signed_in(world.cora)
    response = client.get(reverse("report_export", args=[oak_survey.pk]), {"format": "csv"})
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    assert header == list(engine.TABLE_HEADER)
    expected = engine.table(engine.school_report(oak_survey))[1]
    assert len(rows) == len(expected)
    domains = [r for r in rows if r[0] == "Domain" and r[3] == "All"]
    assert len(domains) == 5
    assert sum(1 for r in rows if r[0] == "Comment") == 10
    xlsx = client.get(reverse("report_export", args=[oak_survey.pk]), {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    bad = client.get(reverse("report_export", args=[oak_survey.pk]), {"format": "pdf"})
    assert bad.status_code == 400


def test_the_api_report_matches_the_engine(client, world, oak_survey):
    data = Api(client, world.dan).get(f"/api/surveys/{oak_survey.pk}/report").json()
    assert data == engine.as_dict(engine.school_report(oak_survey))
    assert data["state"] == "final"
    assert data["answered"] == 12
    assert len(data["comments"][0]["texts"]) == 10


def test_district_report_page_and_api(client, signed_in, world, oak_survey, lfl):
    signed_in(world.dan)
    url = reverse("district_report")
    query = {"organisation": world.district.pk, "instrument": lfl.instrument.pk}
    page = client.get(url, query).content.decode()
    assert "Oak" in page
    assert "Elm" in page
    data = Api(client, world.dan).get("/api/reports/district", **query).json()
    schools = {s["school"]: s for s in data["schools"]}
    assert set(schools) == {"Oak", "Elm"}
    assert schools["Oak"]["answered"] == 12
    assert data["district"]["focus"]["schools"] == 2
    # another tenant's programme administrator: 404, as for a missing organisation
    bea = Api(client, world.bea).get("/api/reports/district", **query)
    assert bea.status_code == 404


def test_a_school_under_k_is_not_shown_in_the_district_without_its_n(client, signed_in, world, lfl):
    oak = administration_at(world.oak, creator=world.cora)
    store(oak, lfl_people(9))
    elm = administration_at(world.elm, creator=world.cora)
    store(elm, lfl_people(4, seed=2))
    query = {"organisation": world.district.pk, "instrument": lfl.instrument.pk}
    data = Api(client, world.ada).get("/api/reports/district", **query).json()
    schools = {s["school"]: s for s in data["schools"]}
    assert schools["Elm"]["shown"] is False
    assert schools["Elm"]["answered"] is None
    assert schools["Elm"]["domains"] == {}
    assert data["district"]["focus"]["n"] == 9
    signed_in(world.ada)
    page = client.get(reverse("district_report"), query).content.decode()
    assert "Not shown: fewer than 5 answers" in page


def test_growth_page_and_api_show_the_change(client, signed_in, world, lfl):
    first = administration_at(world.oak, creator=world.cora)
    store(first, lfl_people(10))
    second = administration_at(world.oak, previous=first, creator=world.cora)
    store(second, lfl_people(11, seed=8))
    signed_in(world.lena)
    page = client.get(reverse("growth", args=[second.pk])).content.decode()
    assert "Change since the previous administration" in page
    assert "Effect size" in page
    data = Api(client, world.lena).get(f"/api/surveys/{second.pk}/growth").json()
    assert [p["administration_id"] for p in data["series"]] == [first.pk, second.pk]
    assert {r["key"] for r in data["domains"]} == {
        d.key for d in lfl.instrument.current.spec.domains
    }
    assert all(r["low"] <= r["change"] <= r["high"] for r in data["domains"])
