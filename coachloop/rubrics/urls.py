from django.urls import path

from coachloop.rubrics import views

urlpatterns = [
    path("engagements/<int:pk>/scores/", views.score_list, name="score_list"),
    path(
        "engagements/<int:pk>/scores/new/<slug:rubric_key>/",
        views.score_create,
        name="score_create",
    ),
    path(
        "engagements/<int:engagement_pk>/scores/<int:pk>/", views.score_detail, name="score_detail"
    ),
]
