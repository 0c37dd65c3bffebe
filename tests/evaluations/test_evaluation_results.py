"""One result row per example; finishing aggregates score, tokens and cost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core.runs import RunStatus
from evaluations.services import (
    evaluation_create,
    evaluation_finish,
    evaluation_result_record,
    evaluation_start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(qa_program, qa_dataset_version):
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=qa_dataset_version, split="dev"
    )
    evaluation_start(evaluation=evaluation)
    return evaluation


def _dev_examples(evaluation):
    return list(evaluation.dataset_version.examples.filter(split="dev").order_by("position"))


def test_results_advance_progress_and_finishing_aggregates(evaluation):
    rome, madrid = _dev_examples(evaluation)
    evaluation_result_record(
        evaluation=evaluation, example=rome, prediction={"answer": "Rome"}, score=1.0,
        prompt_tokens=10, completion_tokens=2, cost=Decimal("0.001"),
    )  # fmt: skip
    assert evaluation.examples_done == 1
    evaluation_result_record(
        evaluation=evaluation, example=madrid, prediction={"answer": "Paris"}, score=0.0,
        prompt_tokens=12, completion_tokens=3, cost=Decimal("0.002"),
    )  # fmt: skip
    evaluation_finish(evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == RunStatus.SUCCEEDED
    assert (evaluation.examples_done, evaluation.progress) == (2, 1.0)
    assert evaluation.score == 0.5
    assert (evaluation.prompt_tokens, evaluation.completion_tokens) == (22, 5)
    assert evaluation.cost == Decimal("0.003")


def test_an_unknown_cost_makes_the_total_unknown_and_a_failed_example_counts_zero(evaluation):
    rome, _ = _dev_examples(evaluation)
    evaluation_result_record(
        evaluation=evaluation, example=rome, prediction=None, score=None, error="LM down"
    )
    evaluation_finish(evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.cost is None
    assert evaluation.score == 0.0
    assert evaluation.metric_scores == {"exact_match": 0.0}


def test_an_example_has_one_result_per_evaluation(evaluation):
    rome, _ = _dev_examples(evaluation)
    evaluation_result_record(evaluation=evaluation, example=rome, prediction={"answer": "Rome"}, score=1.0)
    with pytest.raises(IntegrityError):
        evaluation_result_record(
            evaluation=evaluation, example=rome, prediction={"answer": "Rome"}, score=1.0
        )


def test_an_example_from_another_split_is_refused(evaluation):
    train = evaluation.dataset_version.examples.get(split="train")
    with pytest.raises(ValidationError) as caught:
        evaluation_result_record(evaluation=evaluation, example=train, prediction={}, score=1.0)
    assert "is not in" in caught.value.messages[0]
