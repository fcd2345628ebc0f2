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
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/reschedule/",
        views.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/attendance/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/next-steps/",
        views.follow_up_add,
        name="follow_up_add",
    ),
    path(
        "engagements/<int:engagement_pk>/next-steps/<int:pk>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/guide/",
        views.meeting_guide,
        name="meeting_guide",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/guide/notes/",
        views.meeting_guide_note,
        name="meeting_guide_note",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/guide/practice/",
        views.meeting_guide_practice,
        name="meeting_guide_practice",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/guide/plan/",
        views.meeting_guide_plan,
        name="meeting_guide_plan",
    ),
    path(
        "engagements/<int:engagement_pk>/meetings/<int:pk>/guide/held/",
        views.meeting_guide_held,
        name="meeting_guide_held",
    ),
]
