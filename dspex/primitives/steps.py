"""Module-level events of a run: ``with track_steps() as steps: ...``.

LM requests are collected by :func:`dspex.track_calls`; this collects what modules do between
them — a ReAct step (thought, tool, arguments, observation), an assertion that sent a predictor
back, a suggestion that stayed unmet, a BestOfN/Refine attempt and its reward, a sandboxed
program run. Like ``track_calls`` it lives in a :class:`contextvars.ContextVar`: it follows
asyncio tasks and threads started in a copy of the context, and concurrent runs never see each
other's steps.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dspex.signatures.types import jsonable

__all__ = ["Step", "record_step", "track_steps"]


@dataclass(slots=True)
class Step:
    """One event: ``kind`` (e.g. ``"react.step"``), the module class that emitted it and its data."""

    kind: str
    module: str
    data: dict[str, Any] = field(default_factory=dict)
    timestamp: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-friendly data (values made JSON-compatible)."""
        return {
            "kind": self.kind,
            "module": self.module,
            "data": {k: jsonable(v) for k, v in self.data.items()},
            "timestamp": self.timestamp,
        }


_collectors: contextvars.ContextVar[tuple[list[Step], ...]] = contextvars.ContextVar(
    "dspex_step_collectors", default=()
)


@contextmanager
def track_steps() -> Iterator[list[Step]]:
    """Yield a list that receives a :class:`Step` for every module event in this context."""
    steps: list[Step] = []
    token = _collectors.set((*_collectors.get(), steps))
    try:
        yield steps
    finally:
        _collectors.reset(token)


def record_step(kind: str, module: Any, **data: Any) -> None:
    """Hand an event to the active collectors (a no-op outside ``track_steps``)."""
    collectors = _collectors.get()
    if not collectors:
        return
    name = module if isinstance(module, str) else type(module).__name__
    step = Step(kind, name, data, datetime.now(UTC).isoformat())
    for steps in collectors:
        steps.append(step)
