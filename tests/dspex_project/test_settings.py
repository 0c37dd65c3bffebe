"""Settings come from the environment, with a zero-setup default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from django.conf import settings as s; import django; django.setup(); "
    "db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']),"
    " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'lm': s.DSPEX_DEFAULT_LM,"
    " 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS}))"
)
VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "DSPEX_DEFAULT_LM", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "dspex_project.settings"
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _probe(**env: str) -> dict:
    result = _settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_default_is_sqlite_in_the_repo_eager_tasks_and_the_local_model():
    found = _probe()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(ROOT / "db.sqlite3")
    assert (found["eager"], found["broker"]) == (True, None)
    assert found["lm"] == "local/gemma-3-270m"
    assert found["debug"] is True


def test_the_environment_selects_postgresql_redis_and_the_model():
    found = _probe(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/dspex",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DSPEX_DEFAULT_LM="openai/gpt-4o-mini",
        ALLOWED_HOSTS="dspex.example, api.dspex.example",
    )
    assert (found["engine"], found["name"]) == ("django.db.backends.postgresql", "dspex")
    assert (found["eager"], found["broker"]) == (False, "redis://127.0.0.1:6379/0")
    assert found["lm"] == "openai/gpt-4o-mini"
    assert found["hosts"] == ["dspex.example", "api.dspex.example"]


def test_production_needs_a_secret_key():
    result = _settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr
    assert _probe(DEBUG="false", SECRET_KEY="s3cret")["debug"] is False


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_refused(value):
    result = _settings(DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
