"""Admin for experiments and their trials (both written by services only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from experiments.models import Experiment, Trial
from programs.admin import ReadOnlyAdminMixin


class TrialInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Trial
    fields = ("candidate", "score", "created_at")
    readonly_fields = fields
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Experiment)
class ExperimentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "program_version", "dataset_version", "optimizer", "status", "trials_done", "trials_total",
        "best_score", "owner", "created_at",
    )  # fmt: skip
    list_filter = ("status", "optimizer", "created_at")
    search_fields = ("optimizer", "program_version__program__name", "dataset_version__dataset__name")
    list_select_related = ("program_version__program", "dataset_version__dataset", "owner")
    inlines = [TrialInline]


@admin.register(Trial)
class TrialAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("candidate", "experiment", "score", "created_at")
    list_filter = ("experiment__status", "created_at")
    search_fields = ("candidate", "experiment__program_version__program__name")
    list_select_related = ("experiment",)
