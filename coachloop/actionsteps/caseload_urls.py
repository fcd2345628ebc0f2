from django.urls import path

from coachloop.actionsteps import caseload_views as views

urlpatterns = [
    path("caseload/", views.caseload_page, name="caseload"),
    path("caseload/export/", views.caseload_export, name="caseload_export"),
    path("my-coaching/", views.my_coaching, name="my_coaching"),
    path("programmes/<int:pk>/cycles/", views.programme_cycles, name="programme_cycles"),
]
