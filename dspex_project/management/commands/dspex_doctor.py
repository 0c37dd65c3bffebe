"""``manage.py dspex_doctor``: check the machine, the local model, the database, the broker and
workers, and the configured LM endpoints; print a table; exit non-zero when a needed part fails."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dspex.doctor import engine_checks, render, run_checks
from dspex_project.doctor import broker_checks, configured_endpoints, database_checks


class Command(BaseCommand):
    help = (
        "Check Python and packages, the local model (its file, one completion in a child process, "
        "CPU features), the database and migrations, the broker and workers (or eager mode), each "
        "configured LM endpoint (keys are never printed) and dspy. Exits 1 when a required check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-local", action="store_true", help="skip the local model checks")

    def handle(self, *args: Any, **options: Any) -> None:
        checks = engine_checks(configured_endpoints(), local=not options["no_local"])
        checks[1:1] = [database_checks, broker_checks]
        results = run_checks(checks)
        self.stdout.write(render(results))
        if any(row.failed for row in results):
            sys.exit(1)
