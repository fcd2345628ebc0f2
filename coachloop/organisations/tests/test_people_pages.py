"""People and organisation pages: what an administrator does, with bad input kept and explained."""

import io

import pytest
from django.test import override_settings

from coachloop.access.models import AuditEvent
from coachloop.accounts.models import User
from coachloop.organisations.models import Membership, Organisation, Role
from coachloop.organisations.tests.test_oneroster_import import ORGS, USERS


@pytest.fixture
def ada(world, signed_in):
    return signed_in(world.ada)


def test_people_list_searches_and_filters(world, ada):
    response = ada.get("/people/?q=tom")
    assert b"tom@a.test" in response.content
    assert b"lena@a.test" not in response.content
    by_role = ada.get("/people/?role=school_leader").content
    assert b"lena@a.test" in by_role
    assert b"tom@a.test" not in by_role
    assert b"ben@b.test" not in ada.get("/people/").content


def test_people_search_answers_htmx_with_the_results_fragment_only(world, ada):
    response = ada.get("/people/?q=tom", HTTP_HX_REQUEST="true")
    assert b"tom@a.test" in response.content
    assert b"<html" not in response.content


def test_an_empty_search_tells_what_to_do(world, ada):
    assert b"Nobody matches" in ada.get("/people/?q=zzzz").content


def test_an_administrator_adds_a_person_and_it_is_audited(world, ada):
    response = ada.post(
        "/people/new/",
        {
            "email": "Nia@A.test",
            "given_name": "Nia",
            "family_name": "New",
            "organisation": world.elm.pk,
            "role": Role.TEACHER,
        },
    )
    nia = User.objects.get(email="nia@a.test")
    assert response["Location"] == f"/people/{nia.pk}/"
    assert not nia.has_usable_password()
    assert AuditEvent.objects.filter(action="membership.add", actor=world.ada).exists()


def test_bad_input_is_explained_and_what_was_typed_is_kept(world, ada):
    response = ada.post(
        "/people/new/",
        {
            "email": "not-an-email",
            "given_name": "Keep Me",
            "family_name": "",
            "organisation": world.elm.pk,
            "role": Role.TEACHER,
        },
    )
    assert response.status_code == 422
    assert b"Enter a valid email address" in response.content
    assert b'value="Keep Me"' in response.content
    assert not User.objects.filter(given_name="Keep Me").exists()


def test_a_teacher_cannot_add_people(world, signed_in):
    assert signed_in(world.tom).get("/people/new/").status_code == 403


def test_one_cannot_add_people_to_another_tenants_school(world, ada):
    response = ada.post(
        "/people/new/",
        {
            "email": "x@a.test",
            "given_name": "X",
            "family_name": "Y",
            "organisation": world.pine.pk,
            "role": Role.TEACHER,
        },
    )
    assert response.status_code == 422
    assert b"Select a valid choice" in response.content
    assert not User.objects.filter(email="x@a.test").exists()


def test_adding_the_same_role_twice_says_so(world, ada):
    response = ada.post(
        f"/people/{world.tom.pk}/roles/", {"organisation": world.oak.pk, "role": Role.TEACHER}
    )
    assert response.status_code == 422
    assert b"already teacher in Oak" in response.content


def test_ending_a_role_asks_for_confirmation_and_can_be_undone(world, ada):
    membership = Membership.objects.get(user=world.tom)
    confirm = ada.get(f"/roles/{membership.pk}/end/")
    assert b"End this role?" in confirm.content
    membership.refresh_from_db()
    assert membership.is_active
    ada.post(f"/roles/{membership.pk}/end/")
    membership.refresh_from_db()
    assert not membership.is_active
    ada.post(f"/people/{world.tom.pk}/roles/", {"organisation": world.oak.pk, "role": Role.TEACHER})
    membership.refresh_from_db()
    assert membership.is_active


def test_the_last_administrator_cannot_remove_themself(world, ada):
    membership = Membership.objects.get(user=world.ada)
    response = ada.post(f"/roles/{membership.pk}/end/", follow=True)
    assert b"last programme administrator" in response.content
    membership.refresh_from_db()
    assert membership.is_active


def test_editing_a_person_refuses_an_email_in_use(world, ada):
    response = ada.post(
        f"/people/{world.tom.pk}/edit/",
        {"email": "lena@a.test", "given_name": "Tom", "family_name": "T", "is_active": "on"},
    )
    assert response.status_code == 422
    assert b"Another person already uses this email address" in response.content


def test_an_administrator_adds_a_school_under_the_district(world, ada):
    ada.post(
        f"/organisations/{world.district.pk}/new/",
        {"name": "Ash", "kind": "school", "identifier": ""},
    )
    ash = Organisation.objects.get(name="Ash")
    assert ash.parent == world.district
    assert ash.path == f"{world.district.path}{ash.pk}/"


def test_a_district_cannot_be_added_under_a_school(world, ada):
    response = ada.post(
        f"/organisations/{world.oak.pk}/new/", {"name": "Odd", "kind": "district", "identifier": ""}
    )
    assert response.status_code == 422
    assert b"cannot sit under" in response.content


def upload(name, content):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_roster_upload_through_the_page_reports_counts(world, ada):
    response = ada.post(
        f"/organisations/{world.provider.pk}/import/",
        {"orgs": upload("orgs.csv", ORGS.encode()), "users": upload("users.csv", USERS.encode())},
    )
    # Ada administers the district, not the provider: the provider's import is not hers.
    assert response.status_code == 404
    response = ada.post(
        f"/organisations/{world.district.pk}/import/",
        {"orgs": upload("orgs.csv", ORGS.encode()), "users": upload("users.csv", USERS.encode())},
    )
    assert response.status_code == 200
    assert b"The roster was imported" in response.content
    world.district.refresh_from_db()
    assert world.district.sourced_id == "d1"  # the file's district row is this district


def test_roster_problems_are_listed_on_the_page(world, ada):
    response = ada.post(
        f"/organisations/{world.district.pk}/import/",
        {
            "orgs": upload("orgs.csv", (ORGS + "s9,active,,Lost,school,,nowhere\n").encode()),
            "users": upload("users.csv", USERS.encode()),
        },
    )
    assert response.status_code == 422
    assert b"Nothing was imported" in response.content
    assert b"Unknown parent organisation nowhere" in response.content


def test_roster_upload_into_the_district_succeeds(world, ada):
    orgs = ORGS.replace("d1,active,2026-09-01,Riverbend Unified,district,RUSD,\n", "")
    orgs = orgs.replace(",d1\n", ",\n")
    users = USERS.replace(
        "u3,active,2026-09-01,true,d1,administrator,dan,,Dan,Rep,,,dan@rusd.test,,,,,,\n", ""
    )
    users = users.replace('"s1,s2"', "s1")
    response = ada.post(
        f"/organisations/{world.district.pk}/import/",
        {"orgs": upload("orgs.csv", orgs.encode()), "users": upload("users.csv", users.encode())},
    )
    assert response.status_code == 200, response.content.decode()[-2000:]
    assert b"The roster was imported" in response.content
    assert Organisation.objects.get(sourced_id="s1").parent == world.district


@override_settings(COACHLOOP_MAX_UPLOAD_BYTES=100)
def test_an_oversized_upload_is_refused_with_the_limit(world, ada):
    response = ada.post(
        f"/organisations/{world.district.pk}/import/",
        {"orgs": upload("orgs.csv", ORGS.encode()), "users": upload("users.csv", USERS.encode())},
    )
    assert response.status_code == 422
    assert b"the limit is 100" in response.content


def test_a_missing_file_is_explained(world, ada):
    response = ada.post(
        f"/organisations/{world.district.pk}/import/", {"orgs": upload("orgs.csv", ORGS.encode())}
    )
    assert response.status_code == 422
    assert b"Choose orgs.csv and users.csv" in response.content


def test_a_broken_zip_is_explained(world, ada):
    response = ada.post(
        f"/organisations/{world.district.pk}/import/", {"bundle": upload("r.zip", b"PK not really")}
    )
    assert response.status_code == 422
    assert b"not a zip file" in response.content
