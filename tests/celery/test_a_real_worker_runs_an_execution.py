"""A real ``celery worker`` process on Redis picks up an enqueued execution and completes its row.

The worker is a separate process, so it must see the test database: this needs PostgreSQL (the
test's rows are committed with ``transaction=True`` and the worker connects to the same test
database). CI runs it against PostgreSQL and Redis; on SQLite it is skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection

from programs.models import Execution
from programs.services import program_execute_async
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV

REPO = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("DSPEX_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 60.0

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    """A URL of the test database (the one this test writes to) for the worker process."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = quote(s.get("HOST") or "127.0.0.1", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(s['NAME'], safe='')}"


def _redis_is_up(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _reset_broker_state(app) -> None:
    """Forget connection pools and routing built from the previous configuration."""
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def requires_postgres_and_redis():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the worker is another process and must see the test database "
            "(run with DATABASE_URL=postgres://...; CI does)"
        )
    if not _redis_is_up(BROKER_URL):
        pytest.skip(f"needs Redis at {BROKER_URL} (.ci/run starts it)")


@pytest.fixture
def broker_queue(requires_postgres_and_redis):
    """Send tasks from this process to Redis (not eagerly), on a queue of this test's own."""
    from dspex_project.celery import app

    queue = f"dspex-test-{uuid.uuid4().hex[:12]}"
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False, task_default_queue=queue)
    _reset_broker_state(app)
    try:
        yield queue
    finally:
        try:
            with app.connection_for_write() as conn:  # drop the test queue and its bindings
                conn.default_channel.client.delete(
                    queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
                )
        except Exception:  # pragma: no cover - cleanup only
            pass
        app.conf.update(saved)
        _reset_broker_state(app)


@pytest.fixture
def worker(broker_queue, tmp_path):
    """A ``celery -A dspex_project worker --pool=solo`` process consuming the test queue."""
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        STUB_KEY_ENV: STUB_KEY,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "dspex_project", "worker", "--pool=solo", "-l", "info",
        "-Q", broker_queue, "-n", f"{broker_queue}@%h", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    process.log = log  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _log(process) -> str:
    return process.log.read_text(errors="replace")[-4000:]


def _wait_until_finished(execution: Execution, process) -> Execution:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        execution.refresh_from_db()
        if execution.status in (Execution.Status.SUCCEEDED, Execution.Status.FAILED):
            return execution
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}:\n{_log(process)}")
        time.sleep(0.2)
    pytest.fail(f"execution {execution.pk} still {execution.status} after {TIMEOUT:.0f} s:\n{_log(process)}")


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
    log = _log(worker)
    assert "programs.tasks.run_execution" in log and "succeeded" in log


def test_a_failing_run_is_recorded_on_the_row_by_the_worker(openai_stub, qa_program, worker):
    openai_stub.script({"status": 400})
    execution = program_execute_async(program=qa_program, inputs={"question": "q"})
    execution = _wait_until_finished(execution, worker)
    assert execution.status == Execution.Status.FAILED
    assert "BadRequestError" in execution.error
    assert execution.finished_at is not None
