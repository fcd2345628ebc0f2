from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "coachloop.rubrics"
    label = "rubrics"
