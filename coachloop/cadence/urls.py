from django.urls import path

from coachloop.cadence import views

urlpatterns = [
    path("cadence/", views.overview, name="cadence_overview"),
    path("cadence/export/", views.export, name="cadence_export"),
    path("programmes/<int:pk>/cadence/", views.overview, name="programme_cadence"),
]
