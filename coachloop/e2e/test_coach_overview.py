"""The coach overview and a coach's development page in the browser, with axe on every page:
Ada opens the overview from the main navigation, searches, orders by a column, exports the list,
then opens Cora's development page; Cora opens her own from "My development"."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coachloop.coaches.tests.test_overview import FUNCTIONS, profile_score
from coachloop.e2e.conftest import sign_in

pytestmark = pytest.mark.browser


def test_ada_searches_orders_and_exports_the_overview_then_opens_cora(
    checked, world, coachdev, tmp_path
):
    profile_score(
        coachdev.development,
        world.cora,
        coachdev.lola,
        "lead",
        dict.fromkeys(FUNCTIONS, 3),
        on=dt.date(2026, 9, 20),
    )
    page = checked.page
    sign_in(checked, world.ada)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaches").click()
    expect(page.get_by_role("heading", level=1, name="Coaches")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Coaches of Instructional coaching").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaches of Instructional coaching")
    expect(page.get_by_text("2 coaches")).to_be_visible()
    checked.axe()

    # search: the list updates as one types
    page.get_by_label("Search by name or email").fill("carl@a.test")
    expect(page.get_by_text("1 coach", exact=True)).to_be_visible()
    expect(page.get_by_role("rowheader", name="carl@a.test")).to_be_visible()
    expect(page.get_by_role("rowheader", name=world.cora.email)).to_have_count(0)
    checked.axe()

    # the export holds exactly the coaches listed
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = Path(tmp_path) / "coaches.csv"
    download.value.save_as(saved)
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert table[0][:3] == ["Coach", "Email", "Active engagements"]
    assert [row[1] for row in table[1:]] == ["carl@a.test"]

    # every coach, ordered by a column heading: most active engagements first
    page.get_by_label("Search by name or email").fill("")
    expect(page.get_by_text("2 coaches")).to_be_visible()
    page.get_by_role("link", name="Active engagements").click()
    expect(page.get_by_role("columnheader", name="Active engagements")).to_have_attribute(
        "aria-sort", "descending"
    )
    first = page.locator("table.coach-overview tbody tr").first
    expect(first.get_by_role("rowheader")).to_contain_text(world.cora.email)
    expect(first).to_contain_text("Lead 3")
    checked.axe()

    first.get_by_role("link", name=str(world.cora)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{world.cora}: development")
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    expect(page.locator("dd", has_text=str(coachdev.lola))).to_be_visible()
    checked.axe()


def test_cora_opens_her_own_development_page(checked, world, coachdev):
    page = checked.page
    sign_in(checked, world.cora)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My development").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My development")
    expect(page.get_by_text("6 active engagements coached")).to_be_visible()
    checked.axe()
