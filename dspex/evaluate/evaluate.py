"""``Evaluate``: score a program on a dev set, concurrently, capturing per-example errors."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from dspex.callbacks import active_callbacks, aobserve, callbacks_enabled, observe
from dspex.primitives.example import Example
from dspex.settings import settings

__all__ = ["Evaluate", "EvaluationResult", "ExampleResult", "TooManyErrors", "score_with"]

Metric = Callable[..., Any]
Progress = Callable[[int, int, float], None]


async def score_with(metric: Metric, example: Example, prediction: Any, trace: Any = None) -> Any:
    """``metric(example, prediction, trace)``, awaited when the metric is asynchronous: a module
    used as a metric (an LM judge such as :class:`SemanticF1`) runs through its ``acall``."""
    acall = getattr(metric, "acall", None)
    if acall is not None:
        return await acall(example, prediction, trace)
    value = metric(example, prediction, trace) if trace is not None else metric(example, prediction)
    if inspect.isawaitable(value):
        value = await value
    return value


class _Tally(TypedDict):
    """Running counts of one evaluation, shared by its tasks."""

    done: int
    total_score: float
    errors: int


class TooManyErrors(RuntimeError):
    """More examples failed than ``max_errors`` allows; ``.result`` holds what was finished."""

    def __init__(self, message: str, result: EvaluationResult):
        super().__init__(message)
        self.result = result


@dataclass
class ExampleResult:
    """One example's outcome: the prediction and score, or the error that replaced them."""

    index: int
    example: Example
    prediction: Any = None
    score: float = 0.0
    error: str | None = None
    latency_ms: float = 0.0


@dataclass
class EvaluationResult:
    """``score`` is the mean metric over all examples, as a percentage (DSPy's convention);
    failed examples count as 0."""

    score: float
    results: list[ExampleResult] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(r.error is not None for r in self.results)

    def __float__(self) -> float:
        return self.score

    def __repr__(self) -> str:
        return f"EvaluationResult(score={self.score}, results=<list of {len(self.results)} results>)"


class Evaluate:
    """Run ``program`` on every example of ``devset`` and average ``metric``.

    ``num_threads`` bounds how many examples are in flight (asyncio tasks over the program's
    ``acall``; ``None``: ``settings.num_threads``, else 16); an exception in the program or the
    metric is recorded on that example instead of stopping the run, until more than
    ``max_errors`` have failed. A metric may be async (a coroutine function, or a module such as
    :class:`SemanticF1`, run through its ``acall``).
    ``progress(done, total, mean)`` is called after each example; ``display_progress=True``
    prints a bar on stderr.
    """

    def __init__(
        self,
        *,
        devset: Sequence[Example],
        metric: Metric,
        num_threads: int | None = None,
        max_errors: int | None = None,
        display_progress: bool = False,
        progress: Progress | None = None,
    ):
        if num_threads is not None and num_threads < 1:
            raise ValueError("num_threads must be at least 1")
        self.devset = list(devset)
        self.metric = metric
        self.num_threads = num_threads
        self.max_errors = max_errors
        self.display_progress = display_progress
        self.progress = progress

    callback_kind = "evaluate"

    def __call__(self, program: Any, **overrides: Any) -> EvaluationResult:
        """Synchronous run (works inside a running event loop too, on a helper thread)."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                inputs = {"program": program, **overrides}
                result: EvaluationResult = observe(
                    "evaluate", callbacks, self, inputs, lambda: self._run(program, overrides)
                )
                return result
        return self._run(program, overrides)

    def _run(self, program: Any, overrides: dict[str, Any]) -> EvaluationResult:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(self._acall(program, **overrides))
        outcome: dict[str, Any] = {}
        context = contextvars.copy_context()

        def run() -> None:
            try:
                outcome["result"] = context.run(asyncio.run, self._acall(program, **overrides))
            except BaseException as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="dspex-evaluate")
        worker.start()
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        result: EvaluationResult = outcome["result"]
        return result

    async def acall(self, program: Any, **overrides: Any) -> EvaluationResult:
        """Evaluate on the running event loop."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                inputs = {"program": program, **overrides}
                result: EvaluationResult = await aobserve(
                    "evaluate", callbacks, self, inputs, lambda: self._acall(program, **overrides)
                )
                return result
        return await self._acall(program, **overrides)

    async def _acall(self, program: Any, **overrides: Any) -> EvaluationResult:
        devset = overrides.get("devset", self.devset)
        metric = overrides.get("metric", self.metric)
        max_errors = overrides.get("max_errors", self.max_errors)
        threads = overrides.get("num_threads") or self.num_threads or settings.get("num_threads") or 16
        limit = asyncio.Semaphore(int(threads))
        results: list[ExampleResult | None] = [None] * len(devset)
        state: _Tally = {"done": 0, "total_score": 0.0, "errors": 0}
        too_many = asyncio.Event()

        async def one(index: int, example: Example) -> None:
            async with limit:
                if too_many.is_set():
                    return
                started = time.perf_counter()
                item = ExampleResult(index=index, example=example)
                try:
                    item.prediction = await program.acall(**example.inputs())
                    item.score = float(await score_with(metric, example, item.prediction))
                except Exception as exc:
                    item.error = f"{type(exc).__name__}: {exc}"
                    state["errors"] += 1
                    if max_errors is not None and state["errors"] > max_errors:
                        too_many.set()
                item.latency_ms = (time.perf_counter() - started) * 1e3
                results[index] = item
                state["done"] += 1
                state["total_score"] += item.score
                self._report(state["done"], len(devset), state["total_score"])

        await asyncio.gather(*(one(i, e) for i, e in enumerate(devset)))
        finished = [r for r in results if r is not None]
        score = 100.0 * sum(r.score for r in finished) / len(devset) if devset else 0.0
        result = EvaluationResult(score=round(score, 2), results=finished)
        if too_many.is_set():
            raise TooManyErrors(
                f"stopped after {result.errors} failed examples (max_errors={max_errors}); "
                f"first error: {next(r.error for r in finished if r.error)}",
                result,
            )
        return result

    def _report(self, done: int, total: int, total_score: float) -> None:
        mean = total_score / done
        if self.progress is not None:
            self.progress(done, total, mean)
        if self.display_progress:
            width = 30
            filled = width * done // max(total, 1)
            end = "\n" if done == total else ""
            bar = "#" * filled + "." * (width - filled)
            sys.stderr.write(f"\r[{bar}] {done}/{total}  average {100 * mean:.1f}%{end}")
            sys.stderr.flush()
