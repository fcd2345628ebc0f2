from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "coachloop.access"
    label = "access"

    def ready(self) -> None:
        from coachloop.access import checks  # noqa: F401 - registers the deploy checks
