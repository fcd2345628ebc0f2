from django.urls import URLPattern, path

from coachloop.messaging import views

urlpatterns: list[URLPattern] = [
    path("engagements/<int:pk>/messages/", views.thread_list, name="thread_list"),
    path("engagements/<int:pk>/messages/new/", views.thread_create, name="thread_create"),
    path("engagements/<int:epk>/messages/<int:pk>/", views.thread_detail, name="thread_detail"),
    path(
        "engagements/<int:epk>/messages/attachments/<int:pk>/",
        views.message_attachment,
        name="message_attachment",
    ),
    path("engagements/<int:pk>/check-ins/", views.contact_list, name="contact_list"),
]
