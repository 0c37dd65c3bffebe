"""``POST /api/evaluations/`` creates an evaluation, queues its run on commit and answers 202; the
(eager, in tests) task then runs it: one result per example, aggregates on the row."""

from __future__ import annotations

from unittest import mock

import pytest

from actions.tasks import run_action
from evaluations.models import Evaluation
from programs.services import program_version_create
from tests.evaluations.helpers import answering, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(user, qa_program):
    return questions_version(user, qa_program.signature, 6)


def test_it_answers_202_and_the_evaluation_then_succeeds(
    ada_api, openai_stub, qa_program, questions, django_capture_on_commit_callbacks
):
    answering(openai_stub, wrong={"q5"})
    body = {"program": qa_program.pk, "dataset": questions.dataset_id, "metrics": ["exact_match", "f1"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_api.post("/api/evaluations/", body, format="json")
    assert response.status_code == 202, response.json()
    created = response.json()
    assert created["status"] == "pending"
    assert (created["program_version_number"], created["dataset_version_number"], created["split"]) == (
        1,
        1,
        "dev",
    )
    assert (created["examples_total"], created["concurrency"]) == (6, 8)
    assert response["Location"].endswith(f"/api/evaluations/{created['id']}/")

    detail = ada_api.get(f"/api/evaluations/{created['id']}/").json()
    assert detail["status"] == "succeeded"
    assert (detail["examples_done"], detail["progress"]) == (6, 1.0)
    assert detail["score"] == pytest.approx(5 / 6)
    assert detail["metric_scores"] == {"exact_match": pytest.approx(5 / 6), "f1": pytest.approx(5 / 6)}
    assert detail["prompt_tokens"] > 0
    results = ada_api.get(f"/api/evaluations/{created['id']}/results/").json()
    assert results["count"] == 6
    assert results["results"][5]["prediction"] == {"answer": "nope"}
    assert results["results"][5]["metric_scores"] == {"exact_match": 0.0, "f1": 0.0}


def test_versions_can_be_chosen_by_number(ada_api, user, openai_stub, qa_program, questions):
    program_version_create(program=qa_program, state=None, note="v2")
    questions_version(user, qa_program.signature, 2, name="other")  # another dataset: not chosen
    with mock.patch.object(run_action, "delay"):
        response = ada_api.post(
            "/api/evaluations/",
            {
                "program": qa_program.pk,
                "program_version_number": 1,
                "dataset": questions.dataset_id,
                "dataset_version_number": 1,
                "split": "dev",
                "concurrency": 2,
                "limit": 3,
            },
            format="json",
        )
    assert response.status_code == 202, response.json()
    evaluation = Evaluation.objects.get(pk=response.json()["id"])
    assert (evaluation.program_version.number, evaluation.dataset_version_id) == (1, questions.pk)
    assert (evaluation.concurrency, evaluation.limit, evaluation.examples_total) == (2, 3, 3)


def test_the_task_is_queued_only_on_commit(
    ada_api, openai_stub, qa_program, questions, django_capture_on_commit_callbacks
):
    with mock.patch.object(run_action, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = ada_api.post(
                "/api/evaluations/",
                {"program": qa_program.pk, "dataset": questions.dataset_id},
                format="json",
            )
        assert response.status_code == 202
        delay.assert_not_called()
        [callback] = callbacks
        callback()
        delay.assert_called_once_with("evaluation.start", response.json()["id"])
    assert openai_stub.completion_requests() == []
