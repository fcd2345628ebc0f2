from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "coachloop.engagements"
    label = "engagements"
