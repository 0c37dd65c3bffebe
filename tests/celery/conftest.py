"""Fixtures for tests with a real ``celery worker`` process on Redis.

The worker is a separate process, so it must see the test database: this needs PostgreSQL (the
test's rows are committed with ``transaction=True`` and the worker connects to the same test
database). CI runs these against PostgreSQL and Redis; on SQLite they are skipped.

- ``worker``: one worker consuming this test's own queue;
- ``start_worker(**env)``: start (more) workers with extra environment variables, e.g. a short
  ``CELERY_VISIBILITY_TIMEOUT`` so that a killed worker's task is redelivered quickly.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection

from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV

REPO = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("DSPEX_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 60.0


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
def start_worker(broker_queue: str, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``start_worker(**env)``: a ``celery -A dspex_project worker --pool=solo`` process consuming the
    test queue (``.log`` is its output file); every worker is stopped after the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(**extra_env: str) -> subprocess.Popen[bytes]:
        number = len(processes) + 1
        log = tmp_path / f"worker-{number}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": BROKER_URL,
            STUB_KEY_ENV: STUB_KEY,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "PYTHONUNBUFFERED": "1",
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
