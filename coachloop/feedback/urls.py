from django.urls import path

from coachloop.feedback import views

urlpatterns = [
    path("engagements/<int:pk>/feedback/", views.feedback_list, name="feedback_list"),
    path(
        "engagements/<int:engagement_pk>/feedback/<int:pk>/",
        views.feedback_detail,
        name="feedback_detail",
    ),
    path(
        "engagements/<int:engagement_pk>/feedback/<int:pk>/close/",
        views.feedback_close,
        name="feedback_close",
    ),
    path("f/<str:token>/", views.feedback_answer, name="feedback_answer"),
    path("f/<str:token>/thanks/", views.feedback_thanks, name="feedback_thanks"),
]
