"""A real ``celery worker`` process on Redis picks up an enqueued execution and completes its row
(PostgreSQL + Redis: see ``conftest.py``)."""

from __future__ import annotations

import time

import pytest

from programs.models import Execution
from programs.services import program_execute_async
from tests.celery.conftest import TIMEOUT, worker_log
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_until_finished(execution: Execution, process) -> Execution:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        execution.refresh_from_db()
        if execution.status in (Execution.Status.SUCCEEDED, Execution.Status.FAILED):
            return execution
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{worker_log(process)}")
        time.sleep(0.2)
    pytest.fail(
        f"execution {execution.pk} still {execution.status} after {TIMEOUT:.0f} s:\n{worker_log(process)}"
    )


def test_the_worker_completes_an_enqueued_execution(openai_stub, qa_program, worker):
    openai_stub.script(reply(answer="Paris"))
    execution = program_execute_async(program=qa_program, inputs={"question": "Capital of France?"})
    assert execution.status == Execution.Status.PENDING

    execution = _wait_until_finished(execution, worker)

    assert execution.status == Execution.Status.SUCCEEDED, execution.error
    assert execution.outputs == {"answer": "Paris"}
    assert execution.started_at is not None and execution.finished_at is not None
    assert execution.prompt_tokens > 0
    trace = execution.lm_calls.get()
    assert trace.model == "openai/stub-model"
    assert trace.response.startswith("[[ ## answer ## ]]")
    request = openai_stub.completion_requests()[0]
    assert request.headers["authorization"] == f"Bearer {STUB_KEY}"  # the key came from the env
    log = worker_log(worker)
    assert "actions.run_action" in log and "succeeded" in log


def test_a_failing_run_is_recorded_on_the_row_by_the_worker(openai_stub, qa_program, worker):
    openai_stub.script({"status": 400})
    execution = program_execute_async(program=qa_program, inputs={"question": "q"})
    execution = _wait_until_finished(execution, worker)
    assert execution.status == Execution.Status.FAILED
    assert "BadRequestError" in execution.error
    assert execution.finished_at is not None
