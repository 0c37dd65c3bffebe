"""``evaluation_run`` scores every example with ``dspex.Evaluate`` and writes one row per example."""

from __future__ import annotations

import pytest

from core.runs import RunStatus
from evaluations.services import evaluation_create, evaluation_run
from tests.evaluations.helpers import answering

pytestmark = pytest.mark.django_db


def test_it_scores_every_example_and_aggregates(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 10)
    answering(openai_stub, wrong={"q3", "q7"})
    evaluation = evaluation_create(
        program_version=qa_program.current_version,
        dataset_version=version,
        metrics=["exact_match", "f1"],
        concurrency=4,
        owner=user,
    )
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.SUCCEEDED, evaluation.error
    assert (evaluation.examples_done, evaluation.examples_total, evaluation.progress) == (10, 10, 1.0)
    assert evaluation.score == pytest.approx(0.8)
    assert evaluation.metric_scores == {"exact_match": pytest.approx(0.8), "f1": pytest.approx(0.8)}
    results = list(evaluation.results.select_related("example").order_by("example__position"))
    assert len(results) == 10
    wrong = results[3]
    assert wrong.prediction == {"answer": "nope"}
    assert (wrong.score, wrong.metric_scores, wrong.error) == (0.0, {"exact_match": 0.0, "f1": 0.0}, "")
    right = results[0]
    assert right.prediction == {"answer": "a0"} and right.score == 1.0
    assert right.prompt_tokens > 0 and right.completion_tokens > 0 and right.latency_ms > 0
    assert evaluation.prompt_tokens == sum(r.prompt_tokens for r in results)
    assert evaluation.completion_tokens == sum(r.completion_tokens for r in results)
    assert evaluation.cost is None  # the stub model has no price
    assert len(openai_stub.completion_requests()) == 10


def test_a_failed_example_is_a_result_with_its_error_and_counts_zero(
    openai_stub, qa_program, make_questions, user
):
    version = make_questions(user, 4)
    answering(openai_stub, fail={"q1"})
    evaluation = evaluation_create(program_version=qa_program.current_version, dataset_version=version)
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.SUCCEEDED
    failed = evaluation.results.get(example__position=1)
    assert failed.prediction is None and failed.score is None
    assert "ServerError" in failed.error
    assert evaluation.score == pytest.approx(0.75)


def test_a_limit_runs_only_the_first_examples(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 6)
    answering(openai_stub)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, limit=2
    )
    assert evaluation.examples_total == 2
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert sorted(evaluation.results.values_list("example__position", flat=True)) == [0, 1]
    assert evaluation.score == 1.0
