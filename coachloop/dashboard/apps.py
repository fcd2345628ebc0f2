from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "coachloop.dashboard"
    label = "dashboard"
