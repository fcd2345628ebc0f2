"""Peer coaching through the API and the programme administrator's pages: goals with their
revision lock, monthly assignments (set by administrators only) and each member's completion,
and a new team made from the form, with its bad input."""

import json

import pytest

from coachloop.engagements.models import Participant, ParticipantRole
from coachloop.peer.models import AssignmentCompletion, Goal
from coachloop.testing.api import Api


@pytest.fixture
def as_(client, peer, world):
    people = {
        "pia": peer.pia,
        "paul": peer.paul,
        "sue": peer.sue,
        "ada": world.ada,
        "bea": world.bea,
    }
    return lambda name: Api(client, people[name])


def test_a_member_writes_a_goal_and_a_stale_update_is_refused(as_, peer):
    pia = as_("pia")
    base = f"/api/engagements/{peer.engagement.pk}/goals"
    made = pia.send(
        "post",
        base,
        {"title": "Lead data meetings weekly", "source": "Leadership 360", "measure": "Agendas"},
    )
    assert made.status_code == 201, made.content
    goal = made.json()
    assert goal["revision"] == 0
    # Paul updates Pia's goal (partners write each other's goals)...
    paul = as_("paul")
    first = paul.send(
        "put",
        f"{base}/{goal['id']}",
        {"title": "Lead data meetings every week", "source": "Leadership 360", "base": 0},
    )
    assert first.status_code == 200, first.content
    # ...and Pia, still on revision 0, is told rather than overwriting him.
    stale = pia.send(
        "put", f"{base}/{goal['id']}", {"title": "Mine", "source": "Leadership 360", "base": 0}
    )
    assert stale.status_code == 409
    assert Goal.objects.get(pk=goal["id"]).title == "Lead data meetings every week"
    # A source outside the playbook's list is refused, naming the field.
    bad = pia.send("post", base, {"title": "x", "source": "Horoscope"})
    assert bad.status_code in (400, 422)
    assert "source" in json.dumps(bad.json()["errors"])


def test_the_supervisor_reads_goals_but_does_not_write_them(as_, peer):
    pia = as_("pia")
    base = f"/api/engagements/{peer.engagement.pk}/goals"
    pia.send("post", base, {"title": "Coach my leadership team", "source": "DISC assessment"})
    sue = as_("sue")
    listed = sue.get(base)
    assert listed.status_code == 200
    assert [g["title"] for g in listed.json()] == ["Coach my leadership team"]
    refused = sue.send("post", base, {"title": "Hers", "source": "DISC assessment"})
    assert refused.status_code == 403
    assert as_("bea").get(base).status_code == 404


def test_assignments_are_set_by_administrators_and_completed_by_members(as_, peer):
    programme = peer.engagement.programme
    path = f"/api/programmes/{programme.pk}/assignments"
    body = {
        "month": "2026-10-01",
        "title": "Review your plan with your supervisor",
        "interaction": "supervisor",
    }
    assert as_("pia").send("post", path, body).status_code == 403
    made = as_("ada").send("post", path, body)
    assert made.status_code == 201, made.content
    assignment = made.json()["id"]

    done = f"/api/engagements/{peer.engagement.pk}/assignments/{assignment}/completion"
    # It asks for the supervisor: not done until the member says they had that conversation.
    missing = as_("pia").send("post", done, {"interaction_done": False})
    assert missing.status_code in (400, 422)
    assert not AssignmentCompletion.objects.exists()
    assert as_("pia").send("post", done, {"interaction_done": True}).status_code in (200, 201)
    assert as_("pia").send("post", done, {"interaction_done": True}).status_code in (200, 201)
    assert AssignmentCompletion.objects.filter(member=peer.pia).count() == 1
    # The supervisor sees who completed it (metadata) but completes nothing.
    listed = as_("sue").get(f"/api/engagements/{peer.engagement.pk}/assignments")
    assert listed.status_code == 200
    assert "Review your plan with your supervisor" in listed.content.decode()
    assert as_("sue").send("post", done, {"interaction_done": True}).status_code == 403
    undone = as_("pia").send("delete", done)
    assert undone.status_code == 204
    assert not AssignmentCompletion.objects.exists()


def test_an_administrator_makes_a_team_from_the_form(world, peer, signed_in):
    from coachloop.organisations.models import Role
    from coachloop.testing.factories import MembershipFactory, UserFactory

    programme = peer.engagement.programme
    una = UserFactory(email="una@a.test", given_name="Una", family_name="Vale")
    vic = UserFactory(email="vic@a.test", given_name="Vic", family_name="Webb")
    for leader in (una, vic):
        MembershipFactory(user=leader, organisation=world.district, role=Role.SCHOOL_LEADER)
    client = signed_in(world.ada)
    url = f"/programmes/{programme.pk}/teams/new/"
    assert client.get(url).status_code == 200

    # One member is not a team: refused, with what was typed kept.
    one = client.post(url, {"members": [una.pk], "starts_on": "2026-10-01", "title": "Solo"})
    assert one.status_code == 422
    assert 'value="Solo"' in one.content.decode()

    made = client.post(
        url,
        {
            "members": [una.pk, vic.pk],
            "supervisors": [peer.sue.pk],
            "starts_on": "2026-10-01",
        },
    )
    assert made.status_code == 302
    roles = set(
        Participant.objects.filter(user__in=[una, vic], engagement__programme=programme)
        .values_list("user__email", "role")
        .distinct()
    )
    assert roles == {
        ("una@a.test", ParticipantRole.COACH),
        ("una@a.test", ParticipantRole.COACHEE),
        ("vic@a.test", ParticipantRole.COACH),
        ("vic@a.test", ParticipantRole.COACHEE),
    }
    # A member of the team may not make teams.
    assert signed_in(peer.pia).get(url).status_code == 403
