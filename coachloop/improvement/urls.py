from django.urls import path

from coachloop.improvement import views

urlpatterns = [
    path("schools/<int:org_pk>/improvement/", views.improvement_plans, name="improvement_plans"),
    path(
        "improvement/plans/<int:pk>/",
        views.improvement_plan_detail,
        name="improvement_plan_detail",
    ),
    path("improvement/plans/<int:pk>/goals/", views.goal_add, name="improvement_goal_add"),
    path("improvement/plans/<int:pk>/import/", views.goals_import, name="improvement_goals_import"),
    path(
        "improvement/plans/<int:pk>/archive/", views.plan_archive, name="improvement_plan_archive"
    ),
    path("improvement/goals/<int:pk>/", views.goal_edit, name="improvement_goal_edit"),
    path("improvement/goals/<int:pk>/move/", views.goal_move, name="improvement_goal_move"),
    path("improvement/goals/<int:pk>/remove/", views.goal_remove, name="improvement_goal_remove"),
    path(
        "engagements/<int:pk>/improvement/",
        views.engagement_improvement,
        name="engagement_improvement",
    ),
    path(
        "engagements/<int:pk>/improvement/targets/new/",
        views.target_area_choose,
        name="target_area_choose",
    ),
    path(
        "improvement/targets/<int:pk>/withdraw/",
        views.target_area_withdraw,
        name="target_area_withdraw",
    ),
    path(
        "engagements/<int:pk>/improvement/actions/new/",
        views.action_step_create,
        name="school_action_create",
    ),
    path("improvement/actions/<int:pk>/", views.school_action_detail, name="school_action_detail"),
    path("improvement/actions/<int:pk>/edit/", views.action_step_edit, name="school_action_edit"),
    path("improvement/district/", views.improvement_district, name="improvement_district"),
]
