"""Sign-in, password reset, rate limiting, session lifetime and the second-factor rule."""

import re
import time

import pytest
from django.core import mail
from django.test import Client, override_settings

from coachloop.organisations.models import Role
from coachloop.testing.factories import PASSWORD, MembershipFactory, UserFactory

LOGIN = "/accounts/login/"


@pytest.fixture
def teacher(world):
    return world.tom


def sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_a_teacher_signs_in_with_email_and_password_and_sees_the_dashboard(client, teacher):
    response = sign_in(client, "TOM@a.test")
    assert response.status_code == 302
    dashboard = client.get(response["Location"], follow=True)
    assert b"Coaching Tom" in dashboard.content


def test_a_wrong_password_keeps_the_email_and_says_what_is_wrong(client, teacher):
    response = sign_in(client, "tom@a.test", "wrong password")
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert b'value="tom@a.test"' in response.content


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, teacher):
    unknown = sign_in(client, "nobody@a.test", "wrong password").content.decode()
    wrong = sign_in(client, "tom@a.test", "wrong password").content.decode()

    def message(html):
        return re.search(r'class="form-errors" role="alert">(.*?)</div>', html, re.S).group(1)

    assert message(unknown) == message(wrong)


def test_failed_sign_ins_are_rate_limited(client, teacher):
    for _ in range(5):
        sign_in(client, "tom@a.test", "wrong password")
    response = sign_in(client, "tom@a.test", PASSWORD)  # even the right password is refused now
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client, teacher):
    response = client.post("/accounts/password/reset/", {"email": "tom@a.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body
    ).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert done.status_code == 302
    teacher.refresh_from_db()
    assert teacher.check_password("a new long passphrase")


def test_an_expired_or_used_reset_link_says_so(client, teacher):
    response = client.get("/accounts/password/reset/key/1-not-a-token/", follow=True)
    assert response.status_code == 200
    assert b"invalid" in response.content.lower()


def test_there_is_no_open_sign_up(client, db):
    response = client.get("/accounts/signup/")
    assert b"closed" in response.content.lower()


def test_a_session_ends_after_the_idle_limit(client, world, signed_in):
    client = signed_in(world.tom)
    session = client.session
    session["coachloop_seen"] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get("/people/").status_code == 302  # signed out for good


def test_a_session_ends_after_the_absolute_limit_even_if_active(client, world, signed_in):
    client = signed_in(world.tom)
    session = client.session
    session["coachloop_started"] = int(time.time()) - 13 * 3600
    session.save()
    assert client.get("/dashboard/")["Location"].startswith(LOGIN)


def test_an_active_session_continues(client, world, signed_in):
    client = signed_in(world.tom)
    session = client.session
    session["coachloop_seen"] = int(time.time()) - 25 * 60
    session.save()
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    "role", [Role.PROGRAMME_ADMIN, Role.COACH, Role.SCHOOL_LEADER, Role.DISTRICT_REP]
)
def test_privileged_roles_must_set_up_a_second_factor(client, world, role):
    user = UserFactory()
    MembershipFactory(user=user, organisation=world.oak, role=role)
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/api/me").status_code == 403


def test_sponsors_must_set_up_a_second_factor_whatever_their_role(client, world):
    world.lena.memberships.update(role=Role.TEACHER)  # a sponsor without a leader's role
    client.force_login(world.lena)
    assert client.get("/dashboard/").status_code == 302


def test_teachers_need_no_second_factor_by_default(client, world):
    client.force_login(world.tom)
    assert client.get("/dashboard/").status_code == 200


def test_an_organisation_can_require_a_second_factor_of_everyone(client, world):
    world.district.require_mfa_for_all = True
    world.district.save()
    client.force_login(world.tom)  # teacher at Oak, under the district
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/totp/activate/"


def test_sign_in_with_totp_for_a_coach(client, world):
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(world.cora, secret)
    response = sign_in(client, "cora@a.test")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert b"Incorrect code" in wrong.content
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    done = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert done.status_code == 302
    assert client.get("/dashboard/").status_code == 200


@override_settings(COACHLOOP_MFA_REQUIRED_ROLES=[])
def test_the_required_roles_are_a_setting(client, world):
    client.force_login(world.ada)
    assert client.get("/dashboard/").status_code == 200


def test_tokens_are_made_shown_once_and_revoked_on_the_owners_page(world, signed_in):
    client = signed_in(world.tom)
    response = client.post("/account/tokens/", {"name": "export", "read_only": "on"})
    raw = re.search(rb'value="(clp_[^"]+)"', response.content).group(1).decode()
    script = Client()  # a script has the token only, no session
    assert script.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert raw.encode() not in client.get("/account/tokens/").content
    token = world.tom.tokens.get()
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert script.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_one_cannot_revoke_someone_elses_token(world, signed_in):
    from coachloop.accounts.services import token_create

    token, _raw = token_create(user=world.tom, name="mine")
    assert signed_in(world.sam).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
