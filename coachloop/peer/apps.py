from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "coachloop.peer"
    label = "peer"
