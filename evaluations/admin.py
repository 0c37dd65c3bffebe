"""Admin for evaluations and their per-example results (both written by services only).

An evaluation's page shows its progress (a bar; the page refreshes itself while it runs), the
aggregate score of each metric and the distribution of scores (server-side SVG charts), and a
drill-down into its results (errors only, wrong only, a score range), plus:

- ``<id>/compare/?other=<id>``: example by example against another evaluation of the same
  dataset version and split (improved / regressed / unchanged / missing);
- ``<id>/export/csv/`` and ``<id>/export/json/``: the results, streamed;
- ``<id>/action/cancel/`` (POST, the declared ``evaluation.cancel``): stop it between examples.

Actions: "Run again with the same settings" and "Cancel" on evaluations; "Run an evaluation" on
program versions (see ``evaluations.admin_actions``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from actions import get
from actions.admin import ActionsAdminMixin
from actions.invoke import invoke, validate_arguments
from core.runs import TERMINAL, RunStatus
from core.svg import BAD, FILL, GOOD, TRACK, bar_chart, histogram, progress_bar
from evaluations.admin_actions import can_run_evaluations, run_evaluation
from evaluations.exports import EXPORT_FORMATS
from evaluations.metrics import metric_spec_names
from evaluations.models import Evaluation, EvaluationResult
from evaluations.selectors import CHANGES, evaluation_compare, evaluation_result_list, evaluation_score_values
from evaluations.services import evaluation_enqueue, evaluation_rerun
from programs.admin import ProgramVersionAdmin, ReadOnlyAdminMixin

RESULTS_PER_PAGE = 25
ROWS_PER_PAGE = 50
RESULT_VIEWS = {"all": "all", "errors": "errors only", "wrong": "scored below 1", "right": "scored 1"}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def can_cancel_evaluations(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("evaluations.change_evaluation"))


class HasErrorFilter(admin.SimpleListFilter):
    title = "error"
    parameter_name = "has_error"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Failed (has an error)"), ("no", "Scored")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(error="")
        if self.value() == "no":
            return queryset.filter(error="")
        return queryset


class ScoreFilter(admin.SimpleListFilter):
    title = "score"
    parameter_name = "score_range"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("0", "0"), ("partial", "between 0 and 1"), ("1", "1")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "0":
            return queryset.filter(score__lte=0)
        if self.value() == "partial":
            return queryset.filter(score__gt=0, score__lt=1)
        if self.value() == "1":
            return queryset.filter(score__gte=1)
        return queryset


def results_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    """One page of the evaluation's results (``?results=errors|wrong|right``,
    ``?results_min=``/``?results_max=``, ``?results_page=``) as table rows."""
    view = request.GET.get("results") or "all"
    if view not in RESULT_VIEWS:
        view = "all"
    low, high = _float(request.GET.get("results_min")), _float(request.GET.get("results_max"))
    results = evaluation_result_list(evaluation=evaluation)
    if view == "errors":
        results = results.exclude(error="")
    elif view == "wrong":
        results = results.filter(error="", score__lt=1)
    elif view == "right":
        results = results.filter(score__gte=1)
    if low is not None:
        results = results.filter(score__gte=low)
    if high is not None:
        results = results.filter(score__lte=high)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("results_page"))
    names = metric_spec_names(evaluation.metrics)
    rows = [
        {
            "result": result,
            "url": reverse("admin:evaluations_evaluationresult_change", args=[result.pk]),
            "inputs": result.example.inputs,
            "labels": result.example.labels,
            "metric_scores": [(result.metric_scores or {}).get(name) for name in names],
        }
        for result in page.object_list
    ]
    query = f"results={view}" + (f"&results_min={low}" if low is not None else "")
    query += f"&results_max={high}" if high is not None else ""
    return {
        "results_view": view,
        "results_views": RESULT_VIEWS.items(),
        "results_min": "" if low is None else low,
        "results_max": "" if high is None else high,
        "results_page": page,
        "results_rows": rows,
        "results_query": query,
        "results_metric_names": names,
        "results_changelist": reverse("admin:evaluations_evaluationresult_changelist")
        + f"?evaluation__id__exact={evaluation.pk}",
    }


def summary_context(evaluation: Evaluation) -> dict[str, Any]:
    """Progress, aggregates and charts of an evaluation's page."""
    names = metric_spec_names(evaluation.metrics)
    metric_items = [(name, (evaluation.metric_scores or {}).get(name)) for name in names]
    scores = evaluation_score_values(evaluation=evaluation)
    done, total = evaluation.examples_done, evaluation.examples_total
    label = f"{done}/{total if total is not None else '?'} examples"
    if evaluation.progress is not None:
        label += f" ({evaluation.progress * 100:.0f}%)"
    return {
        "evaluation_progress_bar": progress_bar(evaluation.progress, width=420, label=label),
        "evaluation_metric_chart": bar_chart(metric_items, title="score per metric"),
        "evaluation_histogram": histogram(scores, title="distribution of the main score") if scores else "",
        "evaluation_metric_items": [(name, _percent(value)) for name, value in metric_items],
        "evaluation_failed_count": evaluation.results.exclude(error="").count(),
        "evaluation_running": evaluation.status in (RunStatus.PENDING, RunStatus.RUNNING),
        "evaluation_score": _percent(evaluation.score),
        "evaluation_formats": list(EXPORT_FORMATS),
    }


@admin.register(Evaluation)
class EvaluationAdmin(ActionsAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "id", "program_version", "dataset_version", "split", "status", "progress_bar", "score_percent",
        "cost", "owner", "created_at",
    )  # fmt: skip
    list_filter = ("status", "split", "created_at")
    search_fields = ("program_version__program__name", "dataset_version__dataset__name")
    list_select_related = ("program_version__program", "dataset_version__dataset", "owner")
    actions = ["run_again"]  # + "Cancel ...: the selected evaluations" from the declared actions
    readonly_fields = (
        "program_version", "dataset_version", "split", "metrics", "concurrency", "limit", "status",
        "examples_done", "examples_total", "score", "metric_scores", "prompt_tokens", "completion_tokens",
        "cost", "error", "owner", "created_at", "updated_at", "started_at", "finished_at",
    )  # fmt: skip

    @admin.display(description="progress")
    def progress_bar(self, obj: Evaluation) -> str:
        label = f"{obj.examples_done}/{obj.examples_total if obj.examples_total is not None else '?'}"
        return progress_bar(obj.progress, width=120, height=14, label=label)

    @admin.display(description="score", ordering="score")
    def score_percent(self, obj: Evaluation) -> str:
        return _percent(obj.score)

    # -- actions ---------------------------------------------------------------------------------
    @admin.action(description="Run again with the same settings")
    def run_again(self, request: HttpRequest, queryset: QuerySet[Evaluation]) -> None:
        if not can_run_evaluations(request):
            self.message_user(request, "You may not run evaluations.", messages.ERROR)
            return
        created = []
        try:
            with transaction.atomic():
                for evaluation in queryset.select_related("program_version__program", "dataset_version"):
                    created.append(
                        evaluation_enqueue(
                            evaluation=evaluation_rerun(evaluation=evaluation, owner=request.user)
                        )
                    )
        except ValidationError as exc:
            self.message_user(request, f"Nothing was queued: {' '.join(exc.messages)}", messages.ERROR)
            return
        ids = ", ".join(str(evaluation.pk) for evaluation in created)
        self.message_user(request, f"Queued {len(created)} new evaluation(s): {ids}.", messages.SUCCESS)

    # -- pages -----------------------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        custom = [
            path("<path:object_id>/compare/", view(self.compare_view), name="evaluations_evaluation_compare"),
            path(
                "<path:object_id>/export/<str:fmt>/",
                view(self.export_view),
                name="evaluations_evaluation_export",
            ),
        ]
        return custom + super().get_urls()

    def _evaluation(self, request: HttpRequest, object_id: str) -> Evaluation:
        evaluation: Evaluation | None = self.get_object(request, unquote(object_id))
        if evaluation is None:
            raise Http404(f"no evaluation {object_id}")
        if not self.has_view_permission(request, evaluation):
            raise PermissionDenied
        return evaluation

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        evaluation = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if evaluation is not None:
            extra.update(summary_context(evaluation))
            extra.update(results_context(request, evaluation))
            extra["can_cancel"] = can_cancel_evaluations(request) and evaluation.status not in TERMINAL
            extra["can_run"] = can_run_evaluations(request)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def export_view(self, request: HttpRequest, object_id: str, fmt: str) -> HttpResponseBase:
        """The ``evaluation.export`` action as a direct download link (CSV or JSON)."""
        evaluation = self._evaluation(request, object_id)
        if fmt not in EXPORT_FORMATS:
            raise Http404(f"unknown export format {fmt!r}")
        export = get("evaluation.export")
        arguments = validate_arguments(export, {"format": fmt}, user=request.user, target=evaluation)
        result = invoke(export, user=request.user, target=evaluation, arguments=arguments)
        assert export.result.http_response is not None  # a declared download
        return export.result.http_response(result)

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Pick another evaluation of the same dataset version and split; see what changed."""
        evaluation = self._evaluation(request, object_id)
        candidates = (
            Evaluation.objects.filter(dataset_version=evaluation.dataset_version, split=evaluation.split)
            .exclude(pk=evaluation.pk)
            .select_related("program_version__program")
            .order_by("-created_at")
        )
        other_id = request.GET.get("other") or ""
        change = request.GET.get("change") or ""
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": f"Compare evaluation {evaluation.pk}",
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "original": evaluation,
            "has_view_permission": True,
            "candidates": candidates[:200],
            "other_id": other_id,
            "change": change if change in CHANGES else "",
            "changes": CHANGES,
        }
        if other_id:
            other = Evaluation.objects.select_related("dataset_version__dataset").filter(pk=other_id).first()
            if other is None:
                context["problem"] = f"There is no evaluation {other_id}."
            else:
                try:
                    comparison = evaluation_compare(evaluation=evaluation, baseline=other)
                except ValidationError as exc:
                    context["problem"] = " ".join(exc.messages)
                else:
                    counts = comparison.counts
                    page = Paginator(comparison.filtered(context["change"]), ROWS_PER_PAGE).get_page(
                        request.GET.get("page")
                    )
                    context.update(
                        {
                            "other": other,
                            "counts": counts,
                            "counts_chart": bar_chart(
                                list(counts.items()),
                                maximum=max(max(counts.values()), 1),
                                percent=False,
                                title="examples by change",
                                colors=[GOOD, BAD, FILL, TRACK],
                            ),
                            "page": page,
                            "score": _percent(evaluation.score),
                            "other_score": _percent(other.score),
                        }
                    )
        return TemplateResponse(request, "admin/evaluations/evaluation/compare.html", context)


@admin.register(EvaluationResult)
class EvaluationResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "evaluation", "position", "score", "error_excerpt", "latency_ms", "prompt_tokens",
        "completion_tokens", "cost",
    )  # fmt: skip
    list_filter = (HasErrorFilter, ScoreFilter, "evaluation__status")
    search_fields = ("error", "evaluation__program_version__program__name")
    list_select_related = ("evaluation", "example__version__dataset")
    readonly_fields = (
        "evaluation_link", "example", "inputs", "labels", "prediction", "score", "metric_scores", "error",
        "latency_ms", "prompt_tokens", "completion_tokens", "cost", "created_at",
    )  # fmt: skip
    fields = readonly_fields

    @admin.display(description="#", ordering="example__position")
    def position(self, obj: EvaluationResult) -> int:
        return obj.example.position

    @admin.display(description="error")
    def error_excerpt(self, obj: EvaluationResult) -> str:
        return obj.error[:80] + ("…" if len(obj.error) > 80 else "")

    @admin.display(description="evaluation")
    def evaluation_link(self, obj: EvaluationResult) -> str:
        url = reverse("admin:evaluations_evaluation_change", args=[obj.evaluation_id])
        return format_html('<a href="{}">{}</a>', url, obj.evaluation)

    @admin.display(description="inputs")
    def inputs(self, obj: EvaluationResult) -> Any:
        return obj.example.inputs

    @admin.display(description="labels")
    def labels(self, obj: EvaluationResult) -> Any:
        return obj.example.labels


# A higher app adds to a lower app's admin: program versions get "Run an evaluation" from here, so
# programs.admin never imports evaluations.
if run_evaluation not in ProgramVersionAdmin.actions:
    ProgramVersionAdmin.actions = [*ProgramVersionAdmin.actions, run_evaluation]
