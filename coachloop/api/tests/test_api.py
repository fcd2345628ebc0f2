"""The API: tokens (missing, revoked, read-only), the same policy as the pages, clear errors."""

import pytest

from coachloop.accounts.services import token_create, token_revoke
from coachloop.organisations.models import Membership, Role


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def ada_token(world):
    _token, raw = token_create(user=world.ada, name="script", read_only=False)
    return raw


def test_without_a_token_the_api_answers_401_with_how_to_authenticate(client, world):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_wrong_token_answers_401(client, world):
    assert client.get("/api/me", **bearer("clp_not-a-real-token")).status_code == 401


def test_a_revoked_token_stops_working(client, world):
    token, raw = token_create(user=world.tom, name="old")
    assert client.get("/api/me", **bearer(raw)).status_code == 200
    token_revoke(user=world.tom, token=token)
    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_a_token_of_a_deactivated_person_stops_working(client, world):
    _token, raw = token_create(user=world.tom, name="t")
    world.tom.is_active = False
    world.tom.save()
    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_me_lists_roles_and_memberships(client, world):
    _token, raw = token_create(user=world.tom, name="t")
    body = client.get("/api/me", **bearer(raw)).json()
    assert body["email"] == "tom@a.test"
    assert body["roles"] == ["teacher"]
    assert body["memberships"][0]["organisation_name"] == "Oak"
    assert body["second_factor_required"] is False


def test_people_are_filtered_by_tenancy(client, world):
    _token, raw = token_create(user=world.ben, name="t")
    emails = {p["email"] for p in client.get("/api/people", **bearer(raw)).json()["items"]}
    assert emails == {"ben@b.test"}  # Bea sits above Pine, at Faraway: outside his scope


def test_another_tenants_person_answers_404_like_a_missing_one(client, world, ada_token):
    hidden = client.get(f"/api/people/{world.ben.pk}", **bearer(ada_token))
    missing = client.get("/api/people/999999", **bearer(ada_token))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_organisations_list_and_search(client, world, ada_token):
    body = client.get("/api/organisations?q=oak", **bearer(ada_token)).json()
    assert [o["name"] for o in body["items"]] == ["Oak"]
    assert client.get(f"/api/organisations/{world.pine.pk}", **bearer(ada_token)).status_code == 404


def test_an_administrator_adds_a_person(client, world, ada_token):
    payload = {
        "email": "New.Person@A.test",
        "given_name": "New",
        "family_name": "Person",
        "organisation_id": world.oak.pk,
        "role": "teacher",
    }
    response = client.post(
        "/api/people", payload, content_type="application/json", **bearer(ada_token)
    )
    assert response.status_code == 201
    assert response.json()["email"] == "new.person@a.test"
    assert Membership.objects.filter(user__email="new.person@a.test", role=Role.TEACHER).exists()


def test_bad_input_gets_field_by_field_errors(client, world, ada_token):
    payload = {
        "email": "nope",
        "given_name": "",
        "family_name": "X",
        "organisation_id": world.oak.pk,
        "role": "teacher",
    }
    response = client.post(
        "/api/people", payload, content_type="application/json", **bearer(ada_token)
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "given_name" in fields


def test_an_invalid_email_is_refused_by_the_service_with_a_message(client, world, ada_token):
    payload = {
        "email": "nope",
        "given_name": "A",
        "family_name": "B",
        "organisation_id": world.oak.pk,
        "role": "teacher",
    }
    response = client.post(
        "/api/people", payload, content_type="application/json", **bearer(ada_token)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "email", "message": "Enter a valid email address."}
    ]


def test_a_read_only_token_cannot_write(client, world):
    _token, raw = token_create(user=world.ada, name="ro", read_only=True)
    payload = {
        "email": "x@a.test",
        "given_name": "X",
        "family_name": "Y",
        "organisation_id": world.oak.pk,
        "role": "teacher",
    }
    response = client.post("/api/people", payload, content_type="application/json", **bearer(raw))
    assert response.status_code == 401
    assert not Membership.objects.filter(user__email="x@a.test").exists()


def test_a_teacher_may_see_but_not_change_a_colleague(client, world):
    _token, raw = token_create(user=world.sam, name="rw", read_only=False)
    response = client.patch(
        f"/api/people/{world.tom.pk}",
        {"given_name": "Hacked"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    world.tom.refresh_from_db()
    assert world.tom.given_name != "Hacked"


def test_memberships_can_be_added_and_ended(client, world, ada_token):
    response = client.post(
        "/api/memberships",
        {"user_id": world.tom.pk, "organisation_id": world.elm.pk, "role": "teacher"},
        content_type="application/json",
        **bearer(ada_token),
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    again = client.post(
        "/api/memberships",
        {"user_id": world.tom.pk, "organisation_id": world.elm.pk, "role": "teacher"},
        content_type="application/json",
        **bearer(ada_token),
    )
    assert again.status_code == 400
    assert "already" in again.json()["detail"]
    ended = client.delete(f"/api/memberships/{pk}", **bearer(ada_token))
    assert ended.status_code == 200
    assert ended.json()["is_active"] is False


def test_session_auth_needs_the_csrf_token_for_writes(world, signed_in):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.tom)
    assert client.get("/api/me").status_code == 200
    response = client.patch(
        f"/api/people/{world.tom.pk}", {"given_name": "X"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_the_openapi_schema_and_docs_are_published(client, db):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/people" in schema.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_engagements_follow_the_policy(client, world):
    _token, raw = token_create(user=world.tom, name="t")
    assert [e["title"] for e in client.get("/api/engagements", **bearer(raw)).json()["items"]] == [
        "Coaching Tom"
    ]
    _token, raw = token_create(user=world.sam, name="t")
    assert client.get("/api/engagements", **bearer(raw)).json()["items"] == []
