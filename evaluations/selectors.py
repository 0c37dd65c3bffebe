"""Reads for evaluations and their results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from evaluations.models import Evaluation, EvaluationResult

__all__ = ["evaluation_list", "evaluation_result_list", "evaluation_result_list_for_user"]


def evaluation_list(*, user: Any, status: str | None = None) -> QuerySet[Evaluation]:
    evaluations = Evaluation.objects.visible_to(user).select_related(
        "program_version__program", "dataset_version__dataset", "owner"
    )
    if status is not None:
        evaluations = evaluations.filter(status=status)
    return evaluations


def evaluation_result_list(*, evaluation: Evaluation) -> QuerySet[EvaluationResult]:
    return evaluation.results.select_related("example").order_by("example__position")


def evaluation_result_list_for_user(*, user: Any) -> QuerySet[EvaluationResult]:
    """Results of the evaluations the user may see."""
    return EvaluationResult.objects.filter(evaluation__in=Evaluation.objects.visible_to(user)).select_related(
        "evaluation", "example"
    )
