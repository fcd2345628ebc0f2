from django.apps import AppConfig


class CadenceConfig(AppConfig):
    """The playbook's cadence rules, checked continuously (no models: the status is stored on
    the engagement)."""

    name = "coachloop.cadence"
    label = "cadence"
