"""``manage.py dspex_reap``: finish (or re-queue) runs left running by a process that died."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.reaper import reap_stale_runs, stale_after


class Command(BaseCommand):
    help = (
        "Mark executions, experiments and evaluations failed (or re-queue the ones that resume) when "
        "they are running without a heartbeat for longer than DSPEX_STALE_RUN_AFTER seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="seconds without a heartbeat (default: DSPEX_STALE_RUN_AFTER)",
        )
        parser.add_argument("--dry-run", action="store_true", help="list the stale runs, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        older_than = options["older_than"]
        reaped = reap_stale_runs(older_than=older_than, dry_run=options["dry_run"])
        for run in reaped:
            seen = run.last_seen.isoformat() if run.last_seen else "never"
            self.stdout.write(f"{run.model} {run.pk}: last heartbeat {seen}: {run.outcome}")
        limit = stale_after() if older_than is None else older_than
        self.stdout.write(f"{len(reaped)} stale run(s) (no heartbeat for more than {limit:g} s)")
