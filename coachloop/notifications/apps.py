from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "coachloop.notifications"
    label = "notifications"
