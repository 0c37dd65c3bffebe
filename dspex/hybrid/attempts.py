"""What each backend did for one routed call: the attempts list.

A call normally has one attempt; with fallback a failed native attempt is followed by a dspy one.
Read them from the prediction (``attempts_of(pred)``) or collect every attempt made in a block::

    with dspex.hybrid.record_attempts() as attempts:
        program(question="...")
    attempts  # [{"backend": "native", "outcome": "error", ...}, {"backend": "dspy", ...}]
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from dspex.primitives.prediction import Prediction

__all__ = ["COLLECTORS", "Attempt", "attempts_of", "publish_attempts", "publish_success", "record_attempts"]


@dataclass(slots=True)
class Attempt:
    """One try of one routed call (or compile)."""

    backend: str
    outcome: str  # "ok" | "error"
    error: str | None
    latency_ms: float
    type_name: str
    operation: str = "call"

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "outcome": self.outcome,
            "error": self.error,
            "latency_ms": self.latency_ms,
            "type_name": self.type_name,
            "operation": self.operation,
        }


_collectors: contextvars.ContextVar[tuple[list[dict[str, Any]], ...]] = contextvars.ContextVar(
    "dspex_hybrid_attempt_collectors", default=()
)
COLLECTORS = _collectors  # the open record_attempts() lists (read-only for other modules)


@contextmanager
def record_attempts() -> Iterator[list[dict[str, Any]]]:
    """Yield a list receiving every attempt (as a dict) of the routed calls made in this context."""
    found: list[dict[str, Any]] = []
    token = _collectors.set((*_collectors.get(), found))
    try:
        yield found
    finally:
        _collectors.reset(token)


def publish_attempts(attempts: list[Attempt], result: Any = None) -> None:
    """Hand ``attempts`` to the active collectors and attach them to ``result`` (a Prediction).

    The prediction keeps the :class:`Attempt` objects; they become dicts when read (most
    predictions are never asked), so a routed call pays for no conversion it does not need.
    """
    if isinstance(result, Prediction):
        object.__setattr__(result, "_attempts", attempts)
    collectors = _collectors.get()
    if collectors:
        rows = [a.to_dict() for a in attempts]
        for found in collectors:
            found.extend(dict(row) for row in rows)


def publish_success(backend: str, type_name: str, latency_ms: float, result: Any = None) -> None:
    """:func:`publish_attempts` for a call whose one attempt succeeded: the commonest case, kept
    on the prediction in a compact form (``attempts_of`` builds the :class:`Attempt` when asked)."""
    if isinstance(result, Prediction):
        object.__setattr__(result, "_attempts", (backend, type_name, latency_ms))
    collectors = _collectors.get()
    if collectors:
        row = Attempt(backend, "ok", None, latency_ms, type_name).to_dict()
        for found in collectors:
            found.append(dict(row))


def attempts_of(prediction: Any) -> list[dict[str, Any]]:
    """The attempts recorded on a routed call's prediction (``[]`` when it was not routed)."""
    found = getattr(prediction, "_attempts", None)
    if not found:
        return []
    if isinstance(found, tuple):  # publish_success's form
        backend, type_name, latency_ms = found
        return [Attempt(backend, "ok", None, latency_ms, type_name).to_dict()]
    return [a.to_dict() for a in found]
