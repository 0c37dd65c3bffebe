"""Celery tasks of the project itself: the stale-run reaper (periodic, and at worker start)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from core import reaper

__all__ = ["reap_stale_runs"]

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def reap_stale_runs() -> int:
    """Finish or re-queue the runs whose worker stopped beating; how many were stale."""
    return len(reaper.reap_stale_runs())


@worker_ready.connect
def reap_when_a_worker_starts(**kwargs: Any) -> None:
    """A worker that starts (often: one restarted after a crash) looks for its predecessor's runs."""
    try:
        reaper.reap_stale_runs()
    except Exception:  # the worker must start even when the database is not there yet
        logger.warning("reaping stale runs at worker start failed", exc_info=True)
