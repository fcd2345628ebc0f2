from django.urls import path

from coachloop.plans import views

urlpatterns = [
    path("engagements/<int:pk>/plan/", views.plan_detail, name="plan_detail"),
    path("engagements/<int:pk>/plan/versions/", views.plan_versions, name="plan_versions"),
    path("engagements/<int:pk>/plan/diff/", views.plan_diff, name="plan_diff"),
    path("engagements/<int:pk>/plan/submit/", views.plan_submit, name="plan_submit"),
    path("engagements/<int:pk>/plan/decide/", views.plan_decide, name="plan_decide"),
]
