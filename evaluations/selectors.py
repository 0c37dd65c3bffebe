"""Reads for evaluations and their results: lists, the comparison of two runs, export rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from core.users import Caller
from datasets.models import Dataset, DatasetVersion
from evaluations.metrics import metric_spec_names
from evaluations.models import Evaluation, EvaluationResult
from programs.models import Program, ProgramVersion

__all__ = [
    "CHANGES",
    "Comparison",
    "ComparisonRow",
    "evaluation_compare",
    "evaluation_export_rows",
    "evaluation_get",
    "evaluation_list",
    "evaluation_result_list",
    "evaluation_result_list_for_user",
    "evaluation_score_values",
    "evaluation_versions",
]

IMPROVED, REGRESSED, UNCHANGED, MISSING = "improved", "regressed", "unchanged", "missing"
CHANGES = (IMPROVED, REGRESSED, UNCHANGED, MISSING)
_TOLERANCE = 1e-9


def evaluation_list(*, user: Caller | None, status: str | None = None) -> QuerySet[Evaluation]:
    evaluations = Evaluation.objects.visible_to(user).select_related(
        "program_version__program", "dataset_version__dataset", "owner"
    )
    if status is not None:
        evaluations = evaluations.filter(status=status)
    return evaluations


def evaluation_get(*, user: Caller | None, pk: Any) -> Evaluation:
    """The evaluation, if the user may see it (``Evaluation.DoesNotExist`` otherwise)."""
    return evaluation_list(user=user).get(pk=pk)


def evaluation_result_list(*, evaluation: Evaluation) -> QuerySet[EvaluationResult]:
    return evaluation.results.select_related("example").order_by("example__position")


def evaluation_result_list_for_user(*, user: Caller | None) -> QuerySet[EvaluationResult]:
    """Results of the evaluations the user may see."""
    return EvaluationResult.objects.filter(evaluation__in=Evaluation.objects.visible_to(user)).select_related(
        "evaluation", "example"
    )


def evaluation_score_values(*, evaluation: Evaluation) -> list[float]:
    """The main score of every result (a failed example counts 0), for a histogram."""
    return [score or 0.0 for score in evaluation.results.values_list("score", flat=True)]


# -- comparison ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComparisonRow:
    """One example of two evaluations: ``score`` is the evaluation's, ``baseline_score`` the
    other's (``None``: no result there; a failed example scores 0)."""

    example_id: int
    position: int
    inputs: dict[str, Any]
    labels: dict[str, Any]
    change: str
    score: float | None
    baseline_score: float | None
    prediction: Any
    baseline_prediction: Any
    error: str
    baseline_error: str

    @property
    def delta(self) -> float | None:
        if self.score is None or self.baseline_score is None:
            return None
        return self.score - self.baseline_score


@dataclass
class Comparison:
    """``evaluation`` against ``baseline`` example by example (both on one dataset version and
    split). ``improved``: a higher main score than in the baseline; ``missing``: an example with a
    result in only one of them (one was cancelled, limited or is still running)."""

    evaluation: Evaluation
    baseline: Evaluation
    rows: list[ComparisonRow] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(row.change == change for row in self.rows)

    @property
    def improved(self) -> int:
        return self.count(IMPROVED)

    @property
    def regressed(self) -> int:
        return self.count(REGRESSED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def counts(self) -> dict[str, int]:
        return {change: self.count(change) for change in CHANGES}

    def filtered(self, change: str | None) -> list[ComparisonRow]:
        return self.rows if not change else [row for row in self.rows if row.change == change]


def _outcomes(evaluation: Evaluation) -> dict[int, tuple[float, Any, str]]:
    rows = evaluation.results.values_list("example_id", "score", "prediction", "error")
    return {example_id: (score or 0.0, prediction, error) for example_id, score, prediction, error in rows}


def _change(score: float | None, baseline: float | None) -> str:
    if score is None or baseline is None:
        return MISSING
    if score > baseline + _TOLERANCE:
        return IMPROVED
    if score < baseline - _TOLERANCE:
        return REGRESSED
    return UNCHANGED


def evaluation_compare(*, evaluation: Evaluation, baseline: Evaluation) -> Comparison:
    """Compare ``evaluation`` with ``baseline`` example by example on their main scores.

    Both must be of the same dataset version and split (else a ``ValidationError`` saying which
    differ): only then are their examples the same.
    """
    if evaluation.dataset_version_id != baseline.dataset_version_id:
        raise ValidationError(
            f"evaluation {evaluation.pk} is on {evaluation.dataset_version} and evaluation {baseline.pk} on "
            f"{baseline.dataset_version}: only evaluations of the same dataset version can be compared "
            "example by example",
            code="dataset_mismatch",
        )
    if evaluation.split != baseline.split:
        raise ValidationError(
            f"evaluation {evaluation.pk} is on the {evaluation.split} split and evaluation {baseline.pk} "
            f"on the {baseline.split} split: they share no example",
            code="split_mismatch",
        )
    mine, theirs = _outcomes(evaluation), _outcomes(baseline)
    examples = (
        evaluation.dataset_version.examples.filter(pk__in=set(mine) | set(theirs))
        .order_by("position")
        .values_list("pk", "position", "inputs", "labels")
    )
    rows = []
    for pk, position, inputs, labels in examples:
        score, prediction, error = mine.get(pk, (None, None, ""))
        baseline_score, baseline_prediction, baseline_error = theirs.get(pk, (None, None, ""))
        rows.append(
            ComparisonRow(
                example_id=pk,
                position=position,
                inputs=inputs,
                labels=labels,
                change=_change(score, baseline_score),
                score=score,
                baseline_score=baseline_score,
                prediction=prediction,
                baseline_prediction=baseline_prediction,
                error=error,
                baseline_error=baseline_error,
            )
        )
    return Comparison(evaluation=evaluation, baseline=baseline, rows=rows)


# -- export ----------------------------------------------------------------------------------------
def evaluation_export_rows(*, evaluation: Evaluation) -> Iterator[dict[str, Any]]:
    """One plain dict per result, by example position, read in chunks (for streamed exports)."""
    names = metric_spec_names(evaluation.metrics)
    rows = (
        evaluation.results.order_by("example__position")
        .values(
            "example_id", "example__position", "example__inputs", "example__labels", "prediction", "score",
            "metric_scores", "error", "latency_ms", "prompt_tokens", "completion_tokens", "cost",
        )
        .iterator(chunk_size=500)
    )  # fmt: skip
    for row in rows:
        metric_scores = row["metric_scores"] or {}
        yield {
            "example_id": row["example_id"],
            "position": row["example__position"],
            "inputs": row["example__inputs"],
            "labels": row["example__labels"],
            "prediction": row["prediction"],
            "score": row["score"],
            "metric_scores": {name: metric_scores.get(name) for name in names},
            "error": row["error"],
            "latency_ms": row["latency_ms"],
            "prompt_tokens": row["prompt_tokens"],
            "completion_tokens": row["completion_tokens"],
            "cost": row["cost"],
        }


# -- what to evaluate ------------------------------------------------------------------------------
def evaluation_versions(
    *,
    program: Program,
    dataset: Dataset,
    program_version_number: int | None = None,
    dataset_version_number: int | None = None,
) -> tuple[ProgramVersion, DatasetVersion]:
    """The program version (default: current) and dataset version (default: latest) to evaluate;
    a missing one is a ``ValidationError`` keyed ``program_version_number``/``dataset_version_number``
    (or ``program``/``dataset`` when there is none at all)."""
    errors: dict[str, str] = {}
    program_version = None
    if program_version_number is None:
        program_version = program.current_version
        if program_version is None:
            errors["program"] = f"program {program.name!r} has no version to evaluate"
    else:
        program_version = program.versions.filter(number=program_version_number).first()
        if program_version is None:
            errors["program_version_number"] = (
                f"program {program.name!r} has no version {program_version_number}"
            )
    versions = dataset.versions.order_by("-number")
    if dataset_version_number is None:
        dataset_version = versions.first()
        if dataset_version is None:
            errors["dataset"] = f"dataset {dataset.name!r} has no versions yet: import examples first"
    else:
        dataset_version = versions.filter(number=dataset_version_number).first()
        if dataset_version is None:
            errors["dataset_version_number"] = (
                f"dataset {dataset.name!r} has no version {dataset_version_number}"
            )
    if errors:
        raise ValidationError(errors)
    assert program_version is not None and dataset_version is not None
    return program_version, dataset_version
