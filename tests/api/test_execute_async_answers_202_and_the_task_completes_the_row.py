"""``?async=true`` records a pending Execution, queues the task on commit and answers 202; the
(eager, in tests) task then completes the row."""

from __future__ import annotations

from unittest import mock

import pytest

from actions.tasks import run_action
from programs.models import Execution
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def test_it_answers_202_and_the_execution_then_succeeds(
    ada_api, openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_api.post(
            f"/api/programs/{qa_program.pk}/execute/?async=true", {"question": "Capital?"}, format="json"
        )
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"execution_id", "status"}
    assert response["Location"].endswith(f"/api/executions/{body['execution_id']}/")
    execution = Execution.objects.get(pk=body["execution_id"])
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.outputs == {"answer": "Paris"}
    detail = ada_api.get(f"/api/executions/{execution.pk}/").json()
    assert detail["status"] == "succeeded"
    assert detail["outputs"] == {"answer": "Paris"}


def test_the_task_is_queued_only_on_commit_and_the_answer_says_pending(
    ada_api, openai_stub, qa_program, django_capture_on_commit_callbacks
):
    with mock.patch.object(run_action, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = ada_api.post(
                f"/api/programs/{qa_program.pk}/execute/?async=1", {"question": "q"}, format="json"
            )
        assert response.status_code == 202
        assert response.json()["status"] == "pending"
        delay.assert_not_called()
        [callback] = callbacks
        callback()
        delay.assert_called_once_with("program.execute", response.json()["execution_id"])
    assert openai_stub.completion_requests() == []


def test_a_failing_async_run_is_recorded_on_the_row(
    ada_api, openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script({"status": 400})
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_api.post(
            f"/api/programs/{qa_program.pk}/execute/?async=true", {"question": "q"}, format="json"
        )
    assert response.status_code == 202
    detail = ada_api.get(f"/api/executions/{response.json()['execution_id']}/").json()
    assert detail["status"] == "failed"
    assert "BadRequestError" in detail["error"]
