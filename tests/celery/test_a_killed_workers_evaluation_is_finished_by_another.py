"""A worker SIGKILLed in the middle of an evaluation: the task was acknowledged late, so Redis
hands it to another worker once its visibility timeout has passed; that worker resumes the
evaluation and finishes it. Every example ends with exactly one result; the examples recorded
before the kill are not run again.

Needs PostgreSQL (the workers are other processes and must see the test database) and Redis;
skipped on SQLite. Each worker is a real ``celery worker --pool=solo`` process; the program's LM
is the stub server, answering slowly so that the kill lands mid-run.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections import Counter

import pytest

from core.runs import RunStatus
from evaluations.models import Evaluation, EvaluationResult
from evaluations.services import evaluation_create, evaluation_enqueue
from tests.celery.workers import (
    BROKER_URL,
    delete_keys,
    log_tail,
    skip_unless_postgres_and_redis,
    start_worker,
    stop_worker,
)
from tests.evaluations.helpers import answering, question_of, questions_version

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 24
TIMEOUT = 90.0


@pytest.fixture
def broker():
    """Send tasks to Redis (not eagerly) on a queue and key prefix of this test's own."""
    skip_unless_postgres_and_redis()
    from dspex_project.celery import app

    token = uuid.uuid4().hex[:12]
    queue, prefix = f"dspex-test-{token}", f"dspex-test-{token}:"
    keys = ("broker_url", "task_always_eager", "task_default_queue", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=BROKER_URL,
        task_always_eager=False,
        task_default_queue=queue,
        broker_transport_options={"global_keyprefix": prefix},
    )
    app._pool = None
    app.__dict__.pop("amqp", None)
    try:
        yield queue, prefix
    finally:
        app.conf.update(saved)
        app._pool = None
        app.__dict__.pop("amqp", None)
        delete_keys(BROKER_URL, prefix)


def _wait(condition, what, *processes):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            if process.poll() is not None:
                exited = f"a worker exited with {process.returncode} while waiting for {what}"
                pytest.fail(f"{exited}:\n{log_tail(process)}")
        time.sleep(0.05)
    pytest.fail(f"no {what} after {TIMEOUT:.0f} s:\n" + "\n".join(log_tail(p) for p in processes))


def test_the_second_worker_finishes_it_without_duplicates(broker, openai_stub, qa_program, user, tmp_path):
    queue, prefix = broker
    version = questions_version(user, qa_program.signature, EXAMPLES)
    answering(openai_stub, delay=0.25)
    evaluation = evaluation_create(
        program_version=qa_program.current_version, dataset_version=version, concurrency=2, owner=user
    )
    rows = EvaluationResult.objects.filter(evaluation=evaluation)

    first = start_worker(
        queue, tmp_path / "first.log", transport_options={"global_keyprefix": prefix}, name="first"
    )
    second = None
    try:
        evaluation_enqueue(evaluation=evaluation)  # autocommit: sent to Redis at once
        _wait(lambda: rows.count() >= 6, "results from the first worker", first)

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        recorded = set(rows.values_list("example__inputs__question", flat=True))
        evaluation.refresh_from_db()
        assert evaluation.status == RunStatus.RUNNING
        assert 6 <= len(recorded) < EXAMPLES, "the kill did not land mid-run"

        second = start_worker(
            queue,
            tmp_path / "second.log",
            name="second",
            transport_options={
                "global_keyprefix": prefix,
                "visibility_timeout": 2,  # the dead worker's task is visible again after 2 s
                "unacked_restore_interval": 1,
                "unacked_restore_throttle": 1,
            },
        )
        _wait(
            lambda: Evaluation.objects.filter(pk=evaluation.pk, status__in=["succeeded", "failed"]).exists(),
            "finished evaluation",
            second,
        )
    finally:
        stop_worker(first)
        if second is not None:
            stop_worker(second)

    evaluation.refresh_from_db()
    assert evaluation.status == RunStatus.SUCCEEDED, evaluation.error
    assert rows.count() == EXAMPLES
    per_example = Counter(rows.values_list("example_id", flat=True))
    assert len(per_example) == EXAMPLES and set(per_example.values()) == {1}
    assert (evaluation.examples_done, evaluation.score) == (EXAMPLES, 1.0)

    asked = [(question_of(r), r.received_at) for r in openai_stub.completion_requests()]
    again = [question for question, at in asked if at > killed_at]
    assert again, "the second worker made no request"
    assert not set(again) & recorded  # what was recorded before the kill did not run again
    counts = Counter(question for question, _ in asked)
    assert set(counts) == {f"q{i}" for i in range(EXAMPLES)}
    assert max(counts.values()) <= 2  # at most the examples in flight at the kill ran twice
    assert sum(n == 2 for n in counts.values()) <= 2  # (concurrency 2)
    assert "actions.run_action" in log_tail(second, 20000)
