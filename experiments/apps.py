from __future__ import annotations

from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = "Experiments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from actions import register
        from experiments.actions import declared

        register(*declared())
        from core.reaper import register_reapable
        from experiments.models import Experiment
        from experiments.services import experiment_recover

        register_reapable(Experiment, experiment_recover)
