"""Async executions: a pending row, a task enqueued on commit, the row completed by the task."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from actions.tasks import run_action
from programs.models import Execution
from programs.services import execution_run, program_execute_async
from programs.tasks import run_execution
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def test_it_records_a_pending_execution_and_enqueues_nothing_before_commit(
    openai_stub, qa_program, django_capture_on_commit_callbacks
):
    with mock.patch.object(run_action, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            execution = program_execute_async(program=qa_program, inputs={"question": "q"})
        assert execution.status == Execution.Status.PENDING
        delay.assert_not_called()
        assert len(callbacks) == 1
        callbacks[0]()
        delay.assert_called_once_with("program.execute", execution.pk)
    assert openai_stub.completion_requests() == []


def test_the_eager_task_runs_the_execution_on_commit(
    openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True):
        execution = program_execute_async(program=qa_program, inputs={"question": "Capital of France?"})
    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.outputs == {"answer": "Paris"}
    assert execution.lm_calls.count() == 1
    assert execution.started_at is not None and execution.finished_at is not None


def test_a_failing_run_is_recorded_on_the_row_not_raised_from_the_task(
    openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script({"status": 400})
    with django_capture_on_commit_callbacks(execute=True):
        execution = program_execute_async(program=qa_program, inputs={"question": "q"})
    execution.refresh_from_db()
    assert execution.status == Execution.Status.FAILED
    assert "BadRequestError" in execution.error


def test_bad_inputs_are_rejected_before_anything_is_enqueued(qa_program, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(ValidationError) as caught,
    ):
        program_execute_async(program=qa_program, inputs={"query": "q"})
    assert "query" in caught.value.message_dict
    assert callbacks == []
    assert not Execution.objects.exists()


def test_running_a_finished_execution_again_changes_nothing(
    openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True):
        execution = program_execute_async(program=qa_program, inputs={"question": "q"})
    execution_run(execution_id=execution.pk)  # a redelivered task
    assert len(openai_stub.completion_requests()) == 1
    assert Execution.objects.get().lm_calls.count() == 1


def test_running_a_missing_execution_is_a_no_op():
    assert execution_run(execution_id=987654) is None


def test_the_tasks_are_acked_late_and_rejected_when_the_worker_is_lost():
    for task in (run_action, run_execution):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
