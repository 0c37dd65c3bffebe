from __future__ import annotations

from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "Evaluations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from actions import register
        from evaluations.actions import declared

        register(*declared())
        from core.reaper import register_reapable
        from evaluations.models import Evaluation
        from evaluations.services import evaluation_recover

        register_reapable(Evaluation, evaluation_recover)
