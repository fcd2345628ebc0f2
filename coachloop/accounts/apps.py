from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachloop.accounts"
    label = "accounts"

    def ready(self) -> None:
        from coachloop.accounts import signals  # noqa: F401 - session start time on sign-in
