"""The instrument library in the browser, with axe on every page and after every change: Ada,
a programme administrator, browses the instruments, opens the leadership for learning survey,
copies it into her district, saves an edit with a duplicate item id (the problem is named by its
path and her text is kept), fixes it and saves version 2."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.surveys.library import sync_all_builtin
from coachloop.surveys.models import Instrument

pytestmark = pytest.mark.browser


def test_ada_copies_and_adapts_the_leadership_for_learning_survey(checked, world):
    if not Instrument.objects.filter(organisation=None, key="leadership-for-learning").exists():
        sync_all_builtin()
    page = checked.page
    sign_in(checked, world.ada)

    # The library: the five built-in instruments
    checked.goto("/instruments/")
    expect(page.get_by_role("cell", name="Built-in")).to_have_count(5)
    page.get_by_role("link", name="Leadership for learning survey", exact=True).click()
    expect(
        page.get_by_role("heading", name="Leadership for learning survey", level=1)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Monitoring teaching and learning")).to_be_visible()
    expect(page.get_by_role("heading", name="Who is asked what")).to_be_visible()
    checked.axe()

    # Copy it into the district
    page.get_by_role("link", name="Copy and adapt").first.click()
    checked.axe()
    page.get_by_label("Copy into").select_option(label="— Riverbend")
    page.get_by_label("Name of the copy").fill("Riverbend leadership survey")
    page.get_by_role("button", name="Make the copy").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "is a copy of Leadership for learning survey"
    )
    checked.axe()
    copy = Instrument.objects.get(organisation=world.district)

    # A broken edit: two items with the same key
    page.get_by_role("link", name="Edit as a file").click()
    checked.axe()
    area = page.get_by_label("The instrument file (YAML or JSON)")
    original = area.input_value()
    assert "key: focus-talk" in original
    broken = original.replace("key: focus-talk", "key: focus-goals", 1)
    area.fill(broken)
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("heading", name="1 problem to fix")).to_be_visible()
    expect(page.locator("#problems")).to_contain_text(
        'domains[0].items[1].key: another item already has key "focus-goals"'
    )
    expect(page.get_by_label("The instrument file (YAML or JSON)")).to_have_value(broken)
    checked.axe()
    copy.refresh_from_db()
    assert copy.current.number == 1

    # Fixed: the item gets a key of its own and new wording
    fixed = original.replace(
        "Conversations among leaders and staff centre on student learning.",
        "Conversations among our leaders and staff centre on what students learn.",
    )
    page.get_by_label("The instrument file (YAML or JSON)").fill(fixed)
    page.get_by_role("button", name="Check and save").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved as version 2")
    expect(
        page.get_by_text("Conversations among our leaders and staff centre on what students learn.")
    ).to_be_visible()
    checked.axe()
    copy.refresh_from_db()
    assert copy.current.number == 2

    # The upload page and the 360's page (a self column, written questions) pass axe too
    checked.goto("/instruments/upload/")
    three_sixty = Instrument.objects.get(organisation=None, key="leader-360")
    checked.goto(f"/instruments/{three_sixty.pk}/")
    expect(page.get_by_text("Self: I listen before deciding.")).to_be_visible()
