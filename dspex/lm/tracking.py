"""Collect every LM call made inside a block: ``with track_calls() as calls: ...``.

The collector lives in a :class:`contextvars.ContextVar`, so it follows asyncio tasks created
inside the block and threads that run in a copy of the context (``asyncio.to_thread``,
``contextvars.copy_context().run``, dspex's own executors), while concurrent tasks and requests
each see only their own calls. Nested blocks all receive the calls made in the innermost one.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

__all__ = ["CallSink", "LMCall", "collect_into", "track_calls"]


@dataclass(slots=True)
class LMCall:
    """One LM request, in the same shape as an ``LM.history`` entry."""

    model: str
    provider: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    outputs: list[str]
    usage: dict[str, int]
    cost: float | None
    latency_ms: float
    cache_hit: bool
    timestamp: str
    finish_reasons: list[str | None]
    response_model: str | None = None
    # DSPy's names in a history entry: the prompt string (``None`` for messages), the call's
    # parameters again, and the model type.
    prompt: str | None = None
    kwargs: dict[str, Any] | None = None
    model_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> LMCall:
        fields: dict[str, Any] = {name: entry.get(name) for name in cls.__dataclass_fields__}
        return cls(**fields)


class CallSink(Protocol):
    """What receives the calls of a block: a list, or anything with ``append(call)``."""

    def append(self, call: LMCall, /) -> None: ...


_collectors: contextvars.ContextVar[tuple[CallSink, ...]] = contextvars.ContextVar(
    "dspex_lm_call_collectors", default=()
)


@contextmanager
def collect_into(sink: CallSink) -> Iterator[CallSink]:
    """Hand every request made in this context to ``sink.append`` (as :func:`track_calls`
    does with its list): how :func:`dspex.lm.usage.track_usage` counts tokens live."""
    token = _collectors.set((*_collectors.get(), sink))
    try:
        yield sink
    finally:
        _collectors.reset(token)


@contextmanager
def track_calls() -> Iterator[list[LMCall]]:
    """Yield a list that receives an :class:`LMCall` for every request made in this context."""
    calls: list[LMCall] = []
    with collect_into(calls):
        yield calls


def tracking_active() -> bool:
    """Whether some ``track_calls`` block is collecting calls in this context."""
    return bool(_collectors.get())


def publish(entry: dict[str, Any]) -> None:
    """Hand a history entry to the active collectors (a no-op outside ``track_calls``)."""
    collectors = _collectors.get()
    if collectors:
        call = LMCall.from_entry(entry)
        for calls in collectors:
            calls.append(call)
