from django.urls import URLPattern, path

from coachloop.surveys import report_views

urlpatterns: list[URLPattern] = [
    path("surveys/<int:pk>/report/", report_views.report, name="report"),
    path("surveys/<int:pk>/report/export/", report_views.report_export, name="report_export"),
    path("surveys/<int:pk>/growth/", report_views.growth, name="growth"),
    path("reports/district/", report_views.district_report, name="district_report"),
]
