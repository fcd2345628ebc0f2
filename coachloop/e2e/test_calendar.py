"""The calendar page in the browser, with axe on every page: make the private address, see it
once, and revoke it after confirming."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.meetings import calendar
from coachloop.meetings.models import CalendarFeed

pytestmark = pytest.mark.browser


def test_a_person_makes_sees_and_revokes_their_calendar_address(checked, peer):
    sign_in(checked, peer.pia)
    page = checked.page
    checked.goto("/account/calendar/")
    expect(page.get_by_text("You have no calendar address.")).to_be_visible()

    page.get_by_role("button", name="Make my calendar address").click()
    checked.axe()
    expect(page.get_by_text("Copy it now: it is shown only once.")).to_be_visible()
    https = page.get_by_label("For Google Calendar and web sites (https://)").input_value()
    webcal = page.get_by_label("For calendar apps (webcal://)").input_value()
    assert webcal.startswith("webcal://")
    assert https.endswith(".ics")
    raw = https.rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar.feed_user(raw) == peer.pia
    # the feed itself answers without signing in
    response = page.request.get(checked.base_url + f"/calendar/{raw}.ics")
    assert response.status == 200
    assert response.text().startswith("BEGIN:VCALENDAR")

    checked.goto("/account/calendar/")
    expect(page.get_by_text("Copy it now")).to_have_count(0)
    page.get_by_role("link", name="Revoke the address").click()
    checked.axe()
    expect(page.get_by_role("heading", name="Revoke your calendar address?")).to_be_visible()
    page.get_by_role("button", name="Revoke the address").click()
    checked.axe()
    expect(page.get_by_text("Your calendar address is revoked")).to_be_visible()
    expect(page.get_by_text("You have no calendar address.")).to_be_visible()
    assert CalendarFeed.objects.get().revoked_at is not None
    assert page.request.get(checked.base_url + f"/calendar/{raw}.ics").status == 404
