"""Admin for experiments and their trials (rows written by services only).

An experiment's page shows its progress bar, the score trajectory as a server-rendered SVG chart,
the trials, and a Cancel button while it runs; it reloads itself every few seconds until the run
ends. Programs are optimized from the program page ("Optimize") or the program list action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse

from actions.admin import ActionsAdminMixin
from core.runs import TERMINAL
from core.svg import line_chart_svg
from experiments.models import Experiment, Trial
from programs.admin import ReadOnlyAdminMixin


class TrialInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Trial
    fields = ("candidate", "kind", "score", "created_at")
    readonly_fields = fields
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _can_cancel(request: HttpRequest) -> bool:
    return request.user.has_perm("experiments.change_experiment")


@admin.register(Experiment)
class ExperimentAdmin(ActionsAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/experiments/experiment/change_form.html"
    list_display = (
        "id", "program_version", "dataset_version", "optimizer", "metric", "status", "progress_display",
        "baseline_score", "best_score", "owner", "created_at",
    )  # fmt: skip
    list_filter = ("status", "optimizer", "created_at")
    search_fields = ("optimizer", "program_version__program__name", "dataset_version__dataset__name")
    list_select_related = ("program_version__program", "dataset_version__dataset", "owner")
    inlines = [TrialInline]

    @admin.display(description="Progress")
    def progress_display(self, obj: Experiment) -> str:
        total = obj.trials_total if obj.trials_total is not None else "?"
        return f"{obj.trials_done}/{total}"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        experiment = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if experiment is not None:
            final = experiment.trials.filter(kind="compiled").values_list("score", flat=True).first()
            context.update(
                running=experiment.status not in TERMINAL,
                can_cancel=_can_cancel(request) and experiment.status not in TERMINAL,
                progress_percent=None if experiment.progress is None else round(100 * experiment.progress),
                final_score=final,
                chart=line_chart_svg(
                    experiment.score_trajectory,
                    title="Best score after each scored trial",
                    x_label="scored trial",
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context=context)


@admin.register(Trial)
class TrialAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("candidate", "kind", "experiment", "score", "created_at")
    list_filter = ("kind", "experiment__status", "created_at")
    search_fields = ("candidate", "experiment__program_version__program__name")
    list_select_related = ("experiment",)
