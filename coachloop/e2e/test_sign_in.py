"""Sign in, see the dashboard, sign out; a coach passes the second factor."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import totp_now
from coachloop.testing.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(checked, email):
    checked.goto("/accounts/login/")
    page = checked.page
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_teacher_signs_in_sees_the_dashboard_and_signs_out(checked, world):
    sign_in(checked, "tom@a.test")
    page = checked.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.get_by_role("link", name="Coaching Tom")).to_be_visible()
    checked.axe()
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(checked.base_url + "/accounts/login/")
    checked.axe()


def test_a_wrong_password_is_explained_on_an_accessible_page(checked, world):
    checked.goto("/accounts/login/")
    page = checked.page
    page.get_by_label("Email").fill("tom@a.test")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_label("Email")).to_have_value("tom@a.test")
    checked.axe()


def test_a_coach_signs_in_with_an_authenticator_code(checked, world):
    from allauth.mfa.totp.internal.auth import TOTP

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(world.cora, secret)
    sign_in(checked, "cora@a.test")
    page = checked.page
    expect(page).to_have_url(checked.base_url + "/accounts/2fa/authenticate/")
    checked.axe()
    page.get_by_label("Code:").fill(totp_now(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your coachees")).to_be_visible()
    checked.axe()


def test_a_coach_without_a_second_factor_is_sent_to_set_one_up(checked, world):
    sign_in(checked, "cora@a.test")
    page = checked.page
    expect(page).to_have_url(checked.base_url + "/accounts/2fa/totp/activate/")
    expect(page.locator("#messages")).to_contain_text("requires a second factor")
    checked.axe()


def test_the_skip_link_is_the_first_stop_for_the_keyboard(checked, world):
    checked.goto("/accounts/login/")
    page = checked.page
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_not_found_page(checked, world):
    checked.goto("/no-such-page/")
    expect(checked.page.get_by_role("heading", name="Page not found")).to_be_visible()
