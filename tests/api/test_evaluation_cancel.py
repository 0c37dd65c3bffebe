"""``POST /api/evaluations/{id}/cancel/`` cancels a pending or running evaluation; a finished one
is a 409; another user's is a 404."""

from __future__ import annotations

import pytest

from evaluations.services import evaluation_create, evaluation_start
from tests.evaluations.helpers import answering, evaluated, questions_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(user, qa_program):
    return questions_version(user, qa_program.signature, 3)


def _create(qa_program, version, user):
    return evaluation_create(program_version=qa_program.current_version, dataset_version=version, owner=user)


def test_a_pending_evaluation_is_cancelled_and_never_runs(ada_api, openai_stub, qa_program, version, user):
    evaluation = _create(qa_program, version, user)
    response = ada_api.post(f"/api/evaluations/{evaluation.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None
    evaluation.run()
    assert evaluation.status == "cancelled" and evaluation.results.count() == 0
    assert openai_stub.completion_requests() == []


def test_a_running_evaluation_is_cancelled(ada_api, qa_program, version, user):
    evaluation = _create(qa_program, version, user)
    evaluation_start(evaluation=evaluation)
    assert ada_api.post(f"/api/evaluations/{evaluation.pk}/cancel/").json()["status"] == "cancelled"


def test_a_finished_evaluation_cannot_be_cancelled(ada_api, openai_stub, qa_program, version, user):
    answering(openai_stub)
    evaluation = evaluated(qa_program, version, owner=user)
    response = ada_api.post(f"/api/evaluations/{evaluation.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"evaluation {evaluation.pk} is succeeded: only a pending or running one can be cancelled"
    )


def test_another_users_evaluation_is_not_found(grace_api, qa_program, version, user):
    evaluation = _create(qa_program, version, user)
    assert grace_api.post(f"/api/evaluations/{evaluation.pk}/cancel/").status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.status == "pending"
