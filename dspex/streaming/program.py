"""``stream_program``: a streamed execution shaped the way DSPy's ``streamify`` shapes it.

Built on :func:`dspex.primitives.streamify.drain` and the same :class:`StreamSink` as
:func:`dspex.streamify`; the differences are in what is sent:

* status messages come from a :class:`StatusMessageProvider` (tool calls by default), through a
  callback active for this execution only;
* output field text is sent only for the fields of the given :class:`StreamListener` s, as
  :class:`StreamResponse` pieces (the last one of a field with ``is_last_chunk=True``);
* anything code sends with ``await settings.send_stream.send(item)`` is passed through;
* a sync program (the default) runs on a worker thread, an async one (``is_async_program``)
  through ``acall``.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import queue as queue_module
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio.to_thread
import orjson

from dspex.primitives.prediction import Prediction
from dspex.primitives.streamify import drain
from dspex.primitives.streams import FieldEnd, StreamChunk, StreamSink
from dspex.settings import settings
from dspex.streaming.listener import StreamListener, StreamResponse
from dspex.streaming.status import StatusMessageProvider, StatusStreamingCallback

__all__ = ["apply_sync_streaming", "stream_program", "streaming_response"]


def stream_program(
    program: Any,
    status_message_provider: StatusMessageProvider | None = None,
    stream_listeners: list[StreamListener] | None = None,
    include_final_prediction_in_output_stream: bool = True,
    is_async_program: bool = False,
    async_streaming: bool = True,
) -> Callable[..., Any]:
    """A callable that runs ``program(*args, **kwargs)`` and gives its stream: an async
    iterator, or (``async_streaming=False``) a plain iterator. The stream ends with the
    program's result unless ``include_final_prediction_in_output_stream`` is false and
    listeners are given."""
    listeners = list(stream_listeners or [])
    for listener in listeners:
        listener.bind(program)
    provider = status_message_provider or StatusMessageProvider()
    final = include_final_prediction_in_output_stream or not listeners

    async def run(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        names = {id(predictor): name for name, predictor in program.named_predictors()}
        wanted = {listener.predict_name for listener in listeners if listener.predict_name}
        queue: asyncio.Queue[Any] = asyncio.Queue()
        sink = StreamSink(queue, names, wanted, status=False, mark_ends=True)
        callback = StatusStreamingCallback(sink, provider)

        async def start() -> Any:
            callbacks = [*(settings.get("callbacks") or []), callback]
            with settings.context(callbacks=callbacks, send_stream=sink):
                if is_async_program:
                    return await program.acall(*args, **kwargs)
                context = contextvars.copy_context()
                call = functools.partial(context.run, program, *args, **kwargs)
                return await anyio.to_thread.run_sync(call)

        routes = _Routes(listeners)
        async for item in drain(sink, queue, start):
            if isinstance(item, StreamChunk | FieldEnd):
                for response in routes.route(item):
                    yield response
            elif isinstance(item, Prediction) and not final:
                continue
            else:
                yield item

    if async_streaming:
        return run

    def run_sync(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return apply_sync_streaming(run(*args, **kwargs))

    return run_sync


class _Routes:
    """StreamChunk/FieldEnd events to the listeners' StreamResponse pieces."""

    def __init__(self, listeners: list[StreamListener]):
        self.listeners = listeners
        self.done: set[int] = set()

    def route(self, item: StreamChunk | FieldEnd) -> list[StreamResponse]:
        out: list[StreamResponse] = []
        for listener in self.listeners:
            if id(listener) in self.done or listener.predict_name != item.predictor:
                continue
            if isinstance(item, StreamChunk):
                if item.field == listener.signature_field_name:
                    out.append(StreamResponse(item.predictor, item.field, item.chunk, False))
            elif listener.signature_field_name in item.fields:
                out.append(StreamResponse(item.predictor, listener.signature_field_name, "", True))
                if not listener.allow_reuse:
                    self.done.add(id(listener))
        return out


def apply_sync_streaming(stream: AsyncIterator[Any]) -> Iterator[Any]:
    """Iterate an async stream from sync code: it runs on its own event loop in a thread, with
    this context (settings), and its items (or its exception) come back in order."""
    items: queue_module.Queue[Any] = queue_module.Queue()
    end = object()
    context = contextvars.copy_context()

    async def consume() -> None:
        try:
            async for item in stream:
                items.put((False, item))
        except BaseException as exc:  # handed to the reader
            items.put((True, exc))
        finally:
            items.put((False, end))

    thread = threading.Thread(target=context.run, args=(asyncio.run, consume()), daemon=True)
    thread.start()
    while True:
        failed, item = items.get()
        if failed:
            raise item
        if item is end:
            return
        yield item


async def streaming_response(stream: AsyncIterator[Any]) -> AsyncIterator[str]:
    """A stream as server-sent events: the final Prediction as ``data: {"prediction": {...}}``,
    events already in that form as they are, then ``data: [DONE]``."""
    async for value in stream:
        if isinstance(value, Prediction):
            yield f"data: {orjson.dumps({'prediction': dict(value.items())}).decode()}\n\n"
        elif isinstance(value, str) and value.startswith("data:"):
            yield value
        else:
            raise ValueError(f"Unknown chunk value type: {value!r}")
    yield "data: [DONE]\n\n"
