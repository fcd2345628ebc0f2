from django.urls import path

from coachloop.playbooks import views

urlpatterns = [
    path("playbooks/", views.playbook_list, name="playbook_list"),
    path("playbooks/<int:pk>/", views.playbook_detail, name="playbook_detail"),
    path("playbooks/<int:pk>/copy/", views.playbook_copy, name="playbook_copy"),
    path(
        "playbooks/<int:pk>/steps/<slug:step_key>/",
        views.playbook_step_edit,
        name="playbook_step_edit",
    ),
    path("playbooks/<int:pk>/edit/", views.playbook_edit, name="playbook_edit"),
    path("playbooks/<int:pk>/download/", views.playbook_download, name="playbook_download"),
]
