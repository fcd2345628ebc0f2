from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "coachloop.meetings"
    label = "meetings"
