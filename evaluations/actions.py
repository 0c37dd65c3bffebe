"""The actions of evaluations, declared once (see ``actions``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from actions import Action, Background, Failure, GraphQLShape, Outcome, Shell
from actions.fields import VisibleRowField
from core.rest import FirstRendererNegotiation
from core.runs import InvalidTransition
from core.users import Caller
from evaluations.api.serializers import ComparisonSerializer, EvaluationInputSerializer, EvaluationSerializer
from evaluations.exports import EXPORT_FORMATS, evaluation_export_response
from evaluations.models import Evaluation
from evaluations.selectors import (
    CHANGES,
    Comparison,
    evaluation_compare,
    evaluation_list,
    evaluation_versions,
)
from evaluations.services import evaluation_cancel, evaluation_create, evaluation_enqueue, evaluation_run

__all__ = [
    "CANCEL_EVALUATION",
    "COMPARE_EVALUATION",
    "EXPORT_EVALUATION",
    "RUN_EVALUATION",
    "START_EVALUATION",
    "EvaluationExport",
    "EvaluationFinished",
    "declared",
]


class EvaluationFinished(Exception):
    """Only a pending or running evaluation can be cancelled."""

    def __init__(self, evaluation: Evaluation, current: str) -> None:
        super().__init__(
            f"evaluation {evaluation.pk} is {current}: only a pending or running one can be cancelled"
        )


def _cancel(*, target: Evaluation, user: Caller | None) -> Evaluation:
    try:
        evaluation_cancel(evaluation=target)
    except InvalidTransition as exc:
        raise EvaluationFinished(target, exc.current) from None
    target.refresh_from_db()
    return target


CANCEL_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="cancel",
    summary="Cancel an evaluation",
    description="A pending evaluation never runs; a running one stops between examples and keeps the "
    "results it has (its aggregates are those over them). A finished one cannot be cancelled "
    "(code `finished`; REST answers 409).",
    service=_cancel,
    result=Outcome(serializer=EvaluationSerializer),
    failures=(
        Failure(
            EvaluationFinished,
            code="finished",
            status=409,
            field="id",
            rest_body=lambda exc: {"detail": str(exc)},
        ),
    ),
)


class ExportArguments(serializers.Serializer):
    format = serializers.ChoiceField(choices=list(EXPORT_FORMATS), default="csv")


@dataclass(frozen=True)
class EvaluationExport:
    """The results of an evaluation in one format, streamed when downloaded."""

    evaluation: Evaluation
    format: str

    def response(self) -> StreamingHttpResponse:
        return evaluation_export_response(self.evaluation, self.format)

    def text(self) -> str:
        """The whole export at once (the shell's answer)."""
        return b"".join(self.response().streaming_content).decode()  # type: ignore[arg-type]


def _export(*, target: Evaluation, user: Caller | None, format: str) -> EvaluationExport:
    return EvaluationExport(target, format)


EXPORT_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="export",
    summary="Download the results as CSV or JSON",
    description="Streamed, one example per line (CSV: `input.*`, `label.*`, `prediction.*`, "
    "`score`, `metric.*`, `error`, latency, tokens, cost) or a JSON document "
    "`{evaluation: {...}, results: [...]}`.",
    service=_export,
    arguments=ExportArguments,
    safe=True,
    result=Outcome(
        http_response=lambda export: export.response(),
        openapi={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): OpenApiTypes.OBJECT,
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Field name -> list of messages"
            ),
            (404, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Missing, or not yours"
            ),
        },
    ),
    rest_options={
        "renderer_classes": [JSONRenderer],  # errors; the export itself is a streamed response
        "content_negotiation_class": FirstRendererNegotiation,  # ?format= is ours, not DRF's
    },
    shell=Shell(result=lambda export: export.text()),
)


def _start(*, target: Evaluation, user: Caller | None) -> Evaluation:
    return evaluation_enqueue(evaluation=target, enqueue=False)


def _evaluate_here(evaluation_id: int, report: Callable[[int, int], None]) -> None:
    def on_progress(row: Evaluation) -> None:
        report(row.examples_done, row.examples_total or 0)

    evaluation_run(evaluation_id=evaluation_id, on_progress=on_progress)


def _evaluation_run(start: Callable[..., Evaluation]) -> Background:
    """The background work of an evaluation, whichever action made its row (``start``)."""
    return Background(
        start=start,
        run=lambda evaluation_id: evaluation_run(evaluation_id=evaluation_id),
        status_model="evaluations.Evaluation",
        progress=lambda row: (row.examples_done, row.examples_total or 0),
        serializer=EvaluationSerializer,
        location="evaluation-detail",
        here=_evaluate_here,
    )


def _run_here(*, target: Evaluation, user: Caller | None) -> Evaluation:
    evaluation_run(evaluation_id=target.pk)
    target.refresh_from_db()
    return target


RUN_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="run",
    summary="Run the evaluation",
    description="Queue a pending (or interrupted) evaluation for a worker: it runs the program "
    "version on every example of the split, resuming after the results already written. A finished "
    "evaluation cannot run again (start a new one).",
    background=_evaluation_run(_start),
    # ``evaluation.run()`` in the shell runs it to the end in the operator's process;
    # ``evaluation.run(background=True)`` queues it.
    shell=Shell(inline=_run_here, background_flag="background"),
)


def _start_new(
    *,
    user: Caller | None,
    program: Any,
    dataset: Any,
    split: str,
    program_version_number: Any = None,
    dataset_version_number: Any = None,
    metrics: Any = None,
    concurrency: int | None = None,
    limit: int | None = None,
) -> Evaluation:
    program_version, dataset_version = evaluation_versions(  # the defaults: current / latest
        program=program,
        dataset=dataset,
        program_version_number=getattr(program_version_number, "number", None),
        dataset_version_number=getattr(dataset_version_number, "number", None),
    )
    return evaluation_create(
        program_version=program_version,
        dataset_version=dataset_version,
        split=split,
        metrics=metrics,
        concurrency=concurrency,
        limit=limit,
        owner=user,
    )


START_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="start",
    summary="Create and start an evaluation",
    description="A worker runs the program version on every example of the split and scores each "
    "with the metrics. The answer is 202 with the evaluation, pending (or further along): follow it "
    "with `GET /api/evaluations/{id}/` (`status`, `examples_done`/`examples_total`, running "
    "`score`) and its `results/`. Bad arguments are a 400 keyed by field: `program`, "
    "`program_version_number`, `dataset`, `dataset_version_number`, `split` (unknown, or no "
    "examples), `metrics` (unknown names or options, e.g. `metrics[1]: unknown metric 'acc'`), "
    "`concurrency`, `limit`.",
    detail=False,
    arguments=EvaluationInputSerializer,
    background=_evaluation_run(_start_new),
    rest_path="",  # POST /api/evaluations/
    graphql_name="startEvaluation",
    graphql_description="A worker runs the program version on every example of the split and "
    "records one result per example. Bad input is an error naming the field (program, "
    "programVersion, dataset, datasetVersion, split, metrics, concurrency, limit); nothing is "
    "queued then.",
    graphql_shape=GraphQLShape(
        input="StartEvaluationInput",
        names={
            "program_version_number": "program_version",
            "dataset_version_number": "dataset_version",
        },
        descriptions={
            "program": "The program to evaluate",
            "dataset": "The dataset to evaluate on",
            "program_version_number": "One of its versions (default: the current one)",
            "dataset_version_number": "One of its versions (default: the latest)",
            "split": "train, dev (default) or test",
            "concurrency": "Examples in flight at once (default 8)",
        },
    ),
    # ``Evaluation.start(program=..., dataset=...)`` in the shell queues it like every surface.
)


class CompareArguments(serializers.Serializer):
    other = VisibleRowField(
        "evaluations.Evaluation",
        visible=lambda user: evaluation_list(user=user),
        help_text="The id of the evaluation to compare with (the baseline)",
        error_messages={"not_found": "there is no evaluation {value} of yours"},
    )
    change = serializers.ChoiceField(choices=CHANGES, required=False, help_text="Only these rows")


@dataclass(frozen=True)
class ComparisonView:
    """A comparison and the rows asked for."""

    comparison: Comparison
    change: str | None


def _compare(
    *, target: Evaluation, user: Caller | None, other: Evaluation, change: str | None = None
) -> ComparisonView:
    try:
        comparison = evaluation_compare(evaluation=target, baseline=other)
    except ValidationError as exc:
        raise serializers.ValidationError({"other": exc.messages}) from None
    return ComparisonView(comparison, change)


def _comparison_page(view: Any, request: Any, shown: ComparisonView) -> Any:
    comparison = shown.comparison
    paginator = view.paginator
    page = paginator.paginate_queryset(comparison.filtered(shown.change), request, view=view)
    body = {
        "evaluation": comparison.evaluation.pk,
        "other": comparison.baseline.pk,
        "score": comparison.evaluation.score,
        "other_score": comparison.baseline.score,
        "counts": comparison.counts,
        "count": paginator.page.paginator.count,
        "next": paginator.get_next_link(),
        "previous": paginator.get_previous_link(),
        "results": page,
    }
    return Response(ComparisonSerializer(body).data)


COMPARE_EVALUATION = Action(
    resource="evaluations.Evaluation",
    name="compare",
    summary="Compare with another evaluation, example by example",
    description="Compare this evaluation with another one (`other`, the baseline), example by "
    "example on the main score: `improved` (higher here), `regressed`, `unchanged`, `missing` (a "
    "result in only one of them). Rows are paginated and filtered by `change`. Both must be of the "
    "same dataset version and split: otherwise 400 saying which differs.",
    service=_compare,
    arguments=CompareArguments,
    safe=True,
    result=Outcome(serializer=ComparisonSerializer, rest_render=_comparison_page, paginated=True),
    rest_options={"filter_backends": []},
    shell=Shell(
        arguments=lambda evaluation, other, change=None: {
            "other": other.pk,
            **({"change": change} if change else {}),
        },
        result=lambda shown: shown.comparison,
    ),
)


def declared() -> list[Action]:
    return [CANCEL_EVALUATION, COMPARE_EVALUATION, EXPORT_EVALUATION, RUN_EVALUATION, START_EVALUATION]
