from django.apps import AppConfig


class CadenceConfig(AppConfig):
    """The playbook's cadence rules, checked continuously (no models: the status is stored on
    the engagement)."""

    name = "coachloop.cadence"
    label = "cadence"

    def ready(self) -> None:
        from coachloop.cadence import receivers
        from coachloop.meetings.signals import meeting_changed, meeting_held

        meeting_changed.connect(receivers.on_meeting_changed, dispatch_uid="cadence.changed")
        meeting_held.connect(receivers.on_meeting_changed, dispatch_uid="cadence.held")
