from django.apps import AppConfig


class CoachesConfig(AppConfig):
    name = "coachloop.coaches"
    label = "coaches"
    verbose_name = "Coach development"
