from django.urls import path

from coachloop.engagements import views

urlpatterns = [
    path("engagements/", views.engagement_list, name="engagement_list"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path(
        "engagements/<int:pk>/steps/<int:step_pk>/<str:action>/",
        views.step_action,
        name="step_action",
    ),
    path("engagements/<int:pk>/advance/", views.phase_advance, name="phase_advance"),
    path("engagements/<int:pk>/complete/", views.engagement_complete, name="engagement_complete"),
    path("engagements/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("engagements/<int:pk>/forms/<slug:form_key>/", views.form_fill, name="form_fill"),
    path(
        "engagements/<int:engagement_pk>/answers/<int:pk>/",
        views.form_response_detail,
        name="form_response_detail",
    ),
    path("engagements/<int:pk>/resources/", views.resource_list, name="resource_list"),
    path(
        "engagements/<int:engagement_pk>/resources/<int:pk>/download/",
        views.resource_download,
        name="resource_download",
    ),
    path("engagements/<int:engagement_pk>/notes/<int:pk>/", views.note_detail, name="note_detail"),
    path("engagements/<int:pk>/export.csv", views.engagement_export, name="engagement_export"),
]
