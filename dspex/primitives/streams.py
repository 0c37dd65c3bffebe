"""The stream of one execution: what it yields besides the final Prediction, and the sink it goes
to — one sink per ``streamify`` call, found through a context variable, so concurrent executions
never mix their events (the same pattern as :mod:`dspex.primitives.steps`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FieldEnd", "StatusMessage", "StreamChunk", "StreamSink", "active_sink", "emit_status"]


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """A piece of the text of output ``field`` of ``predictor`` (its path in the program,
    e.g. ``"answer.predict"``), as it arrives from the LM."""

    predictor: str
    field: str
    chunk: str


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """Progress: ``"calling answer.predict"``, ``"step draft started"``, ...

    ``step`` names the pipeline step (its id, or its path when it has none) for step events.
    """

    text: str
    step: str | None = None

    @property
    def message(self) -> str:
        """The text (the name DSPy's status messages use)."""
        return self.text


@dataclass(frozen=True, slots=True)
class FieldEnd:
    """The LM call of ``predictor`` finished: no more text comes for its ``fields`` (sent only
    by a sink made with ``mark_ends=True``)."""

    predictor: str
    fields: tuple[str, ...]


_active: contextvars.ContextVar[StreamSink | None] = contextvars.ContextVar("dspex_stream_sink", default=None)


def active_sink() -> StreamSink | None:
    """The sink of the streamed execution this code runs in, if any."""
    return _active.get()


def emit_status(text: str, step: str | None = None) -> None:
    """Send a :class:`StatusMessage` to the active stream (a no-op when nothing is streamed)."""
    sink = _active.get()
    if sink is not None:
        sink.put(StatusMessage(text, step))


class StreamSink:
    """Collects events for one execution into an :class:`asyncio.Queue`.

    ``names`` maps ``id(predictor)`` to its path in the program; ``predictors`` limits which
    predictors' fields are streamed (``None``: all). Events may come from worker threads (a
    module whose ``aforward`` runs ``forward`` in a thread); they reach the queue through its loop.
    """

    def __init__(
        self,
        queue: asyncio.Queue[Any],
        names: Mapping[int, str],
        predictors: set[str] | None = None,
        status: bool = True,
        *,
        mark_ends: bool = False,
    ):
        self.queue = queue
        self.names = dict(names)
        self.predictors = predictors
        self.status_messages = status
        self.mark_ends = mark_ends
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()

    def activate(self) -> contextvars.Token[StreamSink | None]:
        return _active.set(self)

    @staticmethod
    def deactivate(token: contextvars.Token[StreamSink | None]) -> None:
        _active.reset(token)

    def put(self, item: Any) -> None:
        """Queue a built-in event (status messages left out when the sink was made without)."""
        if isinstance(item, StatusMessage) and not self.status_messages:
            return
        self.put_any(item)

    async def send(self, item: Any) -> None:
        """Queue any item for the stream's reader (``await sink.send(chunk)``, also from a worker
        thread through ``anyio.from_thread.run``)."""
        self.put_any(item)

    def put_any(self, item: Any) -> None:
        """Queue ``item`` whatever it is, from the loop's thread or another."""
        if threading.get_ident() == self.thread:
            self.queue.put_nowait(item)
        else:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)

    def name_of(self, predictor: Any) -> str:
        return self.names.get(id(predictor)) or type(predictor).__name__

    async def call_predictor(
        self,
        predictor: Any,
        adapter: Any,
        lm: Any,
        config: dict[str, Any],
        signature: Any,
        demos: list[Any],
        inputs: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Run one predictor's adapter call, streaming its output fields when possible."""
        name = self.name_of(predictor)
        self.put(StatusMessage(f"calling {name}"))
        samples = config.get("n") or getattr(lm, "kwargs", {}).get("n") or 1
        stream = getattr(adapter, "astream_call", None)
        completions: list[dict[str, Any]]
        if stream is None or samples != 1 or (self.predictors is not None and name not in self.predictors):
            completions = await adapter.acall(lm, config, signature, demos, inputs)
            return completions

        def on_chunk(field: str, text: str) -> None:
            self.put(StreamChunk(name, field, text))

        completions = await stream(lm, config, signature, demos, inputs, on_chunk)
        if self.mark_ends:
            self.put_any(FieldEnd(name, tuple(signature.output_fields)))
        return completions

    def streams_here(self, predictor: Any) -> bool:
        """Whether a sync call of ``predictor`` on this thread should stream through
        :meth:`call_predictor_blocking`: it runs on a worker thread (not the stream's loop) and
        its fields are streamed."""
        if threading.get_ident() == self.thread or self.loop.is_closed():
            return False
        return self.predictors is None or self.name_of(predictor) in self.predictors

    def call_predictor_blocking(
        self,
        predictor: Any,
        adapter: Any,
        lm: Any,
        config: dict[str, Any],
        signature: Any,
        demos: list[Any],
        inputs: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """:meth:`call_predictor` from a worker thread: it runs on the stream's loop, in a copy of
        this thread's context (settings, callbacks, call ids), and this thread waits for it."""
        context = contextvars.copy_context()
        done: concurrent.futures.Future[list[dict[str, Any]]] = concurrent.futures.Future()

        def finish(task: asyncio.Task[list[dict[str, Any]]]) -> None:
            if task.cancelled():
                done.cancel()
            elif (error := task.exception()) is not None:
                done.set_exception(error)
            else:
                done.set_result(task.result())

        def start() -> None:
            coroutine = self.call_predictor(predictor, adapter, lm, config, signature, demos, inputs)
            self.loop.create_task(coroutine, context=context).add_done_callback(finish)

        self.loop.call_soon_threadsafe(start)
        return done.result()
