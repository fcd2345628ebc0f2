from django.urls import path

from coachloop.meetings import views

urlpatterns = [
    path("engagements/<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/",
        views.meeting_detail,
        name="meeting_detail",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/cancel/",
        views.meeting_cancel,
        name="meeting_cancel",
    ),
]
