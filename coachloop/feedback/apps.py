from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "coachloop.feedback"
    label = "feedback"
