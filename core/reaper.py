"""The stale-run reaper: runs left ``running`` by a process that died are finished or resumed.

A run is *stale* when it is ``running`` and its last sign of life (``heartbeat_at``, else
``started_at``) is older than ``DSPEX_STALE_RUN_AFTER`` seconds: the process that ran it no longer
beats (:mod:`core.heartbeat`). What happens to a stale run is up to its app, which
registers its model here from ``AppConfig.ready()``:

- an Execution is marked ``failed`` ("worker lost: no heartbeat since ..."): nothing would ever
  finish it (a request's process is gone; a Celery redelivery would only rerun it from scratch);
- an Experiment or Evaluation, which resume where they stopped, is re-queued when a broker is
  configured and it has been started fewer than ``DSPEX_RUN_MAX_ATTEMPTS`` times; else it is
  marked ``failed`` the same way. Re-queuing does not fight Celery's own redelivery of the dead
  worker's task (after the broker's visibility timeout): whichever comes second finds the run
  finished, or resumes next to the first without duplicating anything.

Run it with ``manage.py dspex_reap``, from Celery beat (``CELERY_BEAT_SCHEDULE`` has an entry,
``dspex_project.tasks.reap_stale_runs``), at every worker's start, and opportunistically when a
run starts (at most once per ``DSPEX_REAP_INTERVAL`` across the processes sharing the cache).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.runs import InvalidTransition, RunStatus

__all__ = [
    "Reaped",
    "can_requeue",
    "lost_message",
    "reap_if_due",
    "reap_stale_runs",
    "register_reapable",
    "stale_after",
]

logger = logging.getLogger(__name__)

# on_stale(row, message) -> "failed" | "requeued" | "skipped" (finished meanwhile)
StaleHandler = Callable[[Any, str], str]
_REGISTRY: dict[str, tuple[type[models.Model], StaleHandler]] = {}
_DUE_KEY = "dspex:reaper:due"


@dataclass(frozen=True)
class Reaped:
    """One stale run and what was done with it."""

    model: str
    pk: Any
    last_seen: datetime | None
    outcome: str


def register_reapable(model: type[models.Model], on_stale: StaleHandler) -> None:
    """Have the reaper look at ``model``'s running rows and call ``on_stale`` for stale ones."""
    _REGISTRY[model._meta.label] = (model, on_stale)


def stale_after() -> float:
    """Seconds without a heartbeat after which a running run counts as lost."""
    return float(getattr(settings, "DSPEX_STALE_RUN_AFTER", 120.0))


def can_requeue(attempts: int) -> bool:
    """Whether a stale run that resumes may be queued again: a broker must be there to take it
    (with eager tasks the reaper itself would run it), and it must have had attempts left."""
    eager = bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True))
    return not eager and attempts < int(getattr(settings, "DSPEX_RUN_MAX_ATTEMPTS", 3))


def requeue_or_fail(
    run: Any, *, enqueue: Callable[[int], object], fail: Callable[[str], object], message: str
) -> str:
    """The reaper's verdict on a resumable ``run`` (an Experiment or Evaluation row with
    ``attempts``) whose worker stopped beating: ``enqueue(pk)`` it again (the callable queues its
    task once the transaction commits) while it has attempts left and a broker can take it, else
    ``fail(message)``. Returns what was done."""
    model = type(run)
    if can_requeue(run.attempts):
        touched = model._default_manager.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            heartbeat_at=timezone.now()  # not stale again before the new attempt can start
        )
        if not touched:
            return "skipped"
        enqueue(run.pk)
        return "requeued"
    if run.attempts > 1:
        message += f"; gave up after {run.attempts} attempts"
    try:
        fail(message)
    except InvalidTransition:
        return "skipped"
    return "failed"


def lost_message(last_seen: datetime | None) -> str:
    """The ``error`` of a run the reaper fails."""
    when = last_seen.strftime("%Y-%m-%d %H:%M:%S UTC") if last_seen else "it started"
    return f"worker lost: no heartbeat since {when} (stale after {stale_after():g} s)"


def reap_stale_runs(*, older_than: float | None = None, dry_run: bool = False) -> list[Reaped]:
    """Find every stale run of the registered models and hand it to its app; what was done."""
    cutoff = timezone.now() - timedelta(seconds=stale_after() if older_than is None else older_than)
    reaped: list[Reaped] = []
    for label, (model, on_stale) in _REGISTRY.items():
        rows = (
            model._default_manager.filter(status="running")
            .annotate(_last_seen=Coalesce("heartbeat_at", "started_at", "created_at"))
            .filter(_last_seen__lt=cutoff)
            .order_by("pk")
        )
        for row in rows:
            last_seen = row._last_seen
            if dry_run:
                outcome = "stale"
            else:
                try:
                    outcome = on_stale(row, lost_message(last_seen))
                except Exception:  # one bad row must not keep the others running forever
                    logger.exception("reaping %s %s failed", label, row.pk)
                    outcome = "error"
            if outcome != "skipped":
                logger.warning("%s %s: no heartbeat since %s: %s", label, row.pk, last_seen, outcome)
            reaped.append(Reaped(label, row.pk, last_seen, outcome))
    return reaped


def reap_if_due() -> list[Reaped]:
    """:func:`reap_stale_runs` unless some process sharing the cache did within the last
    ``DSPEX_REAP_INTERVAL`` seconds; never raises (it runs on the way into other work)."""
    interval = float(getattr(settings, "DSPEX_REAP_INTERVAL", 60.0))
    try:
        if interval <= 0 or not cache.add(_DUE_KEY, timezone.now().isoformat(), timeout=interval):
            return []
        with transaction.atomic():  # a failure here must not break the caller's transaction
            return reap_stale_runs()
    except Exception:
        logger.warning("opportunistic reaping failed", exc_info=True)
        return []
