from django.urls import URLPattern, path, re_path

from coachloop.meetings import calendar_views

urlpatterns: list[URLPattern] = [
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{1,200})\.ics$",
        calendar_views.calendar_feed,
        name="calendar_feed",
    ),
    path("account/calendar/", calendar_views.calendar_settings, name="calendar_settings"),
    path("account/calendar/revoke/", calendar_views.calendar_revoke, name="calendar_revoke"),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/calendar.ics",
        calendar_views.meeting_ics,
        name="meeting_ics",
    ),
]
