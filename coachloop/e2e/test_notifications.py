"""Notifications in the browser, with axe on every page: the list (open one, mark all read) and
the settings form (a bad choice is refused with the typed values kept, then saved)."""

import pytest
from playwright.sync_api import expect

from coachloop.e2e.conftest import sign_in
from coachloop.notifications.models import Notification, NotificationKind, NotificationPreference

pytestmark = pytest.mark.browser


def test_notifications_list_and_settings(checked, world):
    for i, subject in enumerate(("Overdue: Sign the agreement", "Reminder: session soon")):
        Notification.objects.create(
            user=world.tom,
            kind=NotificationKind.STEP_OVERDUE if i == 0 else NotificationKind.MEETING_SOON,
            key=f"k{i}",
            subject=subject,
            path="/engagements/",
        )
    page = checked.page
    sign_in(checked, world.tom)
    checked.goto("/notifications/")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator("#main").get_by_text("2 unread", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Notifications 2 unread")).to_be_visible()
    page.get_by_role("button", name="Reminder: session soon").click()
    expect(page).to_have_url(f"{checked.base_url}/engagements/")
    checked.goto("/notifications/")
    expect(page.locator("#main").get_by_text("1 unread", exact=True)).to_be_visible()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("status")).to_contain_text("marked read")
    checked.axe()
    assert not Notification.objects.filter(read_at__isnull=True).exists()

    page.get_by_role("link", name="Notification settings").click()
    checked.axe()
    page.get_by_label("Remind me before a meeting").select_option("60")
    page.get_by_label("Send me a weekly digest").check()
    page.get_by_label("Your time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    checked.axe()
    pref = NotificationPreference.objects.get(user=world.tom)
    assert pref.before_meeting_minutes == 60
    assert pref.weekly_digest
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Lisbon")
