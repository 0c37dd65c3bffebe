"""``streamify(program)``: run a program and yield its output text as it arrives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

from dspex.primitives.streams import StreamSink

__all__ = ["drain", "streamify"]

_DONE = object()


def streamify(
    program: Any,
    *,
    predictors: Iterable[str] | None = None,
    status_messages: bool = True,
) -> Callable[..., AsyncIterator[Any]]:
    """A callable that runs ``program`` with the given inputs and yields, in order of arrival:

    - :class:`StreamChunk` ``(predictor, field, chunk)`` as output field text arrives from the LM,
    - :class:`StatusMessage` ``(text)`` events ("calling answer.predict", "step draft started"),
    - and finally the program's :class:`Prediction` (the same as a non-streamed call gives).

    ``predictors`` limits streaming to those predictor paths (``named_predictors`` names);
    ``status_messages=False`` leaves out the status events. Example::

        stream = dspex.streamify(dspex.ChainOfThought("question -> answer"))
        async for item in stream(question="..."):
            if isinstance(item, dspex.StreamChunk):
                print(item.chunk, end="")
            elif isinstance(item, dspex.Prediction):
                final = item

    Field text streams from predictors called through ``acall`` (Predict, ChainOfThought,
    Pipeline and modules built on them) with the chat format; other calls still yield their
    final Prediction.
    """
    wanted = set(predictors) if predictors is not None else None

    async def run(**inputs: Any) -> AsyncIterator[Any]:
        names = {id(predictor): name for name, predictor in program.named_predictors()}
        queue: asyncio.Queue[Any] = asyncio.Queue()
        sink = StreamSink(queue, names, wanted, status_messages)
        async for item in drain(sink, queue, lambda: program.acall(**inputs)):
            yield item

    return run


async def drain(
    sink: StreamSink, queue: asyncio.Queue[Any], start: Callable[[], Awaitable[Any]]
) -> AsyncIterator[Any]:
    """Run ``start()`` as a task with ``sink`` active and yield what reaches ``queue`` while it
    runs, then its result (its exception, if it raised). Closing the iterator early cancels it."""
    token = sink.activate()
    try:
        task = asyncio.ensure_future(start())  # runs in a copy of this context
    finally:
        sink.deactivate(token)
    task.add_done_callback(lambda _: queue.put_nowait(_DONE))
    try:
        while True:
            item = await queue.get()
            if item is _DONE:
                break
            yield item
        yield task.result()
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
