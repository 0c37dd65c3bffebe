"""Run engine work on a helper thread while the calling (Django) thread records what it reports.

Optimizers report trials through a callback that may run inside an event loop (concurrent
candidate evaluation), where Django refuses database access, and on threads other than the one
that owns the database connection. So the callback only queues events; this thread writes the
Trial rows, polls the experiment's status and, when it is no longer running, tells the engine to
stop: the next callback or progress report raises :class:`ExperimentCancelled`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError

from core.background import BackgroundRun
from core.runs import RunStatus
from experiments.models import Experiment, Trial

__all__ = ["ExperimentCancelled", "RunMonitor"]

_T = TypeVar("_T")


class ExperimentCancelled(Exception):
    """The experiment stopped running (cancelled) while the engine worked."""


class RunMonitor:
    """``callback`` / ``progress`` / ``scored`` are for the engine side; :meth:`run` for Django's
    (``on_trial(trial)`` is called there after each Trial row is written).

    Trial keys are ``"<kind>: <candidate>"`` (``#2``, ``#3`` ... for repeats), so a replayed run
    produces the same keys; scores already stored are reused by :meth:`scored` instead of being
    computed again.
    """

    def __init__(
        self,
        experiment: Experiment,
        record: Callable[..., Any],
        poll_every: float = 0.5,
        on_trial: Callable[[Any], None] | None = None,
    ):
        self.experiment = experiment
        self.record = record
        self.poll_every = poll_every
        self.on_trial = on_trial
        self.cancelled = threading.Event()
        self._emit: Callable[[dict[str, Any]], None] = self._not_running
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        stored = Trial.objects.filter(experiment=experiment, score__isnull=False).values_list(
            "candidate", "score"
        )
        self._stored: dict[str, float] = {
            candidate: score for candidate, score in stored if score is not None
        }

    # -- engine side (any thread, maybe inside an event loop) ------------------------------------
    def key(self, kind: str, candidate: str) -> str:
        base = f"{kind}: {candidate}"[:190]
        with self._lock:
            count = self._seen.get(base, 0) + 1
            self._seen[base] = count
        return base if count == 1 else f"{base} #{count}"

    def raise_if_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise ExperimentCancelled(f"experiment {self.experiment.pk} was cancelled")

    def callback(self, event: Any) -> None:
        """The optimizer's ``callback``: queue a trial (``event`` is a ``dspex`` TrialEvent)."""
        self.raise_if_cancelled()
        key = self.key(event.kind, event.candidate)
        self._emit({"candidate": key, "kind": event.kind, "score": event.score, "details": event.details})

    def progress(self, done: int, total: int, mean: float) -> None:
        """``Evaluate``'s progress callback: only a cancellation point."""
        self.raise_if_cancelled()

    def scored(self, kind: str, candidate: str, score_it: Callable[[], float]) -> float:
        """Score a whole program once: a replayed run reuses the score stored the first time."""
        self.raise_if_cancelled()
        key = self.key(kind, candidate)
        if key in self._stored:
            return self._stored[key]
        score = score_it()
        self._emit({"candidate": key, "kind": kind, "score": score, "details": {}})
        return score

    @staticmethod
    def _not_running(event: dict[str, Any]) -> None:
        raise RuntimeError("trials are reported only from the work of RunMonitor.run()")

    # -- Django side -------------------------------------------------------------------------------
    def run(self, work: Callable[[], _T]) -> _T:
        """Call ``work()`` on a helper thread (same context variables) and record its events here
        until it returns; re-raise what it raised."""

        def engine_side(emit: Callable[[Any], None], stop: threading.Event) -> Any:
            self._emit = emit
            return work()

        background = BackgroundRun(engine_side, name=f"experiment-{self.experiment.pk}")
        polled = time.monotonic()
        for event in background:
            if event is not None:
                self._write(event)
            if time.monotonic() - polled >= self.poll_every:
                polled = time.monotonic()
                self._poll()
        background.raise_failure()
        self._poll()
        self.raise_if_cancelled()
        result: _T = background.result  # what work() returned
        return result

    def _write(self, event: dict[str, Any]) -> None:
        if self.cancelled.is_set():
            return
        try:
            trial = self.record(experiment=self.experiment, **event)
        except ValidationError as exc:
            if getattr(exc, "code", None) != "not_running":
                raise
            self.cancelled.set()
            return
        if self.on_trial is not None:
            self.on_trial(trial)

    def _poll(self) -> None:
        status = Experiment.objects.values_list("status", flat=True).get(pk=self.experiment.pk)
        if status != RunStatus.RUNNING:
            self.cancelled.set()
