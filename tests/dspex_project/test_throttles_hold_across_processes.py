"""DRF throttles count in Django's cache; the configured cache is shared by every process, so a
user's budget holds across gunicorn workers (two separate processes here), on real Redis and on
the zero-setup file cache. A per-process memory cache, for contrast, would not hold."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.celery.workers import redis_is_up

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("DSPEX_TEST_CACHE_URL", "redis://127.0.0.1:6379/13")

# Ask the "execute" throttle twice for user 7; print "allowed" or "throttled" for each request.
ATTEMPTS = """
import django; django.setup()
from types import SimpleNamespace
from core.permissions import SettingsScopedRateThrottle
request = SimpleNamespace(user=SimpleNamespace(pk=7, is_authenticated=True), META={})
view = SimpleNamespace(throttle_scope="execute")
for _ in range(2):
    print("allowed" if SettingsScopedRateThrottle().allow_request(request, view) else "throttled")
"""


def attempts(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DSPEX_CACHE_URL")}
    result = subprocess.run(
        [sys.executable, "-c", ATTEMPTS],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "dspex_project.settings",
            "DSPEX_EXECUTE_THROTTLE": "3/min",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.fixture
def prefix():
    """A key prefix of this test's own (other runs share the Redis); its keys are removed after."""
    prefix = f"dspex-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    if redis_is_up(REDIS):
        import redis

        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_two_processes_share_one_budget_on_redis(prefix):
    if not redis_is_up(REDIS):
        pytest.skip(f"needs Redis at {REDIS}")
    env = {"DSPEX_CACHE_URL": REDIS, "DSPEX_CACHE_KEY_PREFIX": prefix}
    assert attempts(**env) == ["allowed", "allowed"]
    assert attempts(**env) == ["allowed", "throttled"]  # the third request of the minute


def test_the_broker_s_redis_is_the_cache_when_no_cache_is_named(prefix):
    if not redis_is_up(REDIS):
        pytest.skip(f"needs Redis at {REDIS}")
    env = {"CELERY_BROKER_URL": REDIS, "DSPEX_CACHE_KEY_PREFIX": prefix}
    assert attempts(**env) == ["allowed", "allowed"]
    assert attempts(**env) == ["allowed", "throttled"]


def test_the_file_cache_is_shared_by_the_processes_of_one_machine(tmp_path):
    env = {"DSPEX_CACHE_URL": f"file://{tmp_path}"}
    assert attempts(**env) == ["allowed", "allowed"]
    assert attempts(**env) == ["allowed", "throttled"]


def test_a_memory_cache_would_give_every_process_its_own_budget():
    env = {"DSPEX_CACHE_URL": "locmem://"}
    assert attempts(**env) == ["allowed", "allowed"]
    assert attempts(**env) == ["allowed", "allowed"]
