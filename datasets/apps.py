from __future__ import annotations

from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "datasets"
    verbose_name = "Datasets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from actions import register
        from datasets.actions import declared
        from programs.tools import register_tool

        register(*declared())
        register_tool("search_examples", "datasets.tools.search_examples_tool")
