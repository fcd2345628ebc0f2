from django.urls import path

from coachloop.messaging import calendar_views as views

urlpatterns = [
    path("organisations/<int:pk>/calendar/", views.school_calendar, name="school_calendar"),
    path(
        "organisations/<int:pk>/calendar/use-inherited/",
        views.calendar_use_inherited,
        name="calendar_use_inherited",
    ),
    path("organisations/<int:pk>/calendar/holidays/", views.holiday_add, name="holiday_add"),
    path(
        "organisations/<int:pk>/calendar/holidays/import/",
        views.holidays_import,
        name="holidays_import",
    ),
    path(
        "organisations/<int:pk>/calendar/holidays/<str:day>/remove/",
        views.holiday_remove,
        name="holiday_remove",
    ),
    path("engagements/<int:pk>/response-time/", views.response_time, name="response_time"),
]
