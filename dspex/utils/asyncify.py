"""Run sync programs from async code and async programs from sync code.

* :func:`asyncify` turns a callable (a module, a function) into a coroutine function that runs it
  on a worker thread, with the caller's context (settings, trackers) and a process-wide cap on
  how many run at once: ``settings.async_max_workers`` (8 by default), read at every call, so
  ``with dspex.context(async_max_workers=16)`` raises it for that block.
* :func:`syncify` gives an async-only module (one that defines ``aforward``) a ``forward`` that
  runs it to completion, so optimizers and other sync code can call it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Awaitable, Callable
from types import MethodType
from typing import Any

import anyio
import anyio.to_thread

from dspex.primitives.module import Module
from dspex.settings import settings

__all__ = ["asyncify", "get_limiter", "run_async", "syncify"]

DEFAULT_ASYNC_MAX_WORKERS = 8

_limiter: anyio.CapacityLimiter | None = None
_limiter_lock = threading.Lock()


def get_limiter() -> anyio.CapacityLimiter:
    """The one limiter of :func:`asyncify` calls, its capacity set to ``async_max_workers``."""
    global _limiter
    capacity = int(settings.get("async_max_workers") or DEFAULT_ASYNC_MAX_WORKERS)
    with _limiter_lock:
        if _limiter is None:
            _limiter = anyio.CapacityLimiter(capacity)
        elif _limiter.total_tokens != capacity:
            _limiter.total_tokens = capacity
        return _limiter


def asyncify(program: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """``await asyncify(program)(*args, **kwargs)`` runs ``program`` on a worker thread (at most
    ``async_max_workers`` at a time) in a copy of the caller's context."""

    @functools.wraps(program)
    async def run(*args: Any, **kwargs: Any) -> Any:
        context = contextvars.copy_context()
        call = functools.partial(context.run, program, *args, **kwargs)
        return await anyio.to_thread.run_sync(call, limiter=get_limiter())

    return run


def run_async(awaitable: Awaitable[Any]) -> Any:
    """Run ``awaitable`` to completion from sync code: on a new event loop, or, when this thread
    already runs one, on a helper thread (in a copy of this context)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_wait(awaitable))
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()

    def work() -> None:
        try:
            outcome["result"] = context.run(asyncio.run, _wait(awaitable))
        except BaseException as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="dspex-syncify")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


async def _wait(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


class SyncWrapper(Module):
    """A sync module around an async one: ``forward`` runs the wrapped module's ``aforward``."""

    def __init__(self, program: Any) -> None:
        super().__init__()
        self.program = program

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return run_async(self.program.aforward(*args, **kwargs))

    async def aforward(self, *args: Any, **kwargs: Any) -> Any:
        return await self.program.aforward(*args, **kwargs)


def _forward(self: Any, *args: Any, **kwargs: Any) -> Any:
    return run_async(self.aforward(*args, **kwargs))


def syncify(program: Any, in_place: bool = True) -> Any:
    """A sync version of an async module (one defining ``aforward``).

    ``in_place=True`` gives ``program`` itself a ``forward`` that runs its ``aforward`` (it
    replaces a ``forward`` it may have); ``in_place=False`` returns a :class:`SyncWrapper` around
    it and leaves ``program`` alone.
    """
    if in_place:
        program.forward = MethodType(_forward, program)
        return program
    return SyncWrapper(program)
