from django.urls import path

from coachloop.surveys import respond_views, views

urlpatterns = [
    path(
        "engagements/<int:pk>/surveys/new/",
        views.administration_new,
        name="administration_new",
    ),
    path("surveys/", views.administration_list, name="administration_list"),
    path("surveys/<int:pk>/", views.administration_detail, name="administration_detail"),
    path("surveys/<int:pk>/close/", views.administration_close, name="administration_close"),
    path("surveys/<int:pk>/extend/", views.administration_extend, name="administration_extend"),
    path("surveys/<int:pk>/remind/", views.administration_remind, name="administration_remind"),
    path("surveys/<int:pk>/invite/", views.administration_invite, name="administration_invite"),
    path("surveys/<int:pk>/print/", views.administration_print, name="administration_print"),
    # The respondent's pages: no account needed.
    path("s/thanks/", respond_views.respond_thanks, name="respond_thanks"),
    path("s/<str:token>/", respond_views.respond, name="respond"),
    path("s/<str:token>/review/", respond_views.respond_review, name="respond_review"),
    path("s/<str:token>/<int:number>/", respond_views.respond_page, name="respond_page"),
]
