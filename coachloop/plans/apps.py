from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "coachloop.plans"
    label = "plans"
