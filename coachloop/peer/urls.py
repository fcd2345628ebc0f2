from django.urls import path

from coachloop.peer import views

urlpatterns = [
    path("programmes/<int:pk>/teams/new/", views.team_create, name="peer_team_create"),
    path(
        "programmes/<int:pk>/assignments/",
        views.programme_assignments,
        name="peer_assignments",
    ),
    path("engagements/<int:pk>/team/", views.team, name="peer_team"),
    path("engagements/<int:pk>/team/goals/new/", views.goal_create, name="peer_goal_create"),
    path(
        "engagements/<int:pk>/team/goals/<int:goal_pk>/",
        views.goal_edit,
        name="peer_goal_edit",
    ),
    path(
        "engagements/<int:pk>/team/ratings/<slug:point>/<int:member_pk>/",
        views.rating,
        name="peer_rating",
    ),
    path(
        "engagements/<int:pk>/team/assignments/<int:assignment_pk>/",
        views.assignment_completion,
        name="peer_assignment_completion",
    ),
]
