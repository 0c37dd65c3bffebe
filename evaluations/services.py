"""Writes for evaluations: create, move through the status machine, record per-example results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q, Sum

from datasets.models import DatasetVersion, Example, Split
from dspex_project.ownership import authenticated_or_none
from dspex_project.runs import RunStatus, run_transition
from evaluations.models import Evaluation, EvaluationResult
from programs.models import ProgramVersion

__all__ = [
    "evaluation_cancel",
    "evaluation_create",
    "evaluation_fail",
    "evaluation_finish",
    "evaluation_result_record",
    "evaluation_start",
]


def evaluation_create(
    *,
    program_version: ProgramVersion,
    dataset_version: DatasetVersion,
    split: str = Split.DEV,
    metrics: list[Any] | None = None,
    owner: Any = None,
) -> Evaluation:
    """A pending evaluation over ``split`` (its size becomes ``examples_total``)."""
    if metrics is not None and not isinstance(metrics, list):
        raise ValidationError({"metrics": "metrics must be a JSON list"})
    evaluation = Evaluation(
        program_version=program_version,
        dataset_version=dataset_version,
        split=split,
        metrics=metrics or [],
        examples_total=dataset_version.examples.filter(split=split).count(),
        owner=authenticated_or_none(owner),
    )
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def evaluation_start(*, evaluation: Evaluation) -> Evaluation:
    return run_transition(run=evaluation, to=RunStatus.RUNNING)


def evaluation_finish(*, evaluation: Evaluation) -> Evaluation:
    """Mark it succeeded with its aggregates: mean score, tokens and cost over the results."""
    totals = evaluation.results.aggregate(
        mean_score=Avg("score"),
        prompt=Sum("prompt_tokens"),
        completion=Sum("completion_tokens"),
        total_cost=Sum("cost"),
        unknown_costs=Count("id", filter=Q(cost__isnull=True)),
    )
    return run_transition(
        run=evaluation,
        to=RunStatus.SUCCEEDED,
        score=totals["mean_score"],
        prompt_tokens=totals["prompt"] or 0,
        completion_tokens=totals["completion"] or 0,
        cost=None if totals["unknown_costs"] else (totals["total_cost"] or Decimal(0)),
    )


def evaluation_fail(*, evaluation: Evaluation, error: str) -> Evaluation:
    return run_transition(run=evaluation, to=RunStatus.FAILED, error=error)


def evaluation_cancel(*, evaluation: Evaluation) -> Evaluation:
    return run_transition(run=evaluation, to=RunStatus.CANCELLED)


def evaluation_result_record(
    *,
    evaluation: Evaluation,
    example: Example,
    prediction: dict[str, Any] | None,
    score: float | None,
    error: str = "",
    latency_ms: float | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost: Decimal | None = None,
) -> EvaluationResult:
    """Store one example's outcome and advance ``examples_done`` (only while running)."""
    if example.version_id != evaluation.dataset_version_id or example.split != evaluation.split:
        raise ValidationError(
            f"example {example.pk} is not in {evaluation.dataset_version}/{evaluation.split}", code="invalid"
        )
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status != RunStatus.RUNNING:
            raise ValidationError(
                f"evaluation {locked.pk} is {locked.status}: results are recorded only while it runs",
                code="not_running",
            )
        result = EvaluationResult.objects.create(
            evaluation=locked,
            example=example,
            prediction=prediction,
            score=score,
            error=error,
            latency_ms=latency_ms,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost,
        )
        done = locked.results.count()
        Evaluation.objects.filter(pk=locked.pk).update(examples_done=done)
    evaluation.examples_done = done
    return result
