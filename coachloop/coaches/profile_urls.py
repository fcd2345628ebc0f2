from django.urls import path

from coachloop.coaches import profile_views as views

urlpatterns = [
    path("engagements/<int:pk>/profile/assess/", views.profile_assess, name="profile_assess"),
    path("profile/assessments/<int:pk>/", views.profile_assessment, name="profile_assessment"),
    path("coaches/<int:user_pk>/profile/", views.coach_profile, name="coach_profile"),
]
