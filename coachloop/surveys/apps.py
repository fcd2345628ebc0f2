from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "coachloop.surveys"
    label = "surveys"
    verbose_name = "Surveys and reports"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from coachloop.surveys.library import load_builtin_after_migrate

        post_migrate.connect(load_builtin_after_migrate, sender=self)
