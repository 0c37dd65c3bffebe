"""Existing LM configs into the endpoint form (see programs.lm_config_migration): each change is
printed and logged (logger ``programs.migrations``); run ``manage.py dspex_migrate_lm_configs
--dry-run`` first to see them."""

import logging

from django.db import migrations

logger = logging.getLogger("programs.migrations")


def forward(apps, schema_editor):
    from programs.lm_config_migration import migrate_lm_configs

    def report(change):
        print(f"\n  lm_config migration: {change}")
        logger.warning("lm_config migration: %s", change)

    migrate_lm_configs(
        apps.get_model("programs", "Program"), apps.get_model("programs", "ProgramVersion"), report=report
    )


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_lm_credential")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
