"""Django settings, read from the environment.

Zero-setup default: a SQLite file ``db.sqlite3`` in the repository root, Celery tasks run eagerly
in-process, the bundled local model. In production set at least ``DEBUG=false``, ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` (``postgres://...``, through psycopg 3) and
``CELERY_BROKER_URL`` (``redis://...``).

============================  ==========================================================
``DEBUG``                     ``true``/``false`` (default ``true``: the zero-setup default)
``SECRET_KEY``                required when ``DEBUG`` is false
``ALLOWED_HOSTS``             comma-separated (default ``localhost,127.0.0.1,[::1]``)
``DATABASE_URL``              default ``sqlite:///<repo>/db.sqlite3``
``DATABASE_CONN_MAX_AGE``     seconds a connection is kept (default 60 on PostgreSQL, 0 on SQLite;
                              connections are health-checked before reuse)
``DSPEX_CACHE_URL``           the shared cache (throttles, reaper): ``redis://...``,
                              ``file:///path`` or ``locmem://``; default: Redis at
                              ``CELERY_BROKER_URL`` when that is Redis, else files under
                              ``<repo>/.cache/django`` (see docs/security-work.md)
``DSPEX_CACHE_KEY_PREFIX``    prefix of every cache key (default ``dspex``)
``CELERY_BROKER_URL``         default none: tasks run eagerly, in the calling process
``CELERY_VISIBILITY_TIMEOUT`` seconds before Redis redelivers an unacknowledged task (3600)
``CELERY_BROKER_TRANSPORT_OPTIONS``  JSON object for kombu (default ``{"visibility_timeout": 3600}``):
                              with Redis, a task whose worker died is redelivered after
                              ``visibility_timeout`` s -- keep it above the longest evaluation
``DSPEX_EVALUATION_CONCURRENCY``      default examples in flight per evaluation (default 8)
``DSPEX_EVALUATION_MAX_CONCURRENCY``  the most a request may ask for (default 64)
``DSPEX_DEFAULT_LM``          the model of programs whose LM config names none
                              (default ``local/gemma-3-270m``)
``DSPEX_EVALUATE_THREADS``    examples scored concurrently by experiments and evaluations (8)
``DSPEX_LM_ENDPOINTS``        JSON object: the LM endpoints programs may use, by name, merged over
                              the defaults ``openai``, ``anthropic`` and ``local`` (``null``
                              removes one); see docs/security-endpoints.md
``DSPEX_CREDENTIALS_KEY``     Fernet key(s), comma-separated (the first encrypts), for the users'
                              stored LM keys; required to store keys when ``DEBUG`` is false
``DSPEX_LM_MAX_TOKENS``       the largest ``max_tokens`` a program may ask for (default 32768)
``DSPEX_MAX_JSON_DEPTH``      deepest nesting of JSON accepted anywhere (64)
``DSPEX_MAX_UPLOAD_BYTES``    largest dataset file accepted (10 MiB)
``DSPEX_MAX_IMPORT_ROWS``     most examples one import may hold (100000)
``DATA_UPLOAD_MAX_MEMORY_SIZE``  largest JSON or form body (Django's, 2.5 MB)
``DSPEX_GRAPHQL_MAX_DEPTH``   deepest GraphQL selection (10); ``..._MAX_COST`` (500),
                              ``..._MAX_TOKENS`` (5000), ``..._MAX_DOCUMENT_BYTES`` (100000),
                              ``..._MAX_DEFINITIONS`` (100): see docs/security-input.md
``DSPEX_PIPELINE_LIMITS``     JSON object of pipeline budgets, e.g. ``{"max_elements": 100000}``
                              (``dspex.PipelineLimits`` names and defaults)
``DSPEX_HEARTBEAT_INTERVAL``  seconds between a running run's heartbeats (15; 0: none)
``DSPEX_STALE_RUN_AFTER``     seconds without a heartbeat before a run counts as lost (120)
``DSPEX_REAP_INTERVAL``       seconds between reaper passes, beat schedule and opportunistic (60)
``DSPEX_RUN_MAX_ATTEMPTS``    starts of an experiment/evaluation before a lost one fails (3)
``DSPEX_SSE_KEEPALIVE``       seconds between ``: ping`` lines of an idle event stream (5)
``DSPEX_GLOBAL_LM_HISTORY``   LM calls kept in the engine's process-wide history (0: none; the
                             platform records each call on its Execution)
============================  ==========================================================

The engine (``dspex/``) never reads these settings; ``programs.gateway`` passes what it needs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_json_object(name: str, default: dict) -> dict:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return dict(default)
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {raw!r}")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from None


def cache_from_url(url: str, *, key_prefix: str = "dspex") -> dict:
    """A ``CACHES`` entry for ``redis://`` / ``rediss://``, ``file:///path`` or ``locmem://``."""
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
        }
    if scheme == "file":
        path = url.removeprefix("file://")
        if not path.startswith("/"):
            raise ImproperlyConfigured(f"DSPEX_CACHE_URL: a file cache needs an absolute path, got {url!r}")
        return _file_cache(path, key_prefix)
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": key_prefix}
    raise ImproperlyConfigured(
        f"DSPEX_CACHE_URL must start with redis://, rediss://, unix://, file:// or locmem://, got {url!r}"
    )


def _file_cache(path: str | Path, key_prefix: str) -> dict:
    # Throttle histories are one entry per user and scope: keep many before culling.
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(path),
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "django-insecure-dspex-development-only"  # only ever used with DEBUG

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "actions",  # the action layer: declarations -> REST, GraphQL, admin, shell, Celery, CLI
    "programs",
    "datasets",
    "experiments",
    "evaluations",
    "dspex_project",  # hosts the project-wide commands (dspex_doctor)
]

MIDDLEWARE = [
    "dspex_project.middleware.RequestSizeLimitMiddleware",  # before anything reads a body
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dspex_project.urls"
WSGI_APPLICATION = "dspex_project.wsgi.application"
ASGI_APPLICATION = "dspex_project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# -- database ------------------------------------------------------------------------------------
_DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Reusing connections saves a connect per request (about 30% of the throughput of a small
# request on PostgreSQL); health checks drop a connection the server closed before it is used.
# SQLite gains nothing from it. Under ASGI keep 0: connections there are per request anyway.
_POSTGRES = _DATABASE_URL.split(":", 1)[0].lower() in ("postgres", "postgresql", "pgsql", "postgis")
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if _POSTGRES else 0),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# -- cache: DRF throttles and the reaper's schedule must hold across processes ---------------------
_CELERY_BROKER = os.environ.get("CELERY_BROKER_URL") or ""
_CACHE_PREFIX = os.environ.get("DSPEX_CACHE_KEY_PREFIX") or "dspex"
if os.environ.get("DSPEX_CACHE_URL"):
    CACHES = {"default": cache_from_url(os.environ["DSPEX_CACHE_URL"], key_prefix=_CACHE_PREFIX)}
elif _CELERY_BROKER.split(":", 1)[0].lower() in ("redis", "rediss"):
    CACHES = {"default": cache_from_url(_CELERY_BROKER, key_prefix=_CACHE_PREFIX)}
else:
    # Zero setup: files are shared by every process on this machine (gunicorn workers, the
    # development server's threads, management commands); a per-process memory cache is not.
    CACHES = {"default": _file_cache(BASE_DIR / ".cache" / "django", _CACHE_PREFIX)}

# -- REST (DRF) ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Bounded in size and JSON depth, no NUL or lone surrogate in any text (docs/security-input.md).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "core.parsers.BoundedFormParser",
        "core.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "execute": os.environ.get("DSPEX_EXECUTE_THROTTLE", "120/min"),
        "optimize": os.environ.get("DSPEX_OPTIMIZE_THROTTLE", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DSPex API",
    "DESCRIPTION": "DSPy-style LM programs as managed resources.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from local static files: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two choice sets share the field name "status": name their enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "ExecutionStatusEnum": "programs.models.Execution.Status",
        "RunStatusEnum": "core.runs.RunStatus",
    },
}

# -- GraphQL (graphene-django) ----------------------------------------------------------------------
GRAPHENE = {"SCHEMA": "dspex_project.schema.schema", "RELAY_CONNECTION_MAX_LIMIT": 100}
# Limits checked before graphql-core validates or runs a document (dspex_project.graphql.limits).
DSPEX_GLOBAL_LM_HISTORY = env_int("DSPEX_GLOBAL_LM_HISTORY", 0)
DSPEX_GRAPHQL_MAX_DEPTH = env_int("DSPEX_GRAPHQL_MAX_DEPTH", 10)
DSPEX_GRAPHQL_MAX_COST = env_int("DSPEX_GRAPHQL_MAX_COST", 500)
DSPEX_GRAPHQL_MAX_TOKENS = env_int("DSPEX_GRAPHQL_MAX_TOKENS", 5000)
DSPEX_GRAPHQL_MAX_DOCUMENT_BYTES = env_int("DSPEX_GRAPHQL_MAX_DOCUMENT_BYTES", 100_000)
DSPEX_GRAPHQL_MAX_DEFINITIONS = env_int("DSPEX_GRAPHQL_MAX_DEFINITIONS", 100)

# -- input bounds (docs/security-input.md) ----------------------------------------------------------
DSPEX_MAX_JSON_DEPTH = env_int("DSPEX_MAX_JSON_DEPTH", 64)
DSPEX_MAX_UPLOAD_BYTES = env_int("DSPEX_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
DSPEX_MAX_IMPORT_ROWS = env_int("DSPEX_MAX_IMPORT_ROWS", 100_000)
# Django's own: the largest non-file body (JSON, forms), and the size above which an uploaded file
# is spooled to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# -- Celery (``celery -A dspex_project worker``) ---------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
# Without a broker, tasks run eagerly in the calling process (the zero-setup default).
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # status and results live on our own rows
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With Redis, a task taken by a worker that dies (acks_late) goes back to the queue after
# ``visibility_timeout`` seconds; an experiment or evaluation redelivered that way resumes where it
# stopped (a run redelivered while it still runs resumes next to it without duplicating anything).
# Keep it above your longest run.
CELERY_BROKER_TRANSPORT_OPTIONS = env_json_object(
    "CELERY_BROKER_TRANSPORT_OPTIONS", {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
)
# Where .delay() sends tasks (the reaper's re-queued runs too): the queue the workers consume.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE") or "celery"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# ``celery -A dspex_project beat`` finishes or re-queues runs whose worker died (the reaper);
# every worker also reaps once when it starts.
CELERY_BEAT_SCHEDULE = {
    "dspex-reap-stale-runs": {
        "task": "dspex_project.tasks.reap_stale_runs",
        "schedule": env_float("DSPEX_REAP_INTERVAL", 60.0),
        "options": {"expires": env_float("DSPEX_REAP_INTERVAL", 60.0)},
    }
}

# -- DSPex -----------------------------------------------------------------------------------------
DSPEX_DEFAULT_LM = os.environ.get("DSPEX_DEFAULT_LM") or "local/gemma-3-270m"
# Named things users may pick, one format for every kind (core.registry; docs/platform.md, "Named
# things and their settings"): {"key": "dotted.path"} or {"key": {"path": ..., "label": ..., ...}}.
# Extra module types for programs (options: wraps).
DSPEX_MODULE_TYPES: dict[str, object] = {}
# Extra optimizers for experiments (options: takes_metric, uses_valset).
DSPEX_OPTIMIZER_TYPES: dict[str, object] = {}
# Tools programs may call: the path of a factory(program) (programs.tools).
DSPEX_TOOLS: dict[str, object] = {}
# Rewards best_of_n and refine programs may name: the path of a factory(program, **params).
DSPEX_REWARDS: dict[str, object] = {}
# ProgramOfThought runs LM-written Python in a sandboxed subprocess; off unless enabled.
DSPEX_ALLOW_PROGRAM_OF_THOUGHT = os.environ.get("DSPEX_ALLOW_PROGRAM_OF_THOUGHT", "").lower() in (
    "1",
    "true",
    "yes",
)
# The ProgramOfThought sandbox refuses to run where its seccomp filter cannot be installed (not Linux
# on x86-64/arm64, or the kernel refuses); set this to run there with the Python-level guards only
# (weaker: docs/security-sandbox.md).
DSPEX_SANDBOX_ALLOW_UNCONFINED = os.environ.get("DSPEX_SANDBOX_ALLOW_UNCONFINED", "").lower() in (
    "1",
    "true",
    "yes",
)
# Examples scored concurrently by experiment and evaluation runs.
DSPEX_EVALUATE_THREADS = env_int("DSPEX_EVALUATE_THREADS", 8)
# Metrics experiments and evaluations may use besides the built-in ones (options: answer_field);
# a list of dotted paths is accepted too.
DSPEX_METRICS: dict[str, object] | list[str] = {}
DSPEX_EVALUATION_CONCURRENCY = env_int("DSPEX_EVALUATION_CONCURRENCY", 8)
DSPEX_EVALUATION_MAX_CONCURRENCY = env_int("DSPEX_EVALUATION_MAX_CONCURRENCY", 64)
# Budgets of pipeline values and runs (dspex.PipelineLimits field names; unset ones keep defaults).
DSPEX_PIPELINE_LIMITS = env_json_object("DSPEX_PIPELINE_LIMITS", {})
# Runs left "running" by a process that died: heartbeats, and the reaper (core.reaper).
DSPEX_HEARTBEAT_INTERVAL = env_float("DSPEX_HEARTBEAT_INTERVAL", 15.0)
DSPEX_STALE_RUN_AFTER = env_float("DSPEX_STALE_RUN_AFTER", 120.0)
DSPEX_REAP_INTERVAL = env_float("DSPEX_REAP_INTERVAL", 60.0)
DSPEX_RUN_MAX_ATTEMPTS = env_int("DSPEX_RUN_MAX_ATTEMPTS", 3)
if 0 < DSPEX_STALE_RUN_AFTER < 2 * DSPEX_HEARTBEAT_INTERVAL:
    raise ImproperlyConfigured(
        "DSPEX_STALE_RUN_AFTER must be at least twice DSPEX_HEARTBEAT_INTERVAL, or live runs would be "
        f"reaped (got {DSPEX_STALE_RUN_AFTER:g} and {DSPEX_HEARTBEAT_INTERVAL:g})"
    )
# An idle event stream sends ": ping" this often, so a client that went away is noticed.
DSPEX_SSE_KEEPALIVE = env_float("DSPEX_SSE_KEEPALIVE", 5.0)
# A running evaluation writes its progress every 1% of its examples, or every second.
DSPEX_EVALUATION_PROGRESS_FRACTION = 0.01
DSPEX_EVALUATION_PROGRESS_INTERVAL = 1.0

# -- LM endpoints and credentials (docs/security-endpoints.md) -------------------------------------
# Programs name one of these endpoints; they can never give a URL or an environment variable name.
# ``key_env`` is the operator's key; ``shared_key`` lets every user's programs use it (otherwise
# users must store their own key as a credential); ``user_credentials`` lets users store keys for
# the endpoint; ``allow_private`` allows a private/loopback address; ``models`` are glob patterns.
DEFAULT_LM_ENDPOINTS: dict[str, dict[str, object]] = {
    "openai": {
        "provider": "openai",
        "base_url": "https://api.openai.com/v1",
        "key_env": "OPENAI_API_KEY",
        "models": ["*"],
        "shared_key": True,
        "user_credentials": True,
    },
    "anthropic": {
        "provider": "anthropic",
        "base_url": "https://api.anthropic.com",
        "key_env": "ANTHROPIC_API_KEY",
        "models": ["*"],
        "shared_key": True,
        "user_credentials": True,
    },
    # The bundled model, started by the engine on this machine (or $DSPEX_LOCAL_LM_BASE_URL).
    "local": {"provider": "local", "models": ["gemma-3-270m"], "shared_key": True},
}


def lm_endpoints_from_env(configured: dict[str, object]) -> dict[str, object]:
    """The defaults with ``configured`` (``$DSPEX_LM_ENDPOINTS``) merged over them by name
    (``null`` removes one). Entries are checked when used (``programs.endpoints``)."""
    endpoints: dict[str, object] = {name: dict(spec) for name, spec in DEFAULT_LM_ENDPOINTS.items()}
    for name, spec in configured.items():
        if spec is None:
            endpoints.pop(name, None)
        else:
            endpoints[name] = spec
    return endpoints


_CONFIGURED_LM_ENDPOINTS = env_json_object("DSPEX_LM_ENDPOINTS", {})
DSPEX_LM_ENDPOINTS = lm_endpoints_from_env(_CONFIGURED_LM_ENDPOINTS)
# The endpoints the operator named: dspex_doctor requires them, the built-in defaults only warn.
DSPEX_LM_OPERATOR_ENDPOINTS = sorted(name for name, spec in _CONFIGURED_LM_ENDPOINTS.items() if spec)
# Fernet keys for stored LM credentials ("" falls back to a key derived from SECRET_KEY, in DEBUG only).
DSPEX_CREDENTIALS_KEY = os.environ.get("DSPEX_CREDENTIALS_KEY", "")
# The most a program's lm_config (or module config) may ask for.
DSPEX_LM_PARAM_LIMITS = {
    "timeout": 600,
    "num_retries": 10,
    "n": 16,
    "max_tokens": env_int("DSPEX_LM_MAX_TOKENS", 32768),
    "retry_backoff": 30,
}
# Generation parameters a program may set besides those the engine knows (see programs.validators).
DSPEX_LM_EXTRA_PARAMS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
