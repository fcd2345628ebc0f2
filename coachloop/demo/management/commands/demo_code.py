from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coachloop.demo.generator import current_demo_code


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo accounts (demo data only)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(current_demo_code())
