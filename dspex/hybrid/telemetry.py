"""Events and in-memory statistics of every routed call and compile.

Subscribers receive a :class:`HybridEvent` when an attempt starts, stops (success) or raises::

    dspex.hybrid.subscribe(print)          # or any callable(event)
    dspex.hybrid.stats()                    # per-backend and per-type counts and latencies

Statistics keep totals and a sliding window of the latest attempts per (type, backend); the
``adaptive`` preference reads them. A subscriber that raises is logged and otherwise ignored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from time import perf_counter
from typing import Any

from dspex.hybrid.attempts import COLLECTORS, Attempt, publish_success
from dspex.primitives.prediction import Prediction

__all__ = [
    "BackendStats",
    "HybridEvent",
    "configure_stats",
    "emit",
    "finished",
    "record",
    "reset_stats",
    "started",
    "stats",
    "subscribe",
    "unsubscribe",
    "window_of",
]

logger = logging.getLogger("dspex.hybrid")

DEFAULT_WINDOW = 200


@dataclass(frozen=True, slots=True)
class HybridEvent:
    """``kind`` is ``"start"``, ``"stop"`` or ``"exception"``; ``operation`` is ``"call"`` or
    ``"compile"``; ``type_name`` the module/optimizer type; ``latency_ms``/``outcome``/``error``
    are set on stop and exception; ``attempt`` counts from 1 (2 for a fallback)."""

    kind: str
    operation: str
    backend: str
    type_name: str
    attempt: int = 1
    latency_ms: float | None = None
    outcome: str | None = None
    error: str | None = None
    timestamp: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_subscribers: tuple[Callable[[HybridEvent], Any], ...] = ()
_sub_lock = threading.Lock()


def subscribe(callback: Callable[[HybridEvent], Any]) -> Callable[[HybridEvent], Any]:
    """Call ``callback(event)`` for every hybrid event (from any thread). Returns ``callback``."""
    global _subscribers
    if not callable(callback):
        raise TypeError(f"subscribe() needs a callable, got {type(callback).__name__}")
    with _sub_lock:
        _subscribers = (*_subscribers, callback)
    return callback


def unsubscribe(callback: Callable[[HybridEvent], Any]) -> bool:
    """Stop sending events to ``callback``; ``False`` if it was not subscribed."""
    global _subscribers
    with _sub_lock:
        remaining = tuple(c for c in _subscribers if c != callback)
        found = len(remaining) != len(_subscribers)
        _subscribers = remaining
    return found


def has_subscribers() -> bool:
    return bool(_subscribers)


def emit(
    kind: str,
    operation: str,
    backend: str,
    type_name: str,
    attempt: int = 1,
    latency_ms: float | None = None,
    error: BaseException | None = None,
) -> None:
    """Send one event to every subscriber (nothing is built when there are none)."""
    subscribers = _subscribers
    if not subscribers:
        return
    outcome = None if kind == "start" else ("error" if kind == "exception" else "ok")
    event = HybridEvent(
        kind,
        operation,
        backend,
        type_name,
        attempt,
        latency_ms,
        outcome,
        f"{type(error).__name__}: {error}" if error is not None else None,
        time.time(),
    )
    for callback in subscribers:
        try:
            callback(event)
        except Exception:  # a broken subscriber must not break the call it observes
            logger.exception("hybrid event subscriber %r failed", callback)


class BackendStats:
    """Totals and a sliding window of ``(latency_ms, ok)`` for one (type, backend)."""

    __slots__ = ("count", "errors", "window")

    def __init__(self, size: int) -> None:
        self.count = 0
        self.errors = 0
        self.window: deque[tuple[float, bool]] = deque(maxlen=size)

    def add(self, latency_ms: float, ok: bool) -> None:
        self.count += 1
        if not ok:
            self.errors += 1
        self.window.append((latency_ms, ok))

    def merge(self, other: BackendStats) -> None:
        self.count += other.count
        self.errors += other.errors
        self.window.extend(other.window)

    def snapshot(self) -> dict[str, Any]:
        """Plain data: totals, and error rate and p50/p95 latency over the window."""
        window = list(self.window)
        latencies = sorted(latency for latency, _ in window)
        failures = sum(1 for _, ok in window if not ok)
        return {
            "count": self.count,
            "errors": self.errors,
            "window_count": len(window),
            "window_errors": failures,
            "error_rate": failures / len(window) if window else None,
            "p50_ms": _percentile(latencies, 0.50),
            "p95_ms": _percentile(latencies, 0.95),
        }


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 3)


_stats_lock = threading.Lock()
_window_size = DEFAULT_WINDOW
_stats: dict[tuple[str, str, str], BackendStats] = {}
# Attempts not yet counted. Every routed call records one, so recording is a queue append (atomic,
# no lock); the queue is folded into the statistics whenever they are read, and every
# _FOLD_EVERY attempts so that it stays small when nobody reads them.
_pending: deque[tuple[str, str, str, float, bool]] = deque()
_FOLD_EVERY = 256


def record(operation: str, type_name: str, backend: str, latency_ms: float, ok: bool) -> None:
    """Add one attempt to the statistics."""
    _pending.append((operation, type_name, backend, latency_ms, ok))
    if len(_pending) >= _FOLD_EVERY:
        with _stats_lock:
            _fold()


def _fold() -> None:
    """Count the queued attempts (call with ``_stats_lock`` held)."""
    take = _pending.popleft
    while True:
        try:
            operation, type_name, backend, latency_ms, ok = take()
        except IndexError:
            return
        key = (operation, type_name, backend)
        entry = _stats.get(key)
        if entry is None:
            entry = _stats[key] = BackendStats(_window_size)
        entry.add(latency_ms, ok)


def started(operation: str, backend: str, type_name: str, done: list[Attempt]) -> float:
    """Begin an attempt (the ``start`` event, when anyone subscribed); returns its start time."""
    if _subscribers:
        emit("start", operation, backend, type_name, len(done) + 1)
    return perf_counter()


def finished(
    operation: str,
    backend: str,
    type_name: str,
    start: float,
    done: list[Attempt],
    error: BaseException | None = None,
) -> None:
    """End an attempt begun at ``start``: count it, add its :class:`Attempt` to ``done`` and send
    the ``stop`` (or, with ``error``, ``exception``) event. One call per attempt: it runs on
    every routed call."""
    latency = (perf_counter() - start) * 1000.0
    ok = error is None
    _pending.append((operation, type_name, backend, latency, ok))
    if len(_pending) >= _FOLD_EVERY:
        with _stats_lock:
            _fold()
    if ok:
        done.append(Attempt(backend, "ok", None, latency, type_name, operation))
    else:
        message = f"{type(error).__name__}: {error}"
        done.append(Attempt(backend, "error", message, latency, type_name, operation))
    if _subscribers:
        emit("stop" if ok else "exception", operation, backend, type_name, len(done), latency, error)


def succeeded(backend: str, type_name: str, start: float, result: Any) -> None:
    """End the one successful attempt of a call begun at ``start`` (what :func:`finished` and
    :func:`publish_attempts` do together, for the router's shortcut: one frame, on every call)."""
    latency = (perf_counter() - start) * 1000.0
    _pending.append(("call", type_name, backend, latency, True))
    if len(_pending) >= _FOLD_EVERY:
        with _stats_lock:
            _fold()
    if _subscribers:
        emit("stop", "call", backend, type_name, 1, latency, None)
    if type(result) is Prediction or isinstance(result, Prediction):
        object.__setattr__(result, "_attempts", (backend, type_name, latency))
    if COLLECTORS.get():
        publish_success(backend, type_name, latency)


def window_of(type_name: str, backend: str, operation: str = "call") -> dict[str, Any]:
    """The snapshot of one (type, backend) (zeros when it has never run)."""
    with _stats_lock:
        _fold()
        entry = _stats.get((operation, type_name, backend))
        return (entry or BackendStats(1)).snapshot()


def stats() -> dict[str, Any]:
    """A JSON-able snapshot::

    {"window": 200,
     "backends": {"native": {"count", "errors", "window_count", "window_errors",
                             "error_rate", "p50_ms", "p95_ms"}, "dspy": {...}},
     "types": {"call": {"predict": {"native": {...}, "dspy": {...}}},
               "compile": {"mipro_v2": {"dspy": {...}}}}}
    """
    with _stats_lock:
        _fold()
        items = list(_stats.items())
        size = _window_size
        backends: dict[str, BackendStats] = {}
        types: dict[str, dict[str, dict[str, Any]]] = {}
        for (operation, type_name, backend), entry in items:
            total = backends.setdefault(backend, BackendStats(size * max(1, len(items))))
            total.merge(entry)
            types.setdefault(operation, {}).setdefault(type_name, {})[backend] = entry.snapshot()
    return {
        "window": size,
        "backends": {name: entry.snapshot() for name, entry in sorted(backends.items())},
        "types": types,
    }


def reset_stats() -> None:
    """Forget every statistic (tests, or after the platform persisted a snapshot)."""
    with _stats_lock:
        _pending.clear()
        _stats.clear()


def configure_stats(*, window: int = DEFAULT_WINDOW) -> None:
    """Set the sliding-window size (latest attempts kept per type and backend); clears the stats."""
    global _window_size
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    with _stats_lock:
        _window_size = window
        _pending.clear()
        _stats.clear()
