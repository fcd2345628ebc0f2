from django.urls import URLPattern, path

from coachloop.coaches import feedback_views as views

urlpatterns: list[URLPattern] = [
    path("coaches/<int:user_pk>/feedback/", views.coach_feedback, name="coach_feedback"),
    path("coaches/feedback/rounds/<int:pk>/", views.feedback_round, name="feedback_round"),
    path("coaches/feedback/replies/", views.feedback_replies, name="feedback_replies"),
    path(
        "programmes/<int:pk>/coach-feedback/",
        views.programme_coach_feedback,
        name="programme_coach_feedback",
    ),
]
