from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    name = "coachloop.observations"
    label = "observations"
