"""One request pipeline for blocking, async and streaming LM calls.

An LM call (cache, rate limit, URL, post, parse, record) and an endpoint's retry loop are written
once, as plain generators that do no I/O themselves: they *yield* the steps below and are sent the
results back. Three small drivers carry the steps out:

- :func:`run` in the calling thread (``time.sleep``, the pooled sync client),
- :func:`arun` on the running event loop (``asyncio.sleep``, the loop's pooled client; blocking
  work goes to a thread),
- :func:`astream`, like :func:`arun`, and it also yields the text of a streamed response.

A step that fails is thrown back into the generator (``generator.throw``) at the ``yield`` that
asked for it, so failures are mapped, retried and reported by the same code on every path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from dspex.lm import http
from dspex.lm.streaming import aiter_events

if TYPE_CHECKING:
    from dspex.lm.providers.base import StreamState
    from dspex.lm.slots import RequestSlots

__all__ = [
    "Call",
    "Post",
    "Replay",
    "Send",
    "Step",
    "Steps",
    "Stream",
    "Wait",
    "arun",
    "astream",
    "run",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds`` (a rate-limit reservation or a retry backoff)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Call:
    """Run ``sync()``; an async driver awaits ``async_()`` instead, or runs ``sync`` on a worker
    thread when there is none (it may block: starting a local server, diagnosing a crash)."""

    sync: Callable[[], Any]
    async_: Callable[[], Awaitable[Any]] | None = None


@dataclass(frozen=True, slots=True)
class Send:
    """One HTTP POST. The result is the :class:`httpx.Response` with its body read, or, with
    ``stream``, still open when the status is 2xx; an httpx error is thrown back instead."""

    url: httpx.URL
    body: bytes
    headers: dict[str, str]
    timeout: httpx.Timeout
    stream: bool = False


@dataclass(frozen=True, slots=True)
class Post:
    """Run ``exchanges`` (one endpoint retry loop per request body) holding ``slots`` if any;
    the result is the list of their decoded bodies. An async driver runs several at once."""

    exchanges: list[Steps[Any]]
    slots: RequestSlots | None = None


@dataclass(frozen=True, slots=True)
class Stream:
    """Open a streamed response with ``exchange`` (holding ``slots`` if any), feed its
    server-sent events to ``state`` and pass each text delta on to the consumer. Errors while
    reading (httpx errors, malformed events as ``ValueError``) are thrown back."""

    exchange: Steps[httpx.Response]
    state: StreamState
    slots: RequestSlots | None = None


@dataclass(frozen=True, slots=True)
class Replay:
    """Pass ``text`` on to a stream's consumer (a cache hit, replayed in one chunk)."""

    text: str


Step = Wait | Call | Send | Post | Stream | Replay
Steps = Generator[Step, Any, T]


# -- blocking ---------------------------------------------------------------------------------


def run(steps: Steps[T]) -> T:
    """Carry out ``steps`` in the calling thread and return what the generator returns."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            step = steps.send(value) if error is None else steps.throw(error)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value = error = None
        try:
            value = _perform(step)
        except Exception as exc:
            error = exc


def _perform(step: Step) -> Any:
    if type(step) is Send:
        if step.stream:
            raise TypeError("streamed responses need an event loop (use astream)")
        return http.post(step.url, step.body, step.headers, step.timeout)
    if type(step) is Post:
        if step.slots is None:
            return [run(exchange) for exchange in step.exchanges]
        with step.slots:
            return [run(exchange) for exchange in step.exchanges]
    if type(step) is Wait:
        time.sleep(step.seconds)
        return None
    if type(step) is Call:
        return step.sync()
    raise TypeError(f"a blocking call cannot carry out {type(step).__name__}")


# -- async ------------------------------------------------------------------------------------


async def arun(steps: Steps[T]) -> T:
    """Carry out ``steps`` on the running event loop and return what the generator returns."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            step = steps.send(value) if error is None else steps.throw(error)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value = error = None
        try:
            value = await _aperform(step)
        except Exception as exc:
            error = exc


async def _aperform(step: Step) -> Any:
    if type(step) is Send:
        if step.stream:
            return await http.astream_open(step.url, step.body, step.headers, step.timeout)
        return await http.apost(step.url, step.body, step.headers, step.timeout)
    if type(step) is Post:
        exchanges = step.exchanges
        if step.slots is not None:
            async with step.slots:
                return [await arun(exchange) for exchange in exchanges]
        if len(exchanges) == 1:
            return [await arun(exchanges[0])]
        return await asyncio.gather(*(arun(exchange) for exchange in exchanges))
    if type(step) is Wait:
        await asyncio.sleep(step.seconds)
        return None
    if type(step) is Call:
        if step.async_ is not None:
            return await step.async_()
        return await asyncio.to_thread(step.sync)
    raise TypeError(f"a non-streaming call cannot carry out {type(step).__name__}")


# -- streaming --------------------------------------------------------------------------------


async def astream(steps: Steps[Any]) -> AsyncIterator[str]:
    """Carry out ``steps`` like :func:`arun`, yielding the text of :class:`Stream` and
    :class:`Replay` steps as it arrives."""
    value: Any = None
    error: Exception | None = None
    try:
        while True:
            try:
                step = steps.send(value) if error is None else steps.throw(error)
            except StopIteration:
                return
            value = error = None
            if type(step) is Replay:
                yield step.text
            elif type(step) is Stream:
                deltas = _deltas(step)
                try:
                    while True:
                        try:
                            delta = await anext(deltas)
                        except StopAsyncIteration:
                            break
                        except Exception as exc:
                            error = exc
                            break
                        yield delta
                finally:
                    await deltas.aclose()
            else:
                try:
                    value = await _aperform(step)
                except Exception as exc:
                    error = exc
    finally:
        # A consumer that stops early must not leave the pipeline suspended mid-call.
        steps.close()


async def _deltas(step: Stream) -> AsyncGenerator[str, None]:
    slots = step.slots
    if slots is not None:
        await slots.aacquire()
    try:
        response = await arun(step.exchange)
        try:
            feed = step.state.feed
            async for event in aiter_events(response.aiter_lines()):
                delta = feed(event.event, event.data)
                if delta:
                    yield delta
        finally:
            await response.aclose()
    finally:
        if slots is not None:
            slots.release()
