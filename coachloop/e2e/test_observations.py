"""Observations in the browser, on a phone-sized screen, with axe on every page: Cora starts an
observation of Tom's current action step, types, taps Seen and Not yet, loses the connection and
keeps typing (kept on the device, sent when back online), reloads, finishes, filters the history
and reads how often each success criterion was seen."""

import re

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import Checked, sign_in
from coachloop.observations.models import Observation, ObservationStatus
from coachloop.observations.tests.conftest import make_step
from coachloop.testing.personas import build_instructional

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (390 by 844, touch) checked with axe after each navigation."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Checked(page, live_server.url)
    context.close()


def saved(page):
    expect(page.locator("#obs-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))


def test_cora_observes_tom_on_her_phone_through_a_dropped_connection(phone, world):
    engagement = build_instructional(world)
    step = make_step(world, engagement)
    page = phone.page
    sign_in(phone, world.cora)

    phone.goto(f"/engagements/{engagement.pk}/observations/")
    expect(page.get_by_text("No observations yet.")).to_be_visible()
    page.get_by_role("button", name="Start an observation").click()
    expect(page.get_by_role("heading", name=f"Observing {world.tom}")).to_be_visible()
    phone.axe()
    observation = Observation.objects.get()
    expect(page.locator("#obs-clock")).to_have_text(re.compile(r"^00:0\d:\d\d$"))

    # Typing saves about a second after the last key.
    page.get_by_label("Notes").fill("Class enters calmly.")
    saved(page)
    # One tap adds a timed, tagged moment and saves it at once.
    page.get_by_label("What you noticed").fill("Whole class silent by the door")
    page.get_by_role("button", name="Seen: Students line up in silence").click()
    expect(page.locator("[data-moment]")).to_have_count(1)
    saved(page)
    page.get_by_role("button", name="Not yet: Materials are out within 30 seconds").click()
    expect(page.locator("[data-moment]")).to_have_count(2)
    saved(page)
    observation.refresh_from_db()
    assert [(m["criterion"], m["evidence"]) for m in observation.moments] == [
        (0, "for"),
        (1, "against"),
    ]
    assert observation.moments[0]["text"] == "Whole class silent by the door"
    phone.axe()

    # The connection drops: what is typed stays on the device and goes out once back.
    page.context.set_offline(True)
    page.get_by_label("Notes").fill("Class enters calmly. Lost the wifi here.")
    expect(page.locator("#obs-status")).to_have_text("Offline — kept on this device")
    page.get_by_role("button", name="Seen: The teacher narrates what goes well").click()
    expect(page.locator("#obs-status")).to_have_text("Offline — kept on this device")
    observation.refresh_from_db()
    assert "Lost the wifi" not in observation.notes
    page.context.set_offline(False)
    saved(page)
    observation.refresh_from_db()
    assert observation.notes == "Class enters calmly. Lost the wifi here."
    assert len(observation.moments) == 3

    # Reloading keeps everything, even what was typed a moment before (the device's copy).
    page.get_by_label("Notes").fill("Class enters calmly. Lost the wifi here. Back on.")
    page.reload()
    expect(page.get_by_label("Notes")).to_have_value(
        "Class enters calmly. Lost the wifi here. Back on."
    )
    expect(page.locator("[data-moment]")).to_have_count(3)
    expect(page.get_by_role("alert")).to_contain_text("This device has text that was not saved")
    saved(page)
    observation.refresh_from_db()
    assert observation.notes.endswith("Back on.")
    phone.axe()

    # A moment can be removed; then the observation is finished.
    page.get_by_role("button", name=re.compile(r"^Remove\s+moment\s+3$")).click()
    expect(page.locator("[data-moment]")).to_have_count(2)
    saved(page)
    page.get_by_role("button", name="Finish the observation").click()
    expect(page.get_by_role("heading", name=f"Observation of {world.tom}")).to_be_visible()
    expect(page.get_by_text("The observation is finished")).to_be_visible()
    expect(page.get_by_text("Whole class silent by the door")).to_be_visible()
    phone.axe()
    observation.refresh_from_db()
    assert observation.status == ObservationStatus.FINAL
    assert len(observation.moments) == 2

    # The history, filtered to observations where a criterion was not yet seen.
    phone.goto(f"/engagements/{engagement.pk}/observations/")
    page.get_by_label("Evidence").select_option("against")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 observation match the filters")).to_be_visible()
    phone.axe()
    page.get_by_label("Evidence").select_option("")
    page.get_by_label("Status").select_option("draft")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No observations match these filters.")).to_be_visible()

    # How often each success criterion was seen.
    phone.goto(f"/engagements/{engagement.pk}/action-steps/{step.pk}/evidence/")
    expect(page.get_by_role("heading", name="Success criteria seen over time")).to_be_visible()
    totals = page.get_by_role("table").first
    expect(totals.get_by_role("row", name="1. Students line up in silence")).to_contain_text("1")
    phone.axe()


def test_a_draft_is_discarded_after_confirming(checked, world):
    engagement = build_instructional(world)
    make_step(world, engagement)
    page = checked.page
    sign_in(checked, world.cora)
    checked.goto(f"/engagements/{engagement.pk}/observations/")
    page.get_by_role("button", name="Start an observation").click()
    expect(page.get_by_role("heading", name=f"Observing {world.tom}")).to_be_visible()
    checked.axe()
    page.get_by_role("link", name="Discard").click()
    expect(page.get_by_role("heading", name="Discard this draft observation?")).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="Discard the draft").click()
    expect(page.get_by_text("The draft observation was discarded.")).to_be_visible()
    checked.axe()
    assert not Observation.objects.exists()


def test_a_second_tab_never_overwrites_the_first(checked, world):
    engagement = build_instructional(world)
    make_step(world, engagement)
    page = checked.page
    sign_in(checked, world.cora)
    checked.goto(f"/engagements/{engagement.pk}/observations/")
    page.get_by_role("button", name="Start an observation").click()
    edit_url = page.url
    other = page.context.new_page()
    other.goto(edit_url)
    page.get_by_label("Notes").fill("From the first tab")
    saved(page)
    other.get_by_label("Notes").fill("From the second tab")
    expect(other.get_by_role("alert")).to_contain_text("saved elsewhere")
    observation = Observation.objects.get()
    assert observation.notes == "From the first tab"
    other.close()
