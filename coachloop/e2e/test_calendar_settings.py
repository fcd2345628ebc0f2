"""School calendars and response times in the browser, with axe on every page: Ada gives
Riverbend its calendar, adds a winter break and removes a holiday after confirming; Oak shows
the district's calendar and holidays; Cora agrees a response time for an engagement."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import Checked, sign_in
from coachloop.organisations.models import Holiday, SchoolCalendar

pytestmark = pytest.mark.browser


def _session(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    checked = Checked(page, live_server.url)
    sign_in(checked, user)
    return checked, context


def test_the_calendar_page_and_the_response_time_page(browser, live_server, world, coachdev):
    checked, context = _session(browser, live_server, world.ada)
    page = checked.page
    checked.goto(f"/organisations/{world.district.pk}/")
    page.get_by_role("link", name="School calendar and holidays").click()
    checked.axe()
    expect(page.get_by_text("Uses the default calendar")).to_be_visible()

    # the calendar: Monday to Thursday, in London
    page.get_by_label("Friday").uncheck()
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_role("button", name="Save the calendar").click()
    expect(page.get_by_text("School calendar saved.")).to_be_visible()
    expect(page.locator("#calendar-weekdays")).to_have_text("Monday, Tuesday, Wednesday, Thursday")
    checked.axe()
    assert SchoolCalendar.objects.get(organisation=world.district).time_zone == "Europe/London"

    # a holiday without a name: the error, with the date kept
    page.get_by_label("Date (or first day)").fill("2026-12-21")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_label("Date (or first day)")).to_have_value("2026-12-21")
    checked.axe()

    # a winter break over three days, then seen in the list
    page.get_by_label("Last day").fill("2026-12-23")
    page.get_by_label("Name").fill("Winter break")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Holiday “Winter break” added: 3 days.")).to_be_visible()
    expect(
        page.locator("#own-holidays").get_by_role("rowheader", name="Winter break")
    ).to_have_count(3)
    checked.axe()

    # removing one asks first
    page.get_by_role("link", name="Remove Winter break 21 Dec 2026").click()
    expect(
        page.get_by_role("heading", name="Remove the holiday “Winter break” on 2026-12-21?")
    ).to_be_visible()
    checked.axe()
    page.get_by_role("button", name="Remove the holiday").click()
    expect(page.get_by_text("on 2026-12-21 removed.")).to_be_visible()
    assert Holiday.objects.filter(organisation=world.district).count() == 2

    # Oak uses Riverbend's calendar and shows its holidays read-only
    checked.goto(f"/organisations/{world.oak.pk}/calendar/")
    expect(page.locator("#calendar-source")).to_have_text("Uses Riverbend's calendar.")
    expect(page.locator("#inherited-holidays").get_by_text("Winter break")).to_have_count(2)
    context.close()

    # Cora agrees a response time of 3 school days with Tom
    engagement = coachdev.engagements[0]
    checked, context = _session(browser, live_server, world.cora)
    page = checked.page
    checked.goto(f"/engagements/{engagement.pk}/")
    page.get_by_role("link", name="Response time").click()
    checked.axe()
    expect(page.locator("#agreed-days")).to_contain_text("within 2 school days")
    expect(page.get_by_text("No question asked yet.")).to_be_visible()
    field = page.get_by_label("Agreed response time (school days)")
    field.fill("0")
    page.get_by_role("button", name="Save the response time").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 1.")).to_be_visible()
    expect(field).to_have_value("0")
    checked.axe()
    field.fill("3")
    page.get_by_role("button", name="Save the response time").click()
    expect(page.get_by_text("Response time saved.")).to_be_visible()
    expect(page.locator("#agreed-days")).to_contain_text("within 3 school days")
    checked.axe()
    context.close()
    engagement.refresh_from_db()
    assert engagement.response_days == 3
