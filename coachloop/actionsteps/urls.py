from django.urls import path

from coachloop.actionsteps import views

urlpatterns = [
    path(
        "engagements/<int:pk>/action-steps/",
        views.action_step_list,
        name="action_step_list",
    ),
    path(
        "engagements/<int:pk>/action-steps/new/",
        views.action_step_new,
        name="action_step_new",
    ),
    path(
        "engagements/<int:engagement_pk>/action-steps/<int:pk>/",
        views.action_step_detail,
        name="action_step_detail",
    ),
    path(
        "engagements/<int:engagement_pk>/action-steps/<int:pk>/status/",
        views.action_step_status,
        name="action_step_status",
    ),
    path(
        "engagements/<int:engagement_pk>/action-steps/<int:pk>/studied/",
        views.action_step_studied,
        name="action_step_studied",
    ),
    path(
        "engagements/<int:engagement_pk>/action-steps/<int:pk>/resources/",
        views.action_step_resource_add,
        name="action_step_resource_add",
    ),
    path("library/", views.library, name="library"),
    path("library/import/", views.library_import, name="library_import"),
    path("library/export/", views.library_export, name="library_export"),
    path("library/starter/", views.library_starter, name="library_starter"),
    path("library/categories/new/", views.library_category_new, name="library_category_new"),
    path(
        "library/categories/<int:pk>/edit/",
        views.library_category_edit,
        name="library_category_edit",
    ),
    path(
        "library/categories/<int:pk>/remove/",
        views.library_category_remove,
        name="library_category_remove",
    ),
    path(
        "library/categories/<int:pk>/steps/new/",
        views.library_step_new,
        name="library_step_new",
    ),
    path("library/steps/<int:pk>/", views.library_step_detail, name="library_step_detail"),
    path("library/steps/<int:pk>/edit/", views.library_step_edit, name="library_step_edit"),
    path(
        "library/steps/<int:pk>/remove/",
        views.library_step_remove,
        name="library_step_remove",
    ),
]
