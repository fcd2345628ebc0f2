"""The notifications page, marking read, the settings form, the API and the badge's count."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from coachloop.notifications.context_processors import unread
from coachloop.notifications.models import Notification, NotificationKind, NotificationPreference


def note(user, subject, path="/dashboard/", **extra):
    return Notification.objects.create(
        user=user,
        kind=NotificationKind.NOTICE,
        key=f"k:{subject}",
        subject=subject,
        path=path,
        **extra,
    )


def test_the_list_shows_my_due_notifications_newest_first(world, signed_in):
    now = timezone.now()
    note(world.tom, "Older", due_at=now - datetime.timedelta(days=2))
    note(world.tom, "Newer", due_at=now - datetime.timedelta(hours=1))
    note(world.tom, "Not yet", due_at=now + datetime.timedelta(hours=1))
    note(world.cora, "Cora's own")
    page = signed_in(world.tom).get(reverse("notification_list")).content.decode()
    assert page.index("Newer") < page.index("Older")
    assert "Not yet" not in page
    assert "Cora's own" not in page
    assert "2 unread" in page


def test_empty_list(world, signed_in):
    page = signed_in(world.tom).get(reverse("notification_list")).content.decode()
    assert "You have no notifications yet" in page


def test_opening_marks_read_and_goes_there_mark_all_read(world, signed_in):
    client = signed_in(world.tom)
    first = note(world.tom, "One", path="/engagements/")
    note(world.tom, "Two")
    response = client.post(reverse("notification_open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/engagements/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_404_and_offsite_paths_are_not_followed(world, signed_in):
    client = signed_in(world.tom)
    other = note(world.cora, "Cora's")
    assert client.post(reverse("notification_open", args=[other.pk])).status_code == 404
    evil = note(world.tom, "Evil", path="https://evil.example/")
    response = client.post(reverse("notification_open", args=[evil.pk]))
    assert response["Location"] == reverse("notification_list")


def test_settings_save_and_bad_time_zone_is_422_keeping_what_was_typed(world, signed_in):
    client = signed_in(world.tom)
    url = reverse("notification_settings")
    assert client.get(url).status_code == 200
    bad = {"email": "on", "before_meeting_minutes": "60", "weekly_digest": "on"}
    response = client.post(url, {**bad, "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert '<option value="60" selected>' in page
    assert not NotificationPreference.objects.filter(user=world.tom).exists()

    response = client.post(url, {**bad, "time_zone": "Europe/London"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=world.tom)
    assert (pref.email, pref.before_meeting_minutes, pref.weekly_digest) == (True, 60, True)
    assert (pref.month_unscheduled, pref.step_overdue) == (False, False)
    world.tom.refresh_from_db()
    assert world.tom.time_zone == "Europe/London"


def test_pages_need_sign_in(client):
    for name in ("notification_list", "notification_settings"):
        assert client.get(reverse(name)).status_code == 302


def test_unread_badge_counts_only_mine_and_due(world):
    note(world.tom, "A")
    note(world.tom, "B", read_at=timezone.now())
    note(world.tom, "C", due_at=timezone.now() + datetime.timedelta(days=1))
    note(world.cora, "D")
    request = RequestFactory().get("/")
    request.user = world.tom
    assert int(str(unread(request)["unread_notifications"])) == 1
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert unread(request) == {}


@pytest.fixture
def api(world, client):
    client.force_login(world.tom)
    return client


def test_api_list_read_and_settings(world, api):
    mine = note(world.tom, "Mine")
    note(world.tom, "Also mine")
    other = note(world.cora, "Not mine")
    found = api.get("/api/me/notifications").json()
    assert found["count"] == 2
    assert {i["subject"] for i in found["items"]} == {"Mine", "Also mine"}

    marked = api.post(
        "/api/me/notifications/read", {"ids": [mine.pk, other.pk]}, content_type="application/json"
    )
    assert marked.json() == {"marked": 1}
    other.refresh_from_db()
    assert other.read_at is None
    assert (
        api.post("/api/me/notifications/read", {}, content_type="application/json").status_code
        == 400
    )
    assert api.post(
        "/api/me/notifications/read", {"all": True}, content_type="application/json"
    ).json() == {"marked": 1}

    got = api.get("/api/me/notification-settings").json()
    assert got["before_meeting_minutes"] == 24 * 60
    assert got["weekly_digest"] is False
    bad = api.put(
        "/api/me/notification-settings",
        {**got, "time_zone": "Nowhere/Land"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "time_zone"
    bad = api.put(
        "/api/me/notification-settings",
        {**got, "before_meeting_minutes": 7},
        content_type="application/json",
    )
    assert bad.status_code == 422
    good = api.put(
        "/api/me/notification-settings",
        {**got, "email": False, "time_zone": "Asia/Tokyo"},
        content_type="application/json",
    )
    assert good.status_code == 200
    assert good.json()["time_zone"] == "Asia/Tokyo"
    assert NotificationPreference.objects.get(user=world.tom).email is False
