from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "coachloop.organisations"
    label = "organisations"
