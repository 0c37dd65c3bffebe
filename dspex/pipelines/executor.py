"""Run a :class:`Plan`: sequences in order, parallel blocks and map items concurrently.

Values live in layered scopes (:class:`collections.ChainMap`): pipeline inputs at the bottom,
then one layer per sequence; a conditional branch, a map iteration and each member of a parallel
block get a layer of their own. What a parallel member defines is merged into the enclosing
layer afterwards; branches and map bodies are visible outside only through the step's own id.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import threading
import time
from collections import ChainMap
from collections.abc import Awaitable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dspex.lm.tracking import track_calls
from dspex.pipelines.errors import PipelineError
from dspex.pipelines.expressions import Budget, Expression, ExpressionError, Limits
from dspex.pipelines.expressions.budget import BudgetFailure
from dspex.pipelines.plan import ConditionalStep, MapStep, ModuleStep, ParallelStep, Plan, Step
from dspex.pipelines.records import StepRecord
from dspex.primitives.streams import emit_status
from dspex.settings import settings

__all__ = ["Executor"]

Scope = ChainMap[str, Any]

# Set inside the members of parallel blocks and map iterations.
_concurrent: contextvars.ContextVar[bool] = contextvars.ContextVar("dspex_pipeline_concurrent", default=False)
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _worker_pool() -> ThreadPoolExecutor:
    """Threads for blocking module calls of concurrent steps (one pool per process: after a
    fork the parent's threads are gone, so the child makes its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=32, thread_name_prefix="dspex-pipeline"))
        return _pool[1]


class Executor:
    """One run of ``plan`` with ``modules`` (step id -> module). Not reusable across runs.

    ``limits`` are the run's budgets (default: the ``pipeline_limits`` setting, else the defaults
    of :class:`~dspex.pipelines.expressions.Limits`).
    """

    def __init__(
        self,
        plan: Plan,
        modules: Mapping[str, Any],
        *,
        blocking: bool = False,
        limits: Limits | Mapping[str, Any] | None = None,
    ):
        self.plan = plan
        self.modules = modules
        # blocking: call modules synchronously on worker threads (the sync ``Pipeline.__call__``
        # path, which then reuses the process's pooled sync HTTP client instead of opening
        # connections for a fresh event loop on every call).
        self.blocking = blocking
        self.aborted = False  # a concurrent member failed: members not started yet are skipped
        self.finished: list[StepRecord] = []  # completion order, for error reports
        self.inputs: dict[str, Any] = {}
        self.budget = Budget(limits if limits is not None else settings.pipeline_limits)

    async def run(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], list[StepRecord]]:
        """The pipeline's outputs (before type validation) and the step records, in spec order."""
        self.inputs = inputs
        scope: Scope = ChainMap({}, inputs)
        try:
            _, records = await self.sequence(self.plan.steps, scope, None)
            outputs = {
                name: self.evaluate(expression, scope, f"output_map.{name}", None)
                for name, expression in self.plan.output_map.items()
            }
            with self.charged("output_map", None):
                _, chars = self.budget.admit(outputs, "the pipeline's outputs together")
                self.budget.record(chars, "the pipeline's outputs")
        except BaseException as exc:
            if isinstance(exc, PipelineError):
                exc.steps = list(self.finished)
            elif isinstance(exc, Exception):
                try:
                    exc.pipeline_steps = list(self.finished)  # type: ignore[attr-defined]
                except AttributeError:  # pragma: no cover - exceptions with __slots__
                    pass
            raise
        return outputs, records

    # -- structure --------------------------------------------------------------------------
    async def sequence(
        self, steps: list[Step], scope: Scope, index: int | None
    ) -> tuple[Any, list[StepRecord]]:
        """Run ``steps`` in order; the value of the last one and every record."""
        value: Any = None
        records: list[StepRecord] = []
        for step in steps:
            value, step_records = await self.step(step, scope, index)
            if step.id is not None:
                scope.maps[0][step.id] = value
            records.extend(step_records)
        return value, records

    async def step(self, step: Step, scope: Scope, index: int | None) -> tuple[Any, list[StepRecord]]:
        with self.charged(step.path, step.id):
            self.budget.step_run(1, f"at step {_label(step, index)}")
        if isinstance(step, ModuleStep):
            return await self.module_step(step, scope, index)
        record = StepRecord(step.id, step.kind, step.path, index)
        label = _label(step, index)
        emit_status(f"step {label} started", label)
        started = time.perf_counter()
        try:
            if isinstance(step, ParallelStep):
                value, children = await self.parallel(step, scope, index)
            elif isinstance(step, ConditionalStep):
                value, children = await self.conditional(step, scope, index, record)
            elif isinstance(step, MapStep):
                value, children = await self.map(step, scope, index, record)
            else:  # pragma: no cover - the builder makes only these kinds
                raise PipelineError(f"unknown step kind {step.kind!r}", path=step.path, step_id=step.id)
        except BaseException:
            emit_status(f"step {label} failed", label)
            raise
        record.latency_ms = (time.perf_counter() - started) * 1000.0
        self.finished.append(record)
        emit_status(f"step {label} finished", label)
        return value, [record, *children]

    async def module_step(
        self, step: ModuleStep, scope: Scope, index: int | None
    ) -> tuple[Any, list[StepRecord]]:
        inputs = {
            name: self.evaluate(expression, scope, f"{step.path}.inputs.{name}", step.id)
            for name, expression in step.inputs.items()
        }
        label = _label(step, index)
        with self.charged(f"{step.path}.inputs", step.id):
            self.budget.record(
                sum(self.budget.size(value)[1] for value in inputs.values()), f"the inputs of step {label}"
            )
        record = StepRecord(step.id, "module", step.path, index, inputs=inputs, module=step.module_type)
        emit_status(f"step {label} started", label)
        started = time.perf_counter()
        module = self.modules[step.id or ""]
        if self.aborted:
            raise _Aborted()
        try:
            with track_calls() as calls:
                if self.blocking and not _concurrent.get():
                    prediction = module(**inputs)  # nothing else runs on this loop meanwhile
                elif self.blocking:
                    call = functools.partial(contextvars.copy_context().run, module, **inputs)
                    prediction = await asyncio.get_running_loop().run_in_executor(_worker_pool(), call)
                else:
                    prediction = await module.acall(**inputs)
        except Exception as exc:
            record.status = "error"
            record.error = f"{type(exc).__name__}: {exc}"
            record.latency_ms = (time.perf_counter() - started) * 1000.0
            record.lm_calls = list(calls)
            self.finished.append(record)
            emit_status(f"step {label} failed", label)
            where = f"[{index}]" if index is not None else ""
            exc.add_note(f"in pipeline step {step.id!r}{where} ({step.path})")
            raise
        record.latency_ms = (time.perf_counter() - started) * 1000.0
        record.lm_calls = list(calls)
        record.outputs = prediction.to_dict() if hasattr(prediction, "to_dict") else dict(prediction)
        with self.charged(step.path, step.id):
            _, chars = self.budget.admit(record.outputs, f"the outputs of step {label}")
            self.budget.record(chars, f"the outputs of step {label}")
        self.finished.append(record)
        emit_status(f"step {label} finished", label)
        return dict(record.outputs), [record]

    async def parallel(
        self, step: ParallelStep, scope: Scope, index: int | None
    ) -> tuple[Any, list[StepRecord]]:
        layers = [scope.new_child() for _ in step.steps]
        results = await self._all(
            [self.sequence([child], layer, index) for child, layer in zip(step.steps, layers, strict=True)]
        )
        value: dict[str, Any] = {}
        records: list[StepRecord] = []
        for child, layer, (child_value, child_records) in zip(step.steps, layers, results, strict=True):
            scope.maps[0].update(layer.maps[0])
            if child.id is not None:
                value[child.id] = child_value
            records.extend(child_records)
        return value, records

    async def conditional(
        self, step: ConditionalStep, scope: Scope, index: int | None, record: StepRecord
    ) -> tuple[Any, list[StepRecord]]:
        condition = self.evaluate(step.condition, scope, f"{step.path}.if", step.id)
        branch = "then" if condition else "else"
        record.outputs = {"condition": bool(condition), "branch": branch}
        steps = step.then if condition else step.otherwise
        return await self.sequence(steps, scope.new_child(), index)

    async def map(
        self, step: MapStep, scope: Scope, index: int | None, record: StepRecord
    ) -> tuple[Any, list[StepRecord]]:
        items = self.evaluate(step.over, scope, f"{step.path}.over", step.id)
        if isinstance(items, tuple):
            items = list(items)
        if not isinstance(items, list):
            raise PipelineError(
                f"`over` must give a list, got {type(items).__name__}: {str(items)[:100]!r}",
                path=f"{step.path}.over",
                step_id=step.id,
            )
        if len(items) > step.max_items:
            raise PipelineError(
                f"`over` gave {len(items)} items, more than max_items={step.max_items}",
                path=f"{step.path}.over",
                step_id=step.id,
            )
        with self.charged(f"{step.path}.over", step.id):
            # Every item runs the body's steps at least once: refuse before starting any of them.
            self.budget.expect_steps(len(items) * len(step.steps), f"{len(items)} items in map {step.label}")
        record.inputs = {"count": len(items)}
        record.outputs = {"count": len(items)}
        limit = asyncio.Semaphore(step.max_concurrency)

        async def iteration(position: int, item: Any) -> tuple[Any, list[StepRecord]]:
            names = {step.item_name: item}
            if step.index_name is not None:
                names[step.index_name] = position
            layer = scope.new_child(names).new_child()
            async with limit:
                value, records = await self.sequence(step.steps, layer, position)
            if step.collect is not None:
                value = self.evaluate(step.collect, layer, f"{step.path}.collect", step.id)
            return value, records

        results = await self._all([iteration(position, item) for position, item in enumerate(items)])
        values = [value for value, _ in results]
        with self.charged(step.path, step.id):
            self.budget.admit(values, f"the value of map {step.label}")
        return values, [r for _, records in results for r in records]

    async def _all(self, awaitables: list[Awaitable[Any]]) -> list[Any]:
        """Results of all ``awaitables`` run concurrently, in order; the first failure is raised
        as it is (not wrapped in an exception group).

        On a failure, members that have not started are skipped. Async members still running
        are cancelled; blocking members (module calls on worker threads, which cannot be
        interrupted) are waited for, so no work of this run continues after it has failed.
        """
        if not awaitables:
            return []
        tasks = [asyncio.ensure_future(_marked(a)) for a in awaitables]

        def on_done(task: asyncio.Task[Any]) -> None:
            if not task.cancelled() and task.exception() is not None:
                self.aborted = True

        for task in tasks:
            task.add_done_callback(on_done)
        try:
            when = asyncio.ALL_COMPLETED if self.blocking else asyncio.FIRST_EXCEPTION
            await asyncio.wait(tasks, return_when=when)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        failures = [t.exception() for t in tasks if t.done() and not t.cancelled() and t.exception()]
        if failures:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            real = [f for f in failures if not isinstance(f, _Aborted)]
            raise (real or failures)[0]  # type: ignore[misc]
        return [task.result() for task in tasks]

    # -- values -----------------------------------------------------------------------------
    def evaluate(self, expression: Expression, scope: Scope, path: str, step_id: str | None) -> Any:
        try:
            return expression.evaluate(scope, self.inputs, self.budget)
        except ExpressionError as exc:
            raise PipelineError(str(exc), path=path, step_id=step_id, budget=exc.budget) from None

    @contextlib.contextmanager
    def charged(self, path: str, step_id: str | None) -> Iterator[None]:
        """Budget checks of the run itself: an exceeded budget is a PipelineError at ``path``."""
        try:
            yield
        except BudgetFailure as failure:
            raise PipelineError(str(failure), path=path, step_id=step_id, budget=failure.budget) from None


def _label(step: Step, index: int | None) -> str:
    """A step's name in status messages: its id (else path), with the map iteration."""
    return step.label if index is None else f"{step.label}[{index}]"


async def _marked(awaitable: Awaitable[Any]) -> Any:
    _concurrent.set(True)  # in this task's own context only
    return await awaitable


class _Aborted(Exception):
    """A member of a concurrent block that was not started because another member failed."""
