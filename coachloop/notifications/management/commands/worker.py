"""`coachloop worker`: the background worker. It runs the queued tasks (notification emails)
with django-tasks-db's worker and, every `--tick` seconds, makes the reminders that are due and
emails them (and once a day refreshes the cadence of every engagement). Stops cleanly on
SIGTERM or Ctrl+C: the task or email in hand is finished, nothing is cut in half."""

from __future__ import annotations

import logging
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends
from django.utils.crypto import get_random_string

from coachloop.notifications.tasks import run_tick

logger = logging.getLogger("coachloop.worker")


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


def fresh_connections() -> None:
    """Drop database connections that broke or outlived CONN_MAX_AGE between ticks, as a request
    does. Not inside a transaction (a test's): there, closing would end the transaction."""
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the background worker: queued tasks (emails) and, every --tick seconds, the "
        "reminders (made and emailed) and the daily cadence refresh."
    )

    def add_arguments(self, parser: CommandParser | ArgumentParser) -> None:
        parser.add_argument(
            "--tick", type=_positive, default=60.0, help="Seconds between reminder runs (60)."
        )
        parser.add_argument(
            "--interval",
            type=_positive,
            default=1.0,
            help="Seconds between looks at the task queue when it is empty (1).",
        )
        parser.add_argument(
            "--queue-name", default=DEFAULT_TASK_QUEUE_NAME, help="The task queue to process."
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="One reminder run and the queued tasks, then stop (for cron and tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.running = True
        self.worker: Any = None
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        try:
            from django_tasks_db.backend import DatabaseBackend
            from django_tasks_db.management.commands.db_worker import Worker
        except ImportError:  # pragma: no cover - the dependency is installed
            DatabaseBackend = None  # type: ignore[assignment,misc]
        if DatabaseBackend is not None and isinstance(backend, DatabaseBackend):
            self.worker = Worker(
                queue_names=[options["queue_name"]],
                interval=0,
                batch=True,  # run what is queued, then come back here
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=False,
                max_tasks=None,
                worker_id=get_random_string(32),
                excluded_queue_names=[],
            )
        else:
            self.stdout.write("The task backend is not the database: only reminders are run.")
        if not options["once"]:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self.stop)
        tick_every: float = options["tick"]
        interval: float = options["interval"]
        next_tick = 0.0
        while self.running:
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + tick_every
                self.tick(options["verbosity"])
            self.run_queue()
            if options["once"]:
                break
            # wait for the next look at the queue, waking up for a stop at least every second
            until = min(time.monotonic() + interval, next_tick)
            while self.running and time.monotonic() < until:
                time.sleep(min(0.5, max(0.0, until - time.monotonic())))
        self.stdout.write("Worker stopped.")

    def stop(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:  # a second signal: stop now
            raise SystemExit(1)
        logger.warning("Received %s: stopping after the work in hand.", signal.strsignal(signum))
        self.running = False
        if self.worker is not None:
            self.worker.running = False

    def tick(self, verbosity: int) -> None:
        fresh_connections()
        try:
            result = run_tick()
        except Exception:
            logger.exception("Reminder run failed; it runs again at the next tick.")
            return
        finally:
            fresh_connections()
        if verbosity > 1 or (verbosity and (result["made"] or result["sent"])):
            self.stdout.write(
                f"Reminders: {result['made']} made, {result['sent']} emailed"
                + (f", cadence of {result['cadence']} refreshed" if result["cadence"] else "")
            )

    def run_queue(self) -> None:
        if self.worker is None:
            return
        self.worker.running = self.running
        self.worker.run()
