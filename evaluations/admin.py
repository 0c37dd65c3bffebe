"""Admin for evaluations and their per-example results (both written by services only)."""

from __future__ import annotations

from django.contrib import admin

from evaluations.models import Evaluation, EvaluationResult
from programs.admin import ReadOnlyAdminMixin


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "program_version", "dataset_version", "split", "status", "examples_done", "examples_total",
        "score", "cost", "owner", "created_at",
    )  # fmt: skip
    list_filter = ("status", "split", "created_at")
    search_fields = ("program_version__program__name", "dataset_version__dataset__name")
    list_select_related = ("program_version__program", "dataset_version__dataset", "owner")


@admin.register(EvaluationResult)
class EvaluationResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "evaluation",
        "example",
        "score",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
        "cost",
    )
    list_filter = ("evaluation__status",)
    search_fields = ("error", "evaluation__program_version__program__name")
    list_select_related = ("evaluation", "example__version__dataset")
