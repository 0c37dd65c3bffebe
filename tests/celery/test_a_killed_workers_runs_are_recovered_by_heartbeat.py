"""A SIGKILLed solo-pool worker's runs are recovered long before Redis's visibility timeout
(an hour here): the next worker to start sees they stopped beating, re-queues the evaluation
(which resumes where it stopped) and fails the execution ("worker lost ...").

Workers beat every 0.5 s and count a run lost after 3 s without a beat (the defaults are 15 s
and 120 s). PostgreSQL + Redis: see ``conftest.py``.
"""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from evaluations.models import Evaluation, EvaluationResult
from evaluations.services import evaluation_create, evaluation_enqueue
from programs.models import Execution
from programs.services import program_execute_async
from tests.celery.conftest import worker_log
from tests.evaluations.helpers import answering, questions_version
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 16
STALE_AFTER = 3.0


@pytest.fixture
def beating_worker(start_worker, broker_queue):
    """``beating_worker()``: a worker with fast heartbeats, re-queuing onto the test's queue."""

    def start():
        return start_worker(
            CELERY_TASK_DEFAULT_QUEUE=broker_queue,
            DSPEX_HEARTBEAT_INTERVAL="0.5",
            DSPEX_STALE_RUN_AFTER=str(STALE_AFTER),
        )

    return start


def wait_for(predicate, what: str, workers, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    logs = "\n\n".join(worker_log(w) for w in workers)
    pytest.fail(f"timed out waiting for {what}:\n{logs}")


def kill(worker) -> float:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    return time.monotonic()


def test_a_killed_workers_evaluation_is_requeued_and_finished(beating_worker, openai_stub, qa_program, user):
    version = questions_version(user, qa_program.signature, EXAMPLES)
    answering(openai_stub, delay=0.25)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, concurrency=2, owner=user
    )
    rows = EvaluationResult.objects.filter(evaluation=evaluation)
    first = beating_worker()
    evaluation_enqueue(evaluation=evaluation)  # autocommit: sent at once
    wait_for(lambda: rows.count() >= 4, "results from the first worker", [first])
    killed_at = kill(first)
    assert Evaluation.objects.get(pk=evaluation.pk).status == "running"

    time.sleep(STALE_AFTER + 0.5)  # its last heartbeat is now older than the threshold
    second = beating_worker()  # reaps when it starts: the evaluation is queued again
    done = Evaluation.objects.filter(pk=evaluation.pk, status__in=["succeeded", "failed"])
    wait_for(done.exists, "the re-queued evaluation", [first, second])
    recovered_after = time.monotonic() - killed_at

    evaluation.refresh_from_db()
    assert evaluation.status == "succeeded", evaluation.error
    assert recovered_after < 60  # the visibility timeout is 3600 s
    assert evaluation.attempts == 2
    per_example = Counter(rows.values_list("example_id", flat=True))
    assert len(per_example) == EXAMPLES and set(per_example.values()) == {1}


def test_a_killed_workers_execution_is_failed_as_lost(beating_worker, openai_stub, qa_program):
    openai_stub.script({"content": reply(answer="too late"), "delay": 30})
    first = beating_worker()
    execution = program_execute_async(program=qa_program, inputs={"question": "q"})
    row = Execution.objects.filter(pk=execution.pk)
    wait_for(lambda: openai_stub.completion_requests() != [], "the LM request", [first])
    assert row.get().status == "running"
    kill(first)

    time.sleep(STALE_AFTER + 0.5)
    second = beating_worker()
    wait_for(lambda: row.get().status != "running", "the reaper", [first, second], timeout=30)
    execution = row.get()
    assert execution.status == "failed"
    assert execution.error.startswith("worker lost: no heartbeat since ")
