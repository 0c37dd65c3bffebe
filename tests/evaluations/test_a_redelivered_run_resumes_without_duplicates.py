"""A run that starts again (a task redelivered after its worker died) skips the examples that
already have a result and finishes the others: no duplicates, nothing lost."""

from __future__ import annotations

import pytest
from django.db.models import Count

from core.runs import RunStatus
from evaluations.services import evaluation_create, evaluation_result_record, evaluation_run, evaluation_start
from tests.evaluations.helpers import answering, question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def half_done(openai_stub, qa_program, make_questions, user):
    """A running evaluation of 10 examples whose first worker recorded 4 results, then died."""
    version = make_questions(user, 10)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, owner=user
    )
    evaluation_start(evaluation=evaluation)
    for example in version.examples.order_by("position")[:4]:
        evaluation_result_record(
            evaluation=evaluation,
            example=example,
            prediction={"answer": "from the first worker"},
            score=0.0,
            prompt_tokens=7,
        )
    return evaluation


def test_only_the_missing_examples_run_and_every_example_has_one_result(openai_stub, half_done):
    answering(openai_stub)
    evaluation = evaluation_run(evaluation_id=half_done.pk)

    assert evaluation.status == RunStatus.SUCCEEDED, evaluation.error
    results = evaluation.results.select_related("example")
    assert results.count() == 10
    assert not results.values("example").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert sorted(r.example.position for r in results) == list(range(10))
    asked = sorted(question_of(request) for request in openai_stub.completion_requests())
    assert asked == [f"q{i}" for i in range(4, 10)]
    kept = results.filter(example__position__lt=4)
    assert {r.prediction["answer"] for r in kept} == {"from the first worker"}
    assert evaluation.examples_done == 10
    assert evaluation.score == pytest.approx(0.6)  # 4 recorded as wrong, 6 right


def test_running_a_finished_evaluation_again_changes_nothing(openai_stub, half_done):
    answering(openai_stub)
    first = evaluation_run(evaluation_id=half_done.pk)
    requests = len(openai_stub.completion_requests())
    again = evaluation_run(evaluation_id=half_done.pk)
    assert again.status == RunStatus.SUCCEEDED
    assert (again.finished_at, again.results.count()) == (first.finished_at, 10)
    assert len(openai_stub.completion_requests()) == requests


def test_a_run_with_every_example_done_just_finishes(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 2)
    evaluation = evaluation_create(program_version=qa_program.current_version, dataset_version=version)
    evaluation_start(evaluation=evaluation)
    for example in version.examples.all():
        evaluation_result_record(
            evaluation=evaluation, example=example, prediction={"answer": "a"}, score=1.0
        )
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert (evaluation.status, evaluation.score) == (RunStatus.SUCCEEDED, 1.0)
    assert openai_stub.completion_requests() == []
