"""The API mirrors the development page and the coach overview: the same rows, the same
filters, order and paging, the same 404 and 403."""

import datetime as dt

import pytest

from coachloop.coaches import overview
from coachloop.coaches.tests.test_overview import FUNCTIONS, add_coaches, rated  # noqa: F401
from coachloop.testing.api import Api

pytestmark = pytest.mark.django_db


def api(client, user):
    return Api(client, user, read_only=True)


def test_a_coach_as_the_development_page_shows_them(world, rated, client):  # noqa: F811
    body = api(client, world.ada).get(f"/api/coaches/{world.cora.pk}").json()
    assert body["coach"] == {"id": world.cora.pk, "name": str(world.cora)}
    assert [p["name"] for p in body["programmes"]] == [
        "Instructional coaching",
        world.engagement.programme.name,
    ]
    assert [u["id"] for u in body["lead_coaches"]] == [rated.lola.pk]
    assert [f["key"] for f in body["profile"]] == FUNCTIONS
    first = body["profile"][0]
    assert first["self_assessment"] == {"level": 2, "label": "Developing", "on": "2026-09-10"}
    assert first["lead_assessment"]["level"] == 3
    assert body["profile"][1]["lead_assessment"] is None
    assert body["responsiveness"]["asked"] == 3
    assert body["responsiveness"]["overdue"] == 1
    assert body["responsiveness"]["within_share"] == 0.5
    assert body["feedback"] == {"status": "none", "latest": None, "change": None, "points": []}
    assert [(c["programme"]["id"], c["count"]) for c in body["caseload"]] == [
        (rated.programme.pk, 5),
        (world.engagement.programme.pk, 1),
    ]


def test_a_coach_answers_404_as_the_page_does(world, rated, client):  # noqa: F811
    path = f"/api/coaches/{world.cora.pk}"
    assert api(client, world.cora).get(path).status_code == 200
    assert api(client, rated.lola).get(path).status_code == 200
    for other in (world.tom, rated.carl, world.lena, world.bea):
        response = api(client, other).get(path)
        assert response.status_code == 404, other.email
        assert response.json()["detail"] == "Not found."
    # the lead sees the profile, not the instructional engagements she takes no part in
    lola = api(client, rated.lola).get(path).json()
    assert lola["caseload"] == []
    assert lola["profile"][0]["lead_assessment"]["level"] == 3


def test_the_overview_rows_as_the_page(world, rated, client):  # noqa: F811
    path = f"/api/programmes/{rated.programme.pk}/coaches"
    body = api(client, world.ada).get(path).json()
    assert body["count"] == 2
    assert body["page"] == 1
    assert body["pages"] == 1
    assert [f["key"] for f in body["functions"]] == FUNCTIONS
    page = overview.coach_overview(world.ada, rated.programme)
    assert [i["coach"]["id"] for i in body["items"]] == [r.coach.pk for r in page.rows]
    cora = next(i for i in body["items"] if i["coach"]["id"] == world.cora.pk)
    assert cora["caseload"] == 5
    assert cora["email"] == world.cora.email
    assert cora["profile"][0]["lead_assessment"]["on"] == dt.date(2026, 9, 20).isoformat()
    assert cora["responsiveness"]["median_days"] == 0.5
    assert cora["feedback"]["status"] == "none"


def test_the_overview_search_filter_order_and_paging(world, rated, client):  # noqa: F811
    path = f"/api/programmes/{rated.programme.pk}/coaches"
    ada = api(client, world.ada)
    assert [i["email"] for i in ada.get(path, q="carl@a.test").json()["items"]] == [
        rated.carl.email
    ]
    assert [i["email"] for i in ada.get(path, filter="no-lead").json()["items"]] == [
        rated.carl.email
    ]
    ordered = ada.get(path, sort="-caseload").json()["items"]
    assert [i["email"] for i in ordered] == [world.cora.email, rated.carl.email]
    add_coaches(world, rated, 50)
    first, second = ada.get(path).json(), ada.get(path, page=2).json()
    assert first["count"] == 52
    assert first["pages"] == 2
    assert len(first["items"]) == 50
    assert len(second["items"]) == 2
    assert second["page"] == 2


def test_the_overview_refuses_as_the_page_does(world, rated, client):  # noqa: F811
    path = f"/api/programmes/{rated.programme.pk}/coaches"
    assert api(client, world.cora).get(path).status_code == 403
    assert api(client, world.bea).get(path).status_code == 404
    assert api(client, world.ada).get("/api/programmes/999999/coaches").status_code == 404
    bad = api(client, world.ada).get(path, sort="sideways")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "sort"
    bad = api(client, world.ada).get(path, filter="happy")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "filter"
