from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from coachloop.accounts.models import User
from coachloop.demo.generator import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_accounts


class Command(BaseCommand):
    help = "Print the demo sign-ins, if the demo district is loaded."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = [
            (e, what) for e, what in demo_accounts() if User.objects.filter(email=e).exists()
        ]
        if not accounts:
            self.stdout.write("No demo accounts in this database.")
            return
        bind = os.environ.get("BIND", "127.0.0.1:8000")
        self.stdout.write(f"\nCoachloop is starting at http://{bind}\n")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email, what in accounts:
            self.stdout.write(f"  {email:<32} {what}")
        self.stdout.write(
            "\nAdministrators, coaches, leaders and district representatives must use a second "
            "factor.\nTheir demo accounts share the published authenticator secret "
            f"{DEMO_TOTP_SECRET};\nadd it to any authenticator app, or run "
            "'.venv/bin/coachloop demo_code' for the current code.\n"
        )
