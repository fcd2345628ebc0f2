"""The programme administrator's cadence overview: the page, its export and the API."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from coachloop.engagements.models import Engagement, Participant
from coachloop.testing.factories import EngagementFactory, UserFactory

DT = datetime.datetime


def _team(peer, title, status, reasons=(), member=None):
    e = EngagementFactory(
        programme=peer.engagement.programme,
        organisation=peer.engagement.organisation,
        title=title,
        starts_on=datetime.date(2026, 9, 1),
        playbook_version=peer.engagement.playbook_version,
        cadence_status=status,
        cadence_reasons=list(reasons),
    )
    if member is not None:
        Participant.objects.create(engagement=e, user=member, role="coach")
        Participant.objects.create(engagement=e, user=member, role="coachee")
    return e


OCTOBER = {"code": "month_missed", "level": "off_track", "message": "No session in October 2026"}
NEXT = {
    "code": "in_person_next",
    "level": "at_risk",
    "message": "The next session should be in person",
}


@pytest.fixture
def teams(peer):
    Engagement.objects.filter(pk=peer.engagement.pk).update(
        cadence_status="off_track", cadence_reasons=[OCTOBER]
    )
    done = _team(peer, "Peer team: finished", "off_track", [OCTOBER])
    done.status = "completed"  # completed engagements are not listed
    done.save()
    omar = UserFactory(given_name="Omar", family_name="Okafor")
    return {
        "pia": peer.engagement,
        "risk": _team(peer, "Peer team: Rita and Rob", "at_risk", [NEXT]),
        "fine": _team(peer, "Peer team: Omar", "on_track", member=omar),
        "done": done,
    }


def titles(response):
    return [row.engagement.title for row in response.context["rows"]]


def test_the_administrator_sees_engagements_off_cadence_first(
    signed_in, world, peer, teams, meeting
):
    meeting(teams["pia"], DT(2026, 10, 2, 10))
    next_one = timezone.localtime() + datetime.timedelta(days=3)
    meeting(
        teams["pia"],
        next_one.replace(tzinfo=None),
        status="planned",
        tz=timezone.get_current_timezone_name(),
    )
    client = signed_in(world.ada)
    response = client.get("/cadence/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert titles(response) == ["Peer team: Pia and Paul", "Peer team: Rita and Rob"]
    html = response.content.decode()
    assert "No session in October 2026" in html
    assert "The next session should be in person" in html
    assert "Off track" in html
    assert "At risk" in html
    assert "Pia Park" in html  # the team's names
    assert "2 Oct 2026" in html  # the last session held
    assert next_one.strftime("%-d %b %Y") in html  # the next planned
    assert response.context["counts"]["off_track"] == 1  # the completed one is not listed
    assert response.context["counts"]["on_track"] == 1


def test_the_filters_search_and_sort(signed_in, world, peer, teams):
    client = signed_in(world.ada)
    assert titles(client.get("/cadence/?status=on_track")) == ["Peer team: Omar"]
    assert len(titles(client.get("/cadence/?status=all"))) == 3
    assert titles(client.get("/cadence/?status=all&q=okafor")) == ["Peer team: Omar"]
    assert titles(client.get("/cadence/?status=all&q=Rita")) == ["Peer team: Rita and Rob"]
    assert titles(client.get("/cadence/?status=all&q=pia park")) == ["Peer team: Pia and Paul"]
    assert titles(client.get("/cadence/?status=all&sort=title")) == sorted(
        titles(client.get("/cadence/?status=all"))
    )
    response = client.get("/cadence/?q=nobody-at-all")
    assert "No engagement matches" in response.content.decode()
    programme = peer.engagement.programme
    assert len(titles(client.get(f"/cadence/?status=all&programme={programme.pk}"))) == 3
    response = client.get(f"/programmes/{programme.pk}/cadence/?status=at_risk")
    assert titles(response) == ["Peer team: Rita and Rob"]


def test_a_wrong_filter_says_so(signed_in, world, peer, teams):
    client = signed_in(world.ada)
    response = client.get("/cadence/?status=bad&sort=nope&programme=x")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose a status from the list." in html
    assert "Choose an order from the list." in html
    assert "Choose a programme from the list." in html


def test_others_may_not_see_the_overview(signed_in, world, peer, teams):
    response = signed_in(peer.pia).get("/cadence/")
    assert response.status_code == 403
    assert "Only programme administrators see the cadence overview." in response.content.decode()
    assert signed_in(peer.pia).get("/cadence/export/?format=csv").status_code == 403
    programme = peer.engagement.programme
    assert signed_in(world.bea).get(f"/programmes/{programme.pk}/cadence/").status_code == 404
    assert signed_in(peer.sue).get(f"/programmes/{programme.pk}/cadence/").status_code == 403


def test_the_export_has_exactly_the_filtered_list(signed_in, world, peer, teams):
    client = signed_in(world.ada)
    response = client.get("/cadence/export/?format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Engagement", "Programme", "Team", "Cadence"]
    assert [r[0] for r in rows[1:]] == ["Peer team: Pia and Paul", "Peer team: Rita and Rob"]
    assert rows[1][3] == "Off track"
    assert rows[1][4] == "No session in October 2026"
    assert "Pia Park" in rows[1][2]
    response = client.get("/cadence/export/?format=xlsx&status=on_track")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet["A"]][1:] == ["Peer team: Omar"]
    assert client.get("/cadence/export/?format=pdf").status_code == 400
    assert client.get("/cadence/export/?format=csv&status=bad").status_code == 400


def test_the_page_s_queries_do_not_grow_with_the_engagements(
    signed_in, world, peer, teams, meeting
):
    client = signed_in(world.ada)
    client.get("/cadence/?status=all")  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get("/cadence/?status=all").status_code == 200
    for i in range(27):
        e = _team(peer, f"Peer team {i:02}", "off_track", [OCTOBER], member=peer.paul)
        meeting(e, DT(2026, 9, 3, 10))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/cadence/?status=all")
    assert len(response.context["rows"]) == 30
    assert len(many) == len(few)


# --- API -----------------------------------------------------------------------------------------


def test_the_api_lists_the_same_rows(signed_in, world, peer, teams):
    client = signed_in(world.ada)
    body = client.get("/api/cadence").json()
    assert [i["title"] for i in body["items"]] == [
        "Peer team: Pia and Paul",
        "Peer team: Rita and Rob",
    ]
    first = body["items"][0]
    assert first["status"] == "off_track"
    assert first["reasons"][0]["message"] == "No session in October 2026"
    assert "Pia Park" in first["team"]
    assert [i["title"] for i in client.get("/api/cadence?status=on_track").json()["items"]] == [
        "Peer team: Omar"
    ]
    assert client.get("/api/cadence?q=okafor&status=all").json()["count"] == 1
    wrong = client.get("/api/cadence?status=bad")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "status"


def test_the_api_refuses_others(signed_in, world, peer, teams):
    response = signed_in(peer.pia).get("/api/cadence")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only programme administrators see the cadence overview."


def test_an_engagement_s_cadence_for_whoever_sees_it(signed_in, world, peer, teams):
    url = f"/api/engagements/{peer.engagement.pk}/cadence"
    for person in (peer.pia, peer.sue, world.ada):
        body = signed_in(person).get(url).json()
        assert body["status"] == "off_track"
        assert body["reasons"][0]["month"] is None or body["reasons"][0]["message"]
    assert signed_in(world.bea).get(url).status_code == 404
    assert signed_in(world.tina).get(url).status_code == 404
