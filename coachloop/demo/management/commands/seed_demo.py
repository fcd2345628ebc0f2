from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coachloop.demo.generator import SIZES, generate
from coachloop.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Generate the demo district (size 'demo': 6 schools, about 150 staff) or the benchmark "
        "dataset (size 'large': 200 schools, 12,000 staff, 3,000 engagements, 100,000 meetings, "
        "200,000 observations). The engagements run the built-in performance coaching, "
        "instructional coaching and peer coaching playbooks. The same --seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="demo")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any organisation exists."
        )

    def handle(self, *args: Any, size: str, seed: int, if_empty: bool, **options: Any) -> None:
        if Organisation.objects.exists():
            if if_empty:
                self.stdout.write("Data already present; the demo district was not loaded again.")
                return
            raise CommandError(
                "The database already holds organisations. Use an empty database "
                "(DATABASE_URL=… or remove var/coachloop.sqlite3) or pass --if-empty."
            )
        result = generate(size=size, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the {size} dataset: {result.organisations} organisations, "
                f"{result.people} people, {result.engagements} engagements, "
                f"{result.steps} steps, {result.other_rows.get('observations', 0)} observations "
                f"in {result.other_rows.get('cycles', 0)} cycles, "
                f"{result.other_rows.get('peer_teams', 0)} peer coaching teams, "
                f"{result.other_rows.get('meetings', 0)} meetings."
            )
        )
