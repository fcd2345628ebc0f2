from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "coachloop.playbooks"
    verbose_name = "Playbooks"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from coachloop.playbooks.services import load_builtin_after_migrate

        post_migrate.connect(load_builtin_after_migrate, sender=self)
