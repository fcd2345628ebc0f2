from django.apps import AppConfig


class ActionStepsConfig(AppConfig):
    name = "coachloop.actionsteps"
    label = "actionsteps"
    verbose_name = "Action steps and coaching cycles"

    def ready(self) -> None:
        from coachloop.actionsteps import signals  # noqa: F401  (connects the receivers)
