"""``manage.py dspex_migrate_lm_configs [--dry-run]``: put every program's ``lm_config`` in the
endpoint form and clear the LM entries of version states, printing each change (the data
migration ``programs.0005`` does the same once; run this after changing DSPEX_LM_ENDPOINTS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from programs.lm_config_migration import migrate_lm_configs
from programs.models import Program, ProgramVersion


class Command(BaseCommand):
    help = "Rewrite LM configs that name URLs or environment variables into the endpoint form."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only print what would change")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        changes = migrate_lm_configs(
            Program, ProgramVersion, dry_run=dry_run, report=lambda change: self.stdout.write(str(change))
        )
        verb = "would change" if dry_run else "changed"
        self.stdout.write(self.style.SUCCESS(f"{verb} {len(changes)} row(s)"))
