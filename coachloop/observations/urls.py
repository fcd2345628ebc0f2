from django.urls import path

from coachloop.observations import exports, views

urlpatterns = [
    path(
        "engagements/<int:pk>/observations/",
        views.observation_history,
        name="observation_history",
    ),
    path(
        "engagements/<int:pk>/observations/start/",
        views.observation_start,
        name="observation_start",
    ),
    path(
        "engagements/<int:pk>/observations/export/",
        exports.observation_export,
        name="observation_export",
    ),
    path(
        "engagements/<int:engagement_pk>/observations/<int:pk>/",
        views.observation_detail,
        name="observation_detail",
    ),
    path(
        "engagements/<int:engagement_pk>/observations/<int:pk>/edit/",
        views.observation_edit,
        name="observation_edit",
    ),
    path(
        "engagements/<int:engagement_pk>/observations/<int:pk>/draft/",
        views.observation_draft,
        name="observation_draft",
    ),
    path(
        "engagements/<int:engagement_pk>/observations/<int:pk>/finish/",
        views.observation_finish,
        name="observation_finish",
    ),
    path(
        "engagements/<int:engagement_pk>/observations/<int:pk>/discard/",
        views.observation_discard,
        name="observation_discard",
    ),
    path(
        "engagements/<int:engagement_pk>/action-steps/<int:pk>/evidence/",
        views.action_step_evidence,
        name="action_step_evidence",
    ),
]
