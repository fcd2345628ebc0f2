from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "coachloop.demo"
    label = "demo"
