"""The platform's doctor checks: the database, the broker and its workers, configured endpoints.

They join the engine's checks (:mod:`dspex.doctor`) in ``manage.py dspex_doctor``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dspex.doctor import FAIL, OK, Check, EndpointSpec

__all__ = ["broker_checks", "configured_endpoints", "database_checks"]


def _safe_url(url: str) -> str:
    """``url`` without its password (broker and database URLs can carry one)."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def database_checks() -> Iterable[Check]:
    vendor = connection.vendor
    name = settings.DATABASES["default"]["NAME"]
    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver error means the same thing here
        yield Check("database", FAIL, f"{vendor} {name}: cannot connect: {type(exc).__name__}: {exc}")
        return
    yield Check("database", OK, f"{vendor} {name}: connected")
    plan = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if plan:
        pending = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        yield Check("migrations", FAIL, f"{len(plan)} not applied ({pending}{more}); run manage.py migrate")
    else:
        yield Check("migrations", OK, "all applied")


def broker_checks(timeout: float = 3.0) -> Iterable[Check]:
    from dspex_project.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        yield Check("broker", OK, "none configured: background tasks run eagerly, in the calling process")
        return
    url = _safe_url(settings.CELERY_BROKER_URL or "")
    try:
        with app.connection_for_write() as conn:
            # kombu takes seconds as a float here; its stubs say int.
            conn.ensure_connection(max_retries=1, timeout=timeout)  # type: ignore[arg-type]
    except Exception as exc:  # kombu raises many kinds; all mean "unreachable"
        yield Check("broker", FAIL, f"{url} unreachable: {type(exc).__name__}: {exc}")
        return
    yield Check("broker", OK, f"{url} reachable")
    replies = app.control.ping(timeout=timeout) or []
    if not replies:
        yield Check("workers", FAIL, f"no worker answered a ping within {timeout:.0f}s; start one with "
                    "`celery -A dspex_project worker`")  # fmt: skip
    else:
        names = ", ".join(sorted(name for reply in replies for name in reply))
        yield Check("workers", OK, f"{len(replies)} answering: {names}")


def configured_endpoints() -> list[EndpointSpec]:
    """The operator's LM endpoints (``DSPEX_LM_ENDPOINTS`` over the defaults), local ones excluded.

    Endpoints the operator named in ``DSPEX_LM_ENDPOINTS`` are required; the built-in defaults
    (``openai``, ``anthropic``) only warn when their key variable is unset or they are unreachable.
    """
    from dspex.lm.providers import get_provider
    from programs.endpoints import lm_endpoints

    configured = set(getattr(settings, "DSPEX_LM_OPERATOR_ENDPOINTS", ()))
    specs = []
    for endpoint in lm_endpoints().values():
        if endpoint.provider == "local":
            continue  # the local model rows check it
        base_url = endpoint.base_url or get_provider(endpoint.provider).default_base_url
        specs.append(
            EndpointSpec(
                endpoint.name, endpoint.provider, base_url, endpoint.key_env, endpoint.name in configured
            )
        )
    return specs
