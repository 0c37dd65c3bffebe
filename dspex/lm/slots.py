"""Client-side request slots: at most N requests in flight to one server, first come first served.

A llama.cpp server started by ``llama_cpp.server`` runs one request at a time and queues the rest
without answering. Requests waiting there count against the client's read timeout, time out, are
retried and are computed anyway: the server does the work twice. Waiting here instead keeps the
timeout for the request itself and sends the server requests in the order they were made (which
keeps its prompt-prefix cache warm). The slots serve threads and event loops alike.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import deque
from typing import Any

__all__ = ["RequestSlots", "request_slots", "reset_slots"]


class RequestSlots:
    """A FIFO counting semaphore usable from any thread and any event loop."""

    def __init__(self, size: int = 1) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._free = size
        self._lock = threading.Lock()
        self._waiters: deque[tuple[Any, Any]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def acquire(self) -> None:
        """Block the calling thread until a slot is free."""
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return
            event = threading.Event()
            self._waiters.append((None, event))
        event.wait()

    async def aacquire(self) -> None:
        """Wait (without blocking the loop) until a slot is free."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free and not self._waiters:
                self._free -= 1
                return
            future: asyncio.Future[None] = loop.create_future()
            entry = (loop, future)
            self._waiters.append(entry)
        try:
            await future
        except asyncio.CancelledError:
            if future.cancelled():
                with self._lock:
                    if entry in self._waiters:
                        self._waiters.remove(entry)
                        raise
                # Already handed over: _grant sees the cancelled future and passes the slot on.
            else:
                self.release()  # granted, then cancelled before it could run
            raise

    def release(self) -> None:
        """Free a slot: hand it to the oldest waiter, if any."""
        with self._lock:
            while self._waiters:
                loop, waiter = self._waiters.popleft()
                if loop is None:
                    waiter.set()
                    return
                if loop.is_closed():
                    continue
                try:
                    loop.call_soon_threadsafe(self._grant, waiter)
                except RuntimeError:  # the loop closed meanwhile
                    continue
                return
            self._free += 1

    def _grant(self, future: asyncio.Future[None]) -> None:
        if future.done():  # cancelled while the slot was on its way
            self.release()
        else:
            future.set_result(None)

    def __enter__(self) -> RequestSlots:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    async def __aenter__(self) -> RequestSlots:
        await self.aacquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


_slots: dict[str, RequestSlots] = {}
_lock = threading.Lock()


def request_slots(key: str, size: int) -> RequestSlots:
    """The process-wide slots for ``key`` (a server's base URL)."""
    slots = _slots.get(key)
    if slots is None:
        with _lock:
            slots = _slots.setdefault(key, RequestSlots(size))
    return slots


def reset_slots() -> None:
    """Forget every slot (after ``fork``: a child must not wait on its parent's holders)."""
    global _lock
    _lock = threading.Lock()
    _slots.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reset_slots)
