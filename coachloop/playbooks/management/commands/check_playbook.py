"""Validate playbook files before loading them: `coachloop check_playbook my-process.yaml`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coachloop.playbooks import schema
from coachloop.playbooks.services import builtin_files


class Command(BaseCommand):
    help = "Check playbook files against the format (docs/playbooks.md); all built-ins if none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path)
        parser.add_argument(
            "--schema", action="store_true", help="print the format as a JSON Schema and stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schema"]:
            self.stdout.write(json.dumps(schema.json_schema(), indent=2))
            return
        files: list[Path] = options["files"] or builtin_files()
        problems: list[str] = []
        for path in files:
            try:
                spec = schema.load(path.read_text(encoding="utf-8"), path.name)
            except OSError as error:
                problems.append(f"{path.name}: cannot be read ({error.strerror})")
            except schema.PlaybookError as error:
                problems.extend(error.messages)
            else:
                steps = sum(1 for _ in spec.steps())
                self.stdout.write(
                    f"{path.name}: valid: {spec.name}, {len(spec.phases)} phases, {steps} steps"
                )
        if problems:
            raise CommandError("\n".join(problems))
