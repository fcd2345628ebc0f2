"""The `coachloop` command: Django's manage.py, plus `coachloop serve` for gunicorn."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachloop.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def serve(args: list[str]) -> None:
    """Run gunicorn on coachloop.wsgi; extra arguments go to gunicorn (for example --bind)."""
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    argv = ["gunicorn", "coachloop.wsgi:application", "--workers", workers, "--threads", "4"]
    argv += ["--access-logfile", "-", "--logger-class", "coachloop.lib.access_log.AccessLogger"]
    argv += args
    if "--bind" not in args and not any(a.startswith("--bind=") for a in args):
        argv += ["--bind", os.environ.get("BIND", "127.0.0.1:8000")]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - fixed argv, no shell
