"""The shared cache and persistent database connections are chosen from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from django.conf import settings as s; import django; django.setup(); "
    "db, cache = s.DATABASES['default'], s.CACHES['default']; "
    "print(json.dumps({'backend': cache['BACKEND'], 'location': str(cache.get('LOCATION')),"
    " 'prefix': cache.get('KEY_PREFIX'), 'max_age': db['CONN_MAX_AGE'], 'health': db['CONN_HEALTH_CHECKS']}))"
)
VARIABLES = (
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "CELERY_BROKER_URL",
    "DSPEX_CACHE_URL",
    "DSPEX_CACHE_KEY_PREFIX",
)


def probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "dspex_project.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_zero_setup_uses_a_file_cache_in_the_repository_and_no_persistent_sqlite_connections():
    found = probe()
    assert found["backend"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert found["location"] == str(ROOT / ".cache" / "django")
    assert (found["max_age"], found["health"]) == (0, True)


def test_a_redis_broker_doubles_as_the_cache():
    found = probe(CELERY_BROKER_URL="redis://127.0.0.1:6379/2")
    assert found["backend"] == "django.core.cache.backends.redis.RedisCache"
    assert (found["location"], found["prefix"]) == ("redis://127.0.0.1:6379/2", "dspex")


def test_a_named_cache_wins_over_the_broker():
    found = probe(
        CELERY_BROKER_URL="redis://127.0.0.1:6379/2",
        DSPEX_CACHE_URL="redis://cache.internal:6380/4",
        DSPEX_CACHE_KEY_PREFIX="tenant-a",
    )
    assert (found["location"], found["prefix"]) == ("redis://cache.internal:6380/4", "tenant-a")
    assert probe(DSPEX_CACHE_URL="locmem://")["backend"].endswith("LocMemCache")
    assert probe(DSPEX_CACHE_URL="file:///var/cache/dspex")["location"] == "/var/cache/dspex"


def test_an_unknown_cache_url_stops_the_start():
    clean = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "dspex_project.settings", "DSPEX_CACHE_URL": "memcached://x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "DSPEX_CACHE_URL must start with" in result.stderr


def test_postgresql_keeps_connections_for_a_minute_unless_told_otherwise():
    url = "postgres://postgres@127.0.0.1:5432/dspex"
    assert probe(DATABASE_URL=url)["max_age"] == 60
    assert probe(DATABASE_URL=url, DATABASE_CONN_MAX_AGE="0")["max_age"] == 0
    assert probe(DATABASE_URL=url, DATABASE_CONN_MAX_AGE="300")["max_age"] == 300
