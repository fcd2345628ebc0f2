"""The meetings API: scheduling in a time zone with participants and a submission key, moving,
cancelling with a reason, attendance and agreed next steps, through the same services."""

import uuid

import pytest

from coachloop.meetings.models import FollowUp, Meeting
from coachloop.testing.api import Api


@pytest.fixture
def as_(client, peer, world):
    people = {"pia": peer.pia, "paul": peer.paul, "sue": peer.sue, "ben": world.ben}
    return lambda name: Api(client, people[name])


def url(peer, rest=""):
    return f"/api/engagements/{peer.engagement.pk}/meetings{rest}"


SESSION = {
    "meeting_type": "session",
    "starts_at": "2026-10-06T16:00:00",
    "time_zone": "Europe/London",
    "ends_at": "2026-10-06T17:30:00",
    "mode": "video",
    "link": "https://meet.example.org/team",
}


def test_schedule_with_zone_participants_and_one_submission(as_, peer):
    key = str(uuid.uuid4())
    body = {**SESSION, "participants": [peer.pia.pk, peer.paul.pk], "submission": key}
    first = as_("pia").post(url(peer), body)
    assert first.status_code == 201, first.content
    made = first.json()
    assert made["starts_at"].startswith("2026-10-06T15:00:00")
    assert (made["time_zone"], made["length_minutes"], made["sequence"]) == ("Europe/London", 90, 0)
    assert made["link"] == "https://meet.example.org/team"
    assert {p["person"]["id"] for p in made["participants"]} == {peer.pia.pk, peer.paul.pk}
    again = as_("pia").post(url(peer), body)
    assert again.json()["id"] == made["id"]
    assert Meeting.objects.count() == 1


def test_bad_input_answers_with_the_field(as_, peer, world):
    cases = [
        ({"ends_at": "2026-10-06T15:00:00"}, "ends_at", "The meeting ends before it starts."),
        ({"starts_at": "2026-03-29T01:30:00", "ends_at": None}, "starts_at", None),
        ({"participants": [peer.pia.pk, world.ben.pk]}, "participants", None),
        ({"link": "javascript:alert(1)"}, "link", None),
        ({"time_zone": "Mars/Olympus"}, "time_zone", None),
    ]
    for change, field, message in cases:
        response = as_("pia").post(url(peer), {**SESSION, **change})
        assert response.status_code == 400, change
        errors = response.json()["errors"]
        assert errors[0]["field"] == field
        if message:
            assert errors[0]["message"] == message
    outsider = as_("pia").post(url(peer), {**SESSION, "participants": [world.ben.pk]})
    assert str(world.ben) not in outsider.content.decode()
    assert not Meeting.objects.exists()


def test_reschedule_cancel_and_attendance(as_, peer):
    made = as_("pia").post(url(peer), SESSION).json()
    moved = as_("paul").post(
        url(peer, f"/{made['id']}/reschedule"),
        {"starts_at": "2026-10-08T09:00:00", "length_minutes": 45, "reason": "Clash"},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["sequence"] == 1
    assert moved.json()["starts_at"].startswith("2026-10-08T08:00:00")
    assert moved.json()["length_minutes"] == 45
    assert as_("sue").post(url(peer, f"/{made['id']}/cancel"), {"reason": "x"}).status_code == 403
    no_reason = as_("pia").post(url(peer, f"/{made['id']}/cancel"), {})
    assert no_reason.status_code == 400
    assert no_reason.json()["errors"][0]["field"] == "reason"
    cancelled = as_("pia").post(url(peer, f"/{made['id']}/cancel"), {"reason": "Snow"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["sequence"] == 2
    assert cancelled.json()["reason"] == "Snow"
    again = as_("pia").post(url(peer, f"/{made['id']}/reschedule"), {"starts_at": None})
    assert again.status_code == 409
    # Attendance, once a meeting has taken place, for its participants only.
    past = (
        as_("pia")
        .post(url(peer), {**SESSION, "starts_at": "2026-09-02T10:00:00", "ends_at": None})
        .json()
    )
    stranger = as_("pia").post(
        url(peer, f"/{past['id']}/attendance"), {"attended": {str(peer.sue.pk): True}}
    )
    assert stranger.status_code == 400
    recorded = as_("pia").post(
        url(peer, f"/{past['id']}/attendance"),
        {"attended": {str(peer.pia.pk): True, str(peer.paul.pk): False}},
    )
    assert recorded.status_code == 200
    assert {p["person"]["id"]: p["attended"] for p in recorded.json()["participants"]} == {
        peer.pia.pk: True,
        peer.paul.pk: False,
    }
    # The supervisor sees attendance (metadata) in the listing.
    listing = as_("sue").get(url(peer)).json()["items"]
    assert any(p["attended"] is False for m in listing for p in m["participants"])


def test_follow_ups_reach_the_team_only(as_, peer):
    past = {**SESSION, "starts_at": "2026-09-02T10:00:00", "ends_at": None}
    made = as_("pia").post(url(peer), past).json()
    added = as_("pia").post(
        url(peer, f"/{made['id']}/follow-ups"),
        {"text": "Paul drafts the survey", "owner": peer.paul.pk, "due_on": "2026-09-30"},
    )
    assert added.status_code == 201, added.content
    item = added.json()
    assert (item["visibility"], item["owner"]["id"]) == ("team", peer.paul.pk)
    bad_owner = as_("pia").post(
        url(peer, f"/{made['id']}/follow-ups"), {"text": "x", "owner": peer.sue.pk}
    )
    assert bad_owner.status_code == 400
    assert bad_owner.json()["errors"][0]["field"] == "owner"
    listing = f"/api/engagements/{peer.engagement.pk}/follow-ups"
    assert [f["id"] for f in as_("paul").get(listing).json()["items"]] == [item["id"]]
    assert as_("sue").get(listing).json()["items"] == []
    done_url = f"/api/engagements/{peer.engagement.pk}/follow-ups/{item['id']}/done"
    assert as_("sue").post(done_url, {"done": True}).status_code == 404
    done = as_("paul").post(done_url, {"done": True})
    assert done.status_code == 200
    assert done.json()["done_at"] is not None
    assert as_("pia").post(done_url, {"done": False}).json()["done_at"] is None
    assert as_("ben").get(listing).status_code == 404
    assert FollowUp.objects.count() == 1
