from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "coachloop.improvement"
    label = "improvement"
    verbose_name = "School improvement"
