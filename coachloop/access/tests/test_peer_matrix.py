"""Peer coaching confidentiality as a matrix: each persona against a team note, session
minutes, a goal and an effectiveness rating, through the policy's querysets, the team page and
the API. Supervisors (Sue) and the district representative (Dan) see goals and levels, never
team notes or minutes; the programme administrator (Ada) sees the team exists, not its content;
outsiders (Cora, Tom) and another tenant (Bea) see nothing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from coachloop.access import policy
from coachloop.accounts.services import token_create
from coachloop.engagements.services import note_create
from coachloop.meetings.services import meeting_record, meeting_schedule
from coachloop.peer import services

NOTE = "TEAM-NOTE-MARKER"
MINUTES = "MINUTES-MARKER"
GOAL = "Coach my assistant principals"
NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)

PEOPLE = ("pia", "paul", "sue", "dan", "ada", "cora", "tom", "bea")
#: who reads what: team content (notes, minutes) and sponsors content (goals, ratings)
TEAM = {"pia", "paul"}
SPONSORS = TEAM | {"sue", "dan"}
SEES_TEAM_PAGE = SPONSORS | {"ada"}


@pytest.fixture
def content(peer, world):
    e = peer.engagement
    with time_machine.travel(NOW, tick=False):
        note = note_create(actor=peer.pia, engagement=e, title="Ours", body=NOTE, visibility="team")
        meeting = meeting_schedule(
            actor=peer.paul,
            engagement=e,
            meeting_type="session",
            starts_at=datetime.datetime(2026, 10, 12, 16, tzinfo=datetime.UTC),
            mode="in_person",
        )
        meeting = meeting_record(
            actor=peer.paul,
            meeting=meeting,
            stage_notes=[MINUTES for _s in meeting.agenda],
            summary=MINUTES,
        )
    goal = services.goal_create(
        actor=peer.pia, engagement=e, member=peer.pia, title=GOAL, source="Leadership 360"
    )
    rating = services.rating_save(
        actor=peer.paul,
        engagement=e,
        subject=peer.pia,
        point="start",
        levels={"reaction": {"rating": 4, "indicators": [True, True, True]}},
    )
    return {"note": note, "meeting": meeting, "goal": goal, "rating": rating}


def _person(peer, world, name):
    return getattr(peer, name, None) or getattr(world, name)


@pytest.mark.parametrize("name", PEOPLE)
def test_policy_querysets(peer, world, content, name):
    user = _person(peer, world, name)
    assert policy.notes_visible_to(user).filter(pk=content["note"].pk).exists() == (name in TEAM)
    assert policy.meeting_minutes_visible_to(user).filter(pk=content["meeting"].pk).exists() == (
        name in TEAM
    )
    assert policy.goals_visible_to(user).filter(pk=content["goal"].pk).exists() == (
        name in SPONSORS
    )
    assert policy.effectiveness_ratings_visible_to(user).filter(
        pk=content["rating"].pk
    ).exists() == (name in SPONSORS)


@pytest.mark.parametrize("name", PEOPLE)
def test_team_page(peer, world, content, signed_in, name):
    user = _person(peer, world, name)
    response = signed_in(user).get(reverse("peer_team", args=[peer.engagement.pk]))
    if name not in SEES_TEAM_PAGE:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTE not in html
    assert MINUTES not in html
    assert (GOAL in html) == (name in SPONSORS)
    assert ("3 of 3 seen" in html) == (name in SPONSORS)  # the rating of level 1
    assert "Peer coaching session" in html  # that a session happened is metadata


@pytest.mark.parametrize("name", PEOPLE)
def test_api(peer, world, content, client, name):
    user = _person(peer, world, name)
    _token, raw = token_create(user=user, name="test", read_only=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    base = f"/api/engagements/{peer.engagement.pk}"
    team = client.get(f"{base}/team", **headers)
    goals = client.get(f"{base}/goals", **headers)
    ratings = client.get(f"{base}/ratings", **headers)
    if name not in SEES_TEAM_PAGE:
        assert {team.status_code, goals.status_code, ratings.status_code} == {404}
        return
    assert team.status_code == goals.status_code == ratings.status_code == 200
    body = team.content.decode()
    assert NOTE not in body
    assert MINUTES not in body
    assert (GOAL in body) == (name in SPONSORS)
    assert [g["title"] for g in goals.json()] == ([GOAL] if name in SPONSORS else [])
    assert len(ratings.json()) == (1 if name in SPONSORS else 0)
