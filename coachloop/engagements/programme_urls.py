from django.urls import path

from coachloop.engagements import programme_views

urlpatterns = [
    path("programmes/", programme_views.programme_list, name="programme_list"),
    path("programmes/new/", programme_views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", programme_views.programme_detail, name="programme_detail"),
    path(
        "programmes/<int:pk>/engagements/new/",
        programme_views.engagement_create,
        name="engagement_create",
    ),
    path(
        "programmes/<int:pk>/engagements/bulk/",
        programme_views.engagement_bulk,
        name="engagement_bulk",
    ),
    path("programmes/<int:pk>/export/", programme_views.programme_export, name="programme_export"),
    path("today/", programme_views.today, name="today"),
    path("sponsor/", programme_views.sponsor_home, name="sponsor_home"),
]
