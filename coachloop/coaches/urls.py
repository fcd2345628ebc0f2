from django.urls import path

from coachloop.coaches import views

urlpatterns = [
    path("coaches/", views.coaches_home, name="coaches_home"),
    path("coaches/me/", views.my_development, name="my_development"),
    path("coaches/<int:user_pk>/", views.coach_development, name="coach_development"),
    path("programmes/<int:pk>/coaches/", views.coach_overview, name="coach_overview"),
    path(
        "programmes/<int:pk>/coaches/export/",
        views.coach_overview_export,
        name="coach_overview_export",
    ),
]
