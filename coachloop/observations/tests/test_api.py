"""The observations API: start, autosave with the base revision (409 with the saved one when
stale), finish, discard, list with filters, detail and the evidence per action step, with the
same policy as the pages: what you may not read answers 404."""

import pytest

from coachloop.observations.models import Observation, ObservationStatus
from coachloop.testing.api import Api


@pytest.fixture
def api(client, world):
    made = {}

    def as_(name):
        if name not in made:
            made[name] = Api(client, getattr(world, name))
        return made[name]

    return as_


def base_url(engagement, rest=""):
    return f"/api/engagements/{engagement.pk}/observations{rest}"


def test_a_whole_observation_through_the_api(api, world, instructional, step):
    cora = api("cora")
    started = cora.send("post", base_url(instructional))
    assert started.status_code == 201
    obs = started.json()
    assert obs["status"] == "draft"
    assert obs["action_step"]["title"] == "Tight transitions"
    assert obs["coachee"]["id"] == world.tom.pk
    # Starting again reopens the draft.
    again = cora.send("post", base_url(instructional))
    assert again.status_code == 200
    assert again.json()["id"] == obs["id"]
    draft = base_url(instructional, f"/{obs['id']}/draft")
    moments = [{"at": "01:10", "text": "Silent line", "criterion": 0, "evidence": "for"}]
    saved = cora.send("put", draft, {"notes": "n", "moments": moments, "base": 0})
    assert saved.status_code == 200
    assert saved.json()["revision"] == 1
    stale = cora.send("put", draft, {"notes": "other device", "moments": [], "base": 0})
    assert stale.status_code == 409
    assert stale.json()["revision"] == 1
    assert "saved elsewhere" in stale.json()["detail"]
    bad = cora.send("put", draft, {"notes": "", "moments": [{"at": "x"}], "base": 1})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "moments"
    assert "Moment 1" in bad.json()["detail"]
    done = cora.send(
        "post",
        base_url(instructional, f"/{obs['id']}/finish"),
        {"notes": "n", "moments": moments, "base": 1, "visibility": "team"},
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "final"
    assert body["evidence_seen"] == 1
    assert body["moments"][0]["at"] == "00:01:10"
    assert body["duration_minutes"] >= 1
    evidence = cora.get(f"/api/engagements/{instructional.pk}/action-steps/{step.pk}/evidence")
    assert evidence.status_code == 200
    stats = evidence.json()
    assert stats["criteria"][0]["seen"] == 1
    assert stats["observations"][0]["cells"][0] == {"seen": 1, "not_yet": 0}


def test_the_api_refuses_who_may_not(api, world, instructional, step):
    assert api("tom").send("post", base_url(instructional)).status_code == 403
    assert "You don't coach" in api("lena").send("post", base_url(instructional)).json()["detail"]
    assert api("bea").send("post", base_url(instructional)).status_code == 404
    obs = api("cora").send("post", base_url(instructional)).json()
    # Cora's draft: nobody else reads, saves or discards it.
    for name in ("tom", "lena", "ada"):
        assert api(name).get(base_url(instructional, f"/{obs['id']}")).status_code == 404
        response = api(name).send(
            "put", base_url(instructional, f"/{obs['id']}/draft"), {"base": 0}
        )
        assert response.status_code == 404
    assert api("tom").get(base_url(instructional)).json()["items"] == []


def test_list_filters_and_hides_what_is_not_shared(api, world, instructional, step):
    cora = api("cora")
    first = cora.send("post", base_url(instructional)).json()
    cora.send(
        "post",
        base_url(instructional, f"/{first['id']}/finish"),
        {
            "moments": [{"at": "0:10", "criterion": 1, "evidence": "against"}],
            "base": 0,
            "visibility": "sponsors",
        },
    )
    second = cora.send("post", base_url(instructional)).json()
    listed = cora.get(base_url(instructional)).json()
    assert [o["id"] for o in listed["items"]] == [second["id"], first["id"]]
    assert [
        o["id"] for o in cora.get(base_url(instructional), evidence="against").json()["items"]
    ] == [first["id"]]
    assert [o["id"] for o in cora.get(base_url(instructional), status="draft").json()["items"]] == [
        second["id"]
    ]
    bad = cora.get(base_url(instructional), date_from="soon")
    assert bad.status_code in (400, 422)
    # The sponsor reads the shared observation, but not the team-only action step.
    lena = api("lena").get(base_url(instructional)).json()["items"]
    assert [o["id"] for o in lena] == [first["id"]]
    assert lena[0]["action_step"] is None
    assert (
        api("lena")
        .get(f"/api/engagements/{instructional.pk}/action-steps/{step.pk}/evidence")
        .status_code
        == 404
    )


def test_discard_through_the_api(api, world, instructional, step):
    cora = api("cora")
    obs = cora.send("post", base_url(instructional)).json()
    assert cora.send("delete", base_url(instructional, f"/{obs['id']}")).status_code == 204
    assert not Observation.objects.filter(pk=obs["id"]).exists()
    kept = cora.send("post", base_url(instructional)).json()
    cora.send("post", base_url(instructional, f"/{kept['id']}/finish"), {"base": 0})
    refused = cora.send("delete", base_url(instructional, f"/{kept['id']}"))
    assert refused.status_code == 409
    assert Observation.objects.get(pk=kept["id"]).status == ObservationStatus.FINAL
