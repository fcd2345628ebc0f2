"""An administrator imports a roster and finds people, in the browser, with axe on every page."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import totp_now
from coachloop.organisations.models import Organisation
from coachloop.organisations.tests.test_oneroster_import import ORGS, USERS
from coachloop.testing.factories import PASSWORD
from coachloop.testing.personas import build_world

pytestmark = pytest.mark.browser
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def admin_page(checked, transactional_db):
    from allauth.mfa.totp.internal.auth import TOTP

    world = build_world()
    TOTP.activate(world.ada, SECRET)
    checked.goto("/accounts/login/")
    page = checked.page
    page.get_by_label("Email").fill("ada@a.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:").fill(totp_now(SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your programme")).to_be_visible()
    checked.axe()
    return checked, world


def test_an_administrator_imports_a_roster(admin_page, tmp_path):
    checked, world = admin_page
    page = checked.page
    (tmp_path / "orgs.csv").write_text(ORGS)
    (tmp_path / "users.csv").write_text(USERS)
    checked.goto(f"/organisations/{world.district.pk}/")
    page.get_by_role("link", name="Import a roster").click()
    checked.axe()
    page.get_by_label("orgs.csv").set_input_files(tmp_path / "orgs.csv")
    page.get_by_label("users.csv").set_input_files(tmp_path / "users.csv")
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    checked.axe()
    assert Organisation.objects.filter(sourced_id="s1", parent=world.district).exists()


def test_a_bad_roster_lists_its_problems(admin_page, tmp_path):
    checked, world = admin_page
    page = checked.page
    (tmp_path / "orgs.csv").write_text(ORGS + "s9,active,,Lost,school,,nowhere\n")
    (tmp_path / "users.csv").write_text(USERS)
    checked.goto(f"/organisations/{world.district.pk}/import/")
    page.get_by_label("orgs.csv").set_input_files(tmp_path / "orgs.csv")
    page.get_by_label("users.csv").set_input_files(tmp_path / "users.csv")
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown parent organisation nowhere")
    checked.axe()
    assert not Organisation.objects.filter(sourced_id="s1").exists()


def test_people_search_updates_as_you_type(admin_page):
    checked, _world = admin_page
    page = checked.page
    checked.goto("/people/")
    page.get_by_label("Search by name or email").fill("lena")
    expect(page.locator("#results")).to_contain_text("lena@a.test")
    expect(page.locator("#results")).not_to_contain_text("tom@a.test")
    checked.axe()


def test_admin_pages_pass_axe(admin_page):
    checked, world = admin_page
    for path in (
        "/organisations/",
        f"/organisations/{world.district.pk}/",
        f"/organisations/{world.district.pk}/edit/",
        f"/people/{world.tom.pk}/",
        f"/people/{world.tom.pk}/edit/",
        "/people/new/",
        "/engagements/",
        world.engagement.get_absolute_url(),
        world.notes["programme"].get_absolute_url(),
        "/audit/",
        "/account/tokens/",
    ):
        checked.goto(path)


def test_a_person_is_added_through_the_form(admin_page):
    checked, _world = admin_page
    page = checked.page
    checked.goto("/people/new/")
    page.get_by_label("Email").fill("nia@a.test")
    page.get_by_label("Given name").fill("Nia")
    page.get_by_label("Family name").fill("New")
    page.get_by_label("Organisation").select_option(label="— — Elm")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("was added")
    checked.axe()
