"""Remove uploaded files that no record refers to (left by an upload whose transaction failed
after the file was written): `coachloop clean_uploads --dry-run` lists them first."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from coachloop.engagements.models import Resource
from coachloop.messaging.models import Attachment
from coachloop.portfolios.models import PortfolioRevision

MANAGED = ("resources", "portfolio", "messages")  # the upload_to folders of the models below


class Command(BaseCommand):
    help = (
        "Delete files under MEDIA_ROOT/resources, /portfolio and /messages that no record "
        "refers to."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
        parser.add_argument(
            "--min-age-hours",
            type=float,
            default=24,
            help="leave files younger than this alone (an upload may be in progress)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.MEDIA_ROOT)
        known = set(Resource.objects.exclude(file="").values_list("file", flat=True))
        known |= set(PortfolioRevision.objects.values_list("file", flat=True))
        known |= set(Attachment.objects.values_list("file", flat=True))
        cutoff = time.time() - options["min_age_hours"] * 3600
        removed = 0
        for folder in MANAGED:
            for path in sorted((root / folder).rglob("*")):
                name = path.relative_to(root).as_posix()
                if not path.is_file() or name in known or path.stat().st_mtime > cutoff:
                    continue
                self.stdout.write(("would remove " if options["dry_run"] else "removed ") + name)
                if not options["dry_run"]:
                    path.unlink()
                removed += 1
        self.stdout.write(f"{removed} file(s) without a record.")
