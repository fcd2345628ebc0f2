"""Each role's dashboard, and the empty states that say what to do next."""

from coachloop.testing.factories import UserFactory


def test_a_coach_sees_their_coachees(world, signed_in):
    content = signed_in(world.cora).get("/dashboard/").content
    assert b"Your coachees" in content
    assert b"Coaching Tom" in content


def test_a_sponsor_sees_what_they_sponsor(world, signed_in):
    assert b"Coaching you sponsor" in signed_in(world.lena).get("/dashboard/").content


def test_an_administrator_sees_the_programme_and_recent_activity(world, signed_in):
    content = signed_in(world.ada).get("/dashboard/").content
    assert b"Your programme" in content
    assert b"Import a roster" in content


def test_a_person_without_a_role_is_told_whom_to_ask(client, db):
    client.force_login(UserFactory())
    assert b"Ask your programme administrator" in client.get("/dashboard/").content


def test_a_teacher_not_in_coaching_is_told_what_will_appear(world, signed_in):
    assert b"not in a coaching engagement yet" in signed_in(world.tina).get("/dashboard/").content


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_error_pages_are_in_the_products_style(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Coachloop" in response.content


def test_health_check(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_administrators_import_button_opens_the_import_of_their_organisation(world, signed_in):
    content = signed_in(world.ada).get("/dashboard/").content.decode()
    assert f'href="/organisations/{world.district.pk}/import/"' in content


def test_an_administrator_outside_coaching_gets_no_coachee_empty_state(world, signed_in):
    content = signed_in(world.ada).get("/dashboard/").content
    assert b"not in a coaching engagement yet" not in content


def test_the_sign_in_page_offers_password_reset_once(client, db):
    assert client.get("/accounts/login/").content.count(b"/accounts/password/reset/") == 1
