"""Fixtures for tests with a real ``celery worker`` process on Redis.

The worker is a separate process, so it must see the test database: this needs PostgreSQL (the
test's rows are committed with ``transaction=True`` and the worker connects to the same test
database). CI runs these against PostgreSQL and Redis; on SQLite they are skipped.

- ``worker``: one worker consuming this test's own queue;
- ``start_worker(**env)``: start (more) workers with extra environment variables, e.g. a short
  ``CELERY_VISIBILITY_TIMEOUT`` so that a killed worker's task is redelivered quickly.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.celery.workers import (
    BROKER_URL,
    REPO,
    database_url,
    lm_endpoint_env,
    skip_unless_postgres_and_redis,
)
from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV

TIMEOUT = 60.0


def _reset_broker_state(app) -> None:
    """Forget connection pools and routing built from the previous configuration."""
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def requires_postgres_and_redis() -> None:
    skip_unless_postgres_and_redis(BROKER_URL)


@pytest.fixture
def broker_queue(requires_postgres_and_redis):
    """Send tasks from this process to Redis (not eagerly), on a queue of this test's own."""
    from dspex_project.celery import app

    queue = f"dspex-test-{uuid.uuid4().hex[:12]}"
    keys = ("broker_url", "task_always_eager", "task_default_queue", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=BROKER_URL,
        task_always_eager=False,
        task_default_queue=queue,
        # The test's own key prefix: a worker with a short visibility timeout restores only the
        # unacknowledged messages of this test, never those of another run on the same Redis.
        broker_transport_options={"global_keyprefix": f"{queue}:", "visibility_timeout": 3600},
    )
    _reset_broker_state(app)
    try:
        yield queue
    finally:
        try:
            with app.connection_for_write() as conn:  # drop the test queue and its bindings
                client = conn.default_channel.client
                client.delete(*(client.keys(f"{queue}:*") or [queue]))
        except Exception:  # pragma: no cover - cleanup only
            pass
        app.conf.update(saved)
        _reset_broker_state(app)


@pytest.fixture
def start_worker(broker_queue: str, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``start_worker(**env)``: a ``celery -A dspex_project worker --pool=solo`` process consuming the
    test queue (``.log`` is its output file); every worker is stopped after the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(**extra_env: str) -> subprocess.Popen[bytes]:
        number = len(processes) + 1
        log = tmp_path / f"worker-{number}.log"
        visibility = int(extra_env.pop("CELERY_VISIBILITY_TIMEOUT", "3600"))
        options = {"global_keyprefix": f"{broker_queue}:", "visibility_timeout": visibility}
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": BROKER_URL,
            STUB_KEY_ENV: STUB_KEY,
            **lm_endpoint_env(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
            "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(options),
            **extra_env,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "dspex_project", "worker", "--pool=solo", "-l", "info",
            "-Q", broker_queue, "-n", f"{broker_queue}-{number}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        process.log = log  # type: ignore[attr-defined]
        processes.append(process)
        return process

    try:
        yield start
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def worker(start_worker: Callable[..., Any]) -> Any:
    """One worker consuming the test queue."""
    return start_worker()


def worker_log(process: Any) -> str:
    """The last 4000 characters a worker printed."""
    return process.log.read_text(errors="replace")[-4000:]
