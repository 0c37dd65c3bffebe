"""Cancelling a running evaluation stops it between examples; the results it has stay."""

from __future__ import annotations

import pytest

from core.runs import RunStatus
from evaluations.models import Evaluation
from evaluations.services import evaluation_cancel, evaluation_create, evaluation_run
from tests.evaluations.helpers import answering

pytestmark = pytest.mark.django_db


def test_the_runner_stops_after_a_cancel_and_keeps_the_finished_rows(
    openai_stub, qa_program, make_questions, user
):
    version = make_questions(user, 30)
    answering(openai_stub, wrong={"q1"}, delay=0.02)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, concurrency=1, owner=user
    )
    seen = []

    def cancel_after_five(row: Evaluation) -> None:
        seen.append(row.examples_done)
        if row.examples_done >= 5:
            evaluation_cancel(evaluation=Evaluation.objects.get(pk=row.pk))  # as the API would

    evaluation = evaluation_run(evaluation_id=evaluation.pk, on_progress=cancel_after_five)

    assert evaluation.status == RunStatus.CANCELLED
    assert seen == [1, 2, 3, 4, 5]
    assert evaluation.results.count() == 5  # an example in flight at the cancel is not recorded
    assert evaluation.examples_done == 5
    assert evaluation.score == pytest.approx(0.8)  # the aggregates of the 5 finished examples
    assert len(openai_stub.completion_requests()) <= 7  # at most the next one or two had started
    assert evaluation.finished_at is not None


def test_a_cancelled_pending_evaluation_never_runs(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 3)
    evaluation = evaluation_create(program_version=qa_program.current_version, dataset_version=version)
    evaluation_cancel(evaluation=evaluation)
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.CANCELLED
    assert evaluation.results.count() == 0
    assert openai_stub.completion_requests() == []
