"""``Parallel``: run (module, example) pairs on a thread pool (or as asyncio tasks)."""

from __future__ import annotations

import asyncio
import contextvars
import copy
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dspex.primitives.example import Example
from dspex.settings import settings

__all__ = ["Parallel", "ParallelExecutionError"]

logger = logging.getLogger("dspex.parallel")

DEFAULT_NUM_THREADS = 8
_SKIPPED: Any = object()

Progress = Callable[[int, int], None]


class ParallelExecutionError(RuntimeError):
    """Too many pairs failed (``max_errors``); the rest were not started.

    ``results`` has the finished results (``None`` for failed or skipped pairs),
    ``failed_examples`` and ``exceptions`` the failures in input order.
    """

    def __init__(
        self, message: str, results: list[Any], failed_examples: list[Any], exceptions: list[BaseException]
    ):
        super().__init__(message)
        self.results = results
        self.failed_examples = failed_examples
        self.exceptions = exceptions


class Parallel:
    """Run many ``(module, example)`` pairs concurrently and return the results in order.

    An example is an :class:`Example` (called with ``example.inputs()``, or passed whole when
    ``access_examples=False``), a dict (keyword arguments), a tuple (positional arguments) or, for
    a nested ``Parallel``, a list of pairs. A pair that raises gives ``None`` and is logged;
    once ``max_errors`` pairs have failed (default ``dspex.settings.max_errors``, 10) no new pair
    starts and :class:`ParallelExecutionError` is raised with the partial results. With
    ``return_failed_examples=True`` the call returns ``(results, failed_examples, exceptions)``.

    Threads run in copies of the caller's context, so ``dspex.context(...)``, ``track_calls``
    and ``track_steps`` reach every pair (a ``settings.usage_tracker`` is copied per pair, as
    DSPy does, so hand-added usage of one pair is not seen by another); ``await
    parallel.acall(pairs)`` runs the pairs as asyncio tasks over ``module.acall`` instead (at most
    ``num_threads`` at a time).

    Example::

        pairs = [(qa, dspex.Example(question=q).with_inputs("question")) for q in questions]
        results = dspex.Parallel(num_threads=8)(pairs)
    """

    def __init__(
        self,
        num_threads: int | None = None,
        max_errors: int | None = None,
        access_examples: bool = True,
        return_failed_examples: bool = False,
        provide_traceback: bool | None = None,
        disable_progress_bar: bool = True,
        progress: Progress | None = None,
        timeout: float = 120,
        straggler_limit: int = 3,
    ):
        """``timeout`` and ``straggler_limit`` are DSPy's straggler settings (resubmit a pair
        still running ``timeout`` seconds after most finished, for the last ``straggler_limit``);
        they are kept for DSPy code but dspex does not resubmit: a pair runs once."""
        self.timeout = timeout
        self.straggler_limit = straggler_limit
        self.num_threads = num_threads
        self.max_errors = max_errors
        self.access_examples = access_examples
        self.return_failed_examples = return_failed_examples
        self.provide_traceback = bool(provide_traceback)
        self.disable_progress_bar = disable_progress_bar
        self.progress = progress

    def _threads(self, num_threads: int | None) -> int:
        value = num_threads or self.num_threads or settings.get("num_threads") or DEFAULT_NUM_THREADS
        if value < 1:
            raise ValueError("num_threads must be at least 1")
        return int(value)

    def _max_errors(self) -> int:
        value = self.max_errors if self.max_errors is not None else settings.get("max_errors")
        return 10 if value is None else int(value)

    # -- one pair ---------------------------------------------------------------------------
    def _arguments(self, module: Any, example: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if isinstance(example, Example):
            if self.access_examples:
                return (), example.inputs().to_dict()
            return (example,), {}
        if isinstance(example, dict):
            return (), dict(example)
        if isinstance(example, list) and isinstance(module, Parallel):
            return (example,), {}
        if isinstance(example, tuple):
            return example, {}
        raise ValueError(
            f"invalid example type {type(example).__name__}: use an Example, a dict, a tuple "
            "(or a list of pairs for a nested Parallel)"
        )

    def _run_one(self, pair: tuple[Any, Any]) -> Any:
        module, example = pair
        args, kwargs = self._arguments(module, example)
        tracker = settings.get("usage_tracker")
        if tracker is not None:
            with settings.context(usage_tracker=copy.deepcopy(tracker)):
                return module(*args, **kwargs)
        return module(*args, **kwargs)

    async def _arun_one(self, pair: tuple[Any, Any]) -> Any:
        module, example = pair
        args, kwargs = self._arguments(module, example)
        tracker = settings.get("usage_tracker")
        if tracker is not None:
            with settings.context(usage_tracker=copy.deepcopy(tracker)):
                return await self._acall_module(module, args, kwargs)
        return await self._acall_module(module, args, kwargs)

    @staticmethod
    async def _acall_module(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if hasattr(module, "acall"):
            return await module.acall(*args, **kwargs)
        context = contextvars.copy_context()
        return await asyncio.to_thread(context.run, lambda: module(*args, **kwargs))

    # -- many pairs -------------------------------------------------------------------------
    def forward(self, exec_pairs: Sequence[tuple[Any, Any]], num_threads: int | None = None) -> Any:
        """Run the pairs on up to ``num_threads`` threads."""
        pairs = list(exec_pairs)
        state = _State(len(pairs), self._max_errors(), self.progress, self.provide_traceback)
        threads = self._threads(num_threads)

        def job(index: int) -> None:
            if state.stop.is_set():
                return
            try:
                state.done(index, self._run_one(pairs[index]))
            except Exception as error:
                state.failed(index, pairs[index][1], error)

        if threads == 1 or len(pairs) <= 1:
            for index in range(len(pairs)):
                job(index)
        else:
            with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dspex-parallel") as pool:
                futures = [pool.submit(contextvars.copy_context().run, job, i) for i in range(len(pairs))]
                for future in futures:
                    future.result()
        return self._outcome(state, pairs)

    async def aforward(self, exec_pairs: Sequence[tuple[Any, Any]], num_threads: int | None = None) -> Any:
        """Run the pairs as asyncio tasks, at most ``num_threads`` at a time."""
        pairs = list(exec_pairs)
        state = _State(len(pairs), self._max_errors(), self.progress, self.provide_traceback)
        limit = asyncio.Semaphore(self._threads(num_threads))

        async def job(index: int) -> None:
            async with limit:
                if state.stop.is_set():
                    return
                try:
                    state.done(index, await self._arun_one(pairs[index]))
                except Exception as error:
                    state.failed(index, pairs[index][1], error)

        await asyncio.gather(*(job(i) for i in range(len(pairs))))
        return self._outcome(state, pairs)

    def __call__(self, exec_pairs: Sequence[tuple[Any, Any]], num_threads: int | None = None) -> Any:
        return self.forward(exec_pairs, num_threads)

    async def acall(self, exec_pairs: Sequence[tuple[Any, Any]], num_threads: int | None = None) -> Any:
        """Async :meth:`__call__`."""
        return await self.aforward(exec_pairs, num_threads)

    def _outcome(self, state: _State, pairs: list[tuple[Any, Any]]) -> Any:
        results = [None if r is _SKIPPED else r for r in state.results]
        failed = sorted(state.failures, key=lambda f: f[0])
        failed_examples = [pairs[i][1] for i, _ in failed]
        exceptions = [e for _, e in failed]
        if state.stop.is_set():
            raise ParallelExecutionError(
                f"stopped after {len(failed)} failed pair(s) (max_errors={state.max_errors}); "
                f"first error: {type(exceptions[0]).__name__}: {exceptions[0]}",
                results,
                failed_examples,
                exceptions,
            ) from exceptions[0]
        if self.return_failed_examples:
            return results, failed_examples, exceptions
        return results


class _State:
    """Results and failures of one run, shared by its threads."""

    def __init__(self, total: int, max_errors: int, progress: Progress | None, traceback: bool):
        self.results: list[Any] = [_SKIPPED] * total
        self.failures: list[tuple[int, BaseException]] = []
        self.max_errors = max_errors
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.finished = 0
        self.total = total
        self.progress = progress
        self.traceback = traceback

    def done(self, index: int, result: Any) -> None:
        with self.lock:
            self.results[index] = result
            self.finished += 1
            finished = self.finished
        if self.progress is not None:
            self.progress(finished, self.total)

    def failed(self, index: int, example: Any, error: BaseException) -> None:
        with self.lock:
            self.failures.append((index, error))
            self.finished += 1
            finished = self.finished
            if len(self.failures) >= max(self.max_errors, 1):
                self.stop.set()
        logger.error("Error for example %d (%r): %s: %s", index, example, type(error).__name__, error,
                     exc_info=error if self.traceback else None)  # fmt: skip
        if self.progress is not None:
            self.progress(finished, self.total)
