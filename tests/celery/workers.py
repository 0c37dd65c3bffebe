"""Real Celery workers for the tests of this package: processes on Redis and PostgreSQL.

- ``database_url()``: the URL of the test database (the worker must see the test's rows);
- ``redis_is_up(url)``, ``skip_unless_postgres_and_redis(url)``;
- ``start_worker(queue, log, transport_options=...)``: a ``celery worker --pool=solo`` process
  consuming ``queue``, with these broker transport options (a key prefix keeps a test's queues,
  unacked messages and bindings apart from every other test's on the same Redis);
- ``stop_worker(process)``, ``delete_keys(url, prefix)``.

The worker imports the apps of this checkout only: an editable install of another checkout on the
machine must not fill in a module this one lacks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection

from tests.stubs.fixtures import STUB_KEY, STUB_KEY_ENV

__all__ = [
    "BROKER_URL",
    "REPO",
    "database_url",
    "delete_keys",
    "lm_endpoint_env",
    "log_tail",
    "redis_is_up",
    "skip_unless_postgres_and_redis",
    "start_worker",
    "stop_worker",
]

REPO = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("DSPEX_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")

_LAUNCH = (
    "import sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'EditableFinder' not in getattr(f, '__name__', '')]; "
    "from celery.__main__ import main; sys.argv[0] = 'celery'; main()"
)


def database_url() -> str:
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = quote(s.get("HOST") or "127.0.0.1", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(s['NAME'], safe='')}"


def redis_is_up(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def skip_unless_postgres_and_redis(url: str = BROKER_URL) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the worker is another process and must see the test database "
            "(run with DATABASE_URL=postgres://...; CI does)"
        )
    if not redis_is_up(url):
        pytest.skip(f"needs Redis at {url} (.ci/run starts it)")


def lm_endpoint_env() -> dict[str, str]:
    """The endpoints and credentials key of this test (e.g. the stub endpoint), for a worker."""
    from django.conf import settings

    return {
        "DSPEX_LM_ENDPOINTS": json.dumps(settings.DSPEX_LM_ENDPOINTS),
        "DSPEX_CREDENTIALS_KEY": settings.DSPEX_CREDENTIALS_KEY,
    }


def start_worker(queue: str, log: Path, *, transport_options: dict[str, Any], name: str = "w") -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.dumps(transport_options),
        STUB_KEY_ENV: STUB_KEY,
        **lm_endpoint_env(),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable, "-c", _LAUNCH, "-A", "dspex_project", "worker", "--pool=solo", "-l", "info",
        "-Q", queue, "-n", f"{name}-{queue}@%h", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    process.log = log  # type: ignore[attr-defined]
    return process


def stop_worker(process: Any) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def log_tail(process: Any, size: int = 4000) -> str:
    return process.log.read_text(errors="replace")[-size:]


def delete_keys(url: str, prefix: str) -> None:
    """Remove every Redis key starting with ``prefix`` (the test's queues and bookkeeping)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
