"""Engine work on a helper thread, its reports read on the calling (Django) thread.

The engine may run event loops and threads of its own, where Django refuses database access; the
thread that owns the database connection must also keep polling (progress rows, cancellation). So
``work(emit, stop)`` runs on a helper thread in a copy of the caller's context variables, ``emit``
queues what it reports, and the caller iterates: each report, or ``None`` every ``poll_interval``
seconds while nothing came. After the iteration, :attr:`result` is what ``work`` returned, or
:meth:`raise_failure` re-raises what it raised.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["BackgroundRun"]

_DONE = object()


class BackgroundRun:
    """``for item in BackgroundRun(work): ...`` (``item`` is ``None`` on a poll tick)."""

    def __init__(
        self,
        work: Callable[[Callable[[Any], None], threading.Event], Any],
        *,
        name: str = "dspex-background",
        poll_interval: float = 0.1,
    ):
        self.work = work
        self.name = name
        self.poll_interval = poll_interval
        self.stop_requested = threading.Event()
        self.result: Any = None
        self.failure: BaseException | None = None
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundRun:
        if self._thread is None:
            context = contextvars.copy_context()
            self._thread = threading.Thread(
                target=context.run, args=(self._run,), name=self.name, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Ask ``work`` to stop (it sees its ``stop`` event set)."""
        self.stop_requested.set()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def __iter__(self) -> Iterator[Any]:
        self.start()
        while True:
            try:
                item = self._queue.get(timeout=self.poll_interval)
            except queue.Empty:
                yield None
                continue
            if item is _DONE:
                self.join()
                return
            yield item

    def _run(self) -> None:
        try:
            self.result = self.work(self._queue.put, self.stop_requested)
        except BaseException as exc:  # handed to the calling thread
            self.failure = exc
        finally:
            self._queue.put(_DONE)
