from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        import dspex
        from actions import register
        from core.reaper import register_reapable
        from programs.actions import declared
        from programs.models import Execution
        from programs.services import execution_mark_lost

        try:  # a typo in the budgets should stop the start, not every pipeline run
            dspex.PipelineLimits.from_mapping(getattr(settings, "DSPEX_PIPELINE_LIMITS", None))
        except ValueError as exc:
            raise ImproperlyConfigured(f"DSPEX_PIPELINE_LIMITS: {exc}") from None
        from programs.gateway.lms import keep_global_lm_history

        # Every tenant's prompts in one list per process, never read by the platform: off.
        keep_global_lm_history(int(getattr(settings, "DSPEX_GLOBAL_LM_HISTORY", 0)))
        register_reapable(Execution, execution_mark_lost)
        register(*declared())
