from django.urls import path

from coachloop.surveys import instrument_views as views

urlpatterns = [
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/upload/", views.instrument_upload, name="instrument_upload"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/copy/", views.instrument_copy, name="instrument_copy"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<int:pk>/download/", views.instrument_download, name="instrument_download"),
    path("instruments/<int:pk>/archive/", views.instrument_archive, name="instrument_archive"),
]
