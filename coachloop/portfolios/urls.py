from django.urls import path

from coachloop.portfolios import views

urlpatterns = [
    path("engagements/<int:pk>/portfolio/", views.portfolio_list, name="portfolio_list"),
    path(
        "engagements/<int:engagement_pk>/portfolio/<int:pk>/",
        views.portfolio_entry,
        name="portfolio_entry",
    ),
    path(
        "engagements/<int:engagement_pk>/portfolio/<int:entry_pk>/files/<int:pk>/",
        views.portfolio_download,
        name="portfolio_download",
    ),
]
