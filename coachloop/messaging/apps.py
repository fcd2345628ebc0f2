from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "coachloop.messaging"
    label = "messaging"
    verbose_name = "Messages and responsiveness"
