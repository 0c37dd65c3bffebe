"""Evaluations share the run status machine and count the examples of their split."""

from __future__ import annotations

import pytest

from core.runs import InvalidTransition, RunStatus
from evaluations.models import Evaluation
from evaluations.services import (
    evaluation_cancel,
    evaluation_create,
    evaluation_fail,
    evaluation_start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(qa_program, qa_dataset_version, user):
    return evaluation_create(
        program_version=qa_program.current_version,
        dataset_version=qa_dataset_version,
        split="dev",
        metrics=["exact_match"],
        owner=user,
    )


def test_a_new_evaluation_is_pending_with_the_size_of_its_split(evaluation):
    assert evaluation.status == RunStatus.PENDING
    assert (evaluation.examples_total, evaluation.examples_done, evaluation.progress) == (2, 0, 0.0)
    assert evaluation.metrics == ["exact_match"]


def test_it_can_start_and_fail(evaluation):
    evaluation_start(evaluation=evaluation)
    evaluation_fail(evaluation=evaluation, error="LM down")
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert (stored.status, stored.error) == (RunStatus.FAILED, "LM down")
    assert stored.started_at <= stored.finished_at


def test_a_cancelled_evaluation_cannot_start(evaluation):
    evaluation_cancel(evaluation=evaluation)
    with pytest.raises(InvalidTransition):
        evaluation_start(evaluation=evaluation)
