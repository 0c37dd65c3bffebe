"""Heartbeats: a running run says, every few seconds, that the process running it is alive.

``with Heartbeat(Execution, execution.pk): ...`` starts a daemon thread that writes
``heartbeat_at = now()`` on the row every ``DSPEX_HEARTBEAT_INTERVAL`` seconds while the block runs
(and while the row is still ``running``). A process that is killed (SIGKILL, OOM killer, a
gunicorn worker timeout) stops beating, so :mod:`core.reaper` can tell its runs from the
live ones however long they take. The thread has its own database connection, opened for each
beat and closed right after, so an idle run holds none; a failed beat is logged and retried at
the next one.

Entering a heartbeat also reaps stale runs when the last reap (of any process sharing the cache)
is older than ``DSPEX_REAP_INTERVAL`` (:func:`core.reaper.reap_if_due`).
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

__all__ = ["Heartbeat", "heartbeat_interval"]

logger = logging.getLogger(__name__)


def heartbeat_interval() -> float:
    """Seconds between beats (``DSPEX_HEARTBEAT_INTERVAL``; 0 turns the threads off)."""
    return float(getattr(settings, "DSPEX_HEARTBEAT_INTERVAL", 15.0))


class Heartbeat:
    """Beat for the row ``pk`` of ``model`` (a run with ``status`` and ``heartbeat_at``).

    ``beat_now``: write the first beat at once, in the calling thread (a resumed run would
    otherwise look as old as its last attempt until the first beat).
    """

    def __init__(self, model: type[models.Model], pk: Any, *, beat_now: bool = False) -> None:
        self.model = model
        self.pk = pk
        self.beat_now = beat_now
        self.interval = heartbeat_interval()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> int:
        """Write one beat; the number of rows changed (0 once the run is no longer running)."""
        return self.model._default_manager.filter(pk=self.pk, status="running").update(
            heartbeat_at=timezone.now()
        )

    def __enter__(self) -> Heartbeat:
        from core.reaper import reap_if_due

        if self.beat_now:
            self.beat()
        reap_if_due()
        if self.interval > 0:
            name = f"heartbeat-{self.model._meta.label_lower}-{self.pk}"
            self._thread = threading.Thread(target=self._run, name=name, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self.beat():
                    return  # finished (or reaped): nothing more to say
            except Exception:  # the database is away: say so, try again at the next beat
                logger.warning("heartbeat of %s %s failed", self.model.__name__, self.pk, exc_info=True)
            finally:
                connection.close()  # this thread's own connection
