"""Engine work on a helper thread, its reports read on the calling (Django) thread.

The engine may run event loops and threads of its own, where Django refuses database access; the
thread that owns the database connection must also keep polling (progress rows, cancellation). So
``work(emit, stop)`` runs on a helper thread in a copy of the caller's context variables, ``emit``
queues what it reports, and the caller iterates: each report, or ``None`` every ``poll_interval``
seconds while nothing came. After the iteration, :attr:`result` is what ``work`` returned, or
:meth:`raise_failure` re-raises what it raised.

:meth:`BackgroundRun.of_coroutine` runs a coroutine on the helper thread's own event loop
instead; :meth:`stop` then also cancels it (the engine's awaits raise ``CancelledError``, so LM
requests in flight are closed and their slots released).
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable, Coroutine, Iterator
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
        self._lock = threading.Lock()
        self._task: tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]] | None = None

    @classmethod
    def of_coroutine(
        cls,
        make: Callable[[Callable[[Any], None]], Coroutine[Any, Any, Any]],
        *,
        name: str = "dspex-background",
        poll_interval: float = 0.1,
    ) -> BackgroundRun:
        """Run ``make(emit)`` on an event loop of the helper thread; :meth:`stop` cancels it."""

        def work(emit: Callable[[Any], None], stop: threading.Event) -> Any:
            async def main() -> Any:
                run.cancel_with(asyncio.get_running_loop(), asyncio.current_task())  # type: ignore[arg-type]
                return await make(emit)

            return asyncio.run(main())

        run = cls(work, name=name, poll_interval=poll_interval)
        return run

    def cancel_with(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
        """Have :meth:`stop` cancel ``task`` (running on ``loop``); at once if already stopped."""
        with self._lock:
            self._task = (loop, task)
            if self.stop_requested.is_set():
                task.cancel()

    def start(self) -> BackgroundRun:
        if self._thread is None:
            context = contextvars.copy_context()
            self._thread = threading.Thread(
                target=context.run, args=(self._run,), name=self.name, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Ask ``work`` to stop (it sees its ``stop`` event set; a coroutine is cancelled)."""
        with self._lock:
            self.stop_requested.set()
            if self._task is not None:
                loop, task = self._task
                try:
                    loop.call_soon_threadsafe(task.cancel)
                except RuntimeError:  # the loop has closed: the work is over
                    pass

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the helper thread; whether it has finished (or never started)."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def started(self) -> bool:
        return self._thread is not None

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
