"""Run a :class:`Plan`: sequences in order, parallel blocks and map items concurrently.

Values live in layered scopes (:class:`collections.ChainMap`): pipeline inputs at the bottom,
then one layer per sequence; a conditional branch, a map iteration and each member of a parallel
block get a layer of their own. What a parallel member defines is merged into the enclosing
layer afterwards; branches and map bodies are visible outside only through the step's own id.
"""

from __future__ import annotations

import asyncio
import time
from collections import ChainMap
from collections.abc import Awaitable, Mapping
from typing import Any

from dspex.lm.tracking import track_calls
from dspex.pipelines.errors import PipelineError
from dspex.pipelines.expressions import Expression, ExpressionError
from dspex.pipelines.plan import ConditionalStep, MapStep, ModuleStep, ParallelStep, Plan, Step
from dspex.pipelines.records import StepRecord
from dspex.streaming.sink import emit_status

__all__ = ["Executor"]

Scope = ChainMap[str, Any]


class Executor:
    """One run of ``plan`` with ``modules`` (step id -> module). Not reusable across runs."""

    def __init__(self, plan: Plan, modules: Mapping[str, Any]):
        self.plan = plan
        self.modules = modules
        self.finished: list[StepRecord] = []  # completion order, for error reports
        self.inputs: dict[str, Any] = {}

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
    async def sequence(self, steps: list[Step], scope: Scope, index: int | None) -> tuple[Any, list[StepRecord]]:
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
        if isinstance(step, ModuleStep):
            return await self.module_step(step, scope, index)
        record = StepRecord(step.id, step.kind, step.path, index)
        emit_status(f"step {step.label} started", step.label)
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
            emit_status(f"step {step.label} failed", step.label)
            raise
        record.latency_ms = (time.perf_counter() - started) * 1000.0
        self.finished.append(record)
        emit_status(f"step {step.label} finished", step.label)
        return value, [record, *children]

    async def module_step(self, step: ModuleStep, scope: Scope, index: int | None) -> tuple[Any, list[StepRecord]]:
        inputs = {
            name: self.evaluate(expression, scope, f"{step.path}.inputs.{name}", step.id)
            for name, expression in step.inputs.items()
        }
        record = StepRecord(step.id, "module", step.path, index, inputs=inputs, module=step.module_type)
        emit_status(f"step {step.label} started", step.label)
        started = time.perf_counter()
        module = self.modules[step.id or ""]
        try:
            with track_calls() as calls:
                prediction = await module.acall(**inputs)
        except Exception as exc:
            record.status = "error"
            record.error = f"{type(exc).__name__}: {exc}"
            record.latency_ms = (time.perf_counter() - started) * 1000.0
            record.lm_calls = list(calls)
            self.finished.append(record)
            emit_status(f"step {step.label} failed", step.label)
            where = f"[{index}]" if index is not None else ""
            exc.add_note(f"in pipeline step {step.id!r}{where} ({step.path})")
            raise
        record.latency_ms = (time.perf_counter() - started) * 1000.0
        record.lm_calls = list(calls)
        record.outputs = prediction.to_dict() if hasattr(prediction, "to_dict") else dict(prediction)
        self.finished.append(record)
        emit_status(f"step {step.label} finished", step.label)
        return dict(record.outputs), [record]

    async def parallel(self, step: ParallelStep, scope: Scope, index: int | None) -> tuple[Any, list[StepRecord]]:
        layers = [scope.new_child() for _ in step.steps]
        results = await _all(
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

        results = await _all([iteration(position, item) for position, item in enumerate(items)])
        return [value for value, _ in results], [r for _, records in results for r in records]

    # -- values -----------------------------------------------------------------------------
    def evaluate(self, expression: Expression, scope: Scope, path: str, step_id: str | None) -> Any:
        try:
            return expression.evaluate(scope, self.inputs)
        except ExpressionError as exc:
            raise PipelineError(str(exc), path=path, step_id=step_id) from None


async def _all(awaitables: list[Awaitable[Any]]) -> list[Any]:
    """Results of all ``awaitables`` run concurrently, in order. The first failure cancels the
    others and is raised as it is (not wrapped in an exception group)."""
    if not awaitables:
        return []
    if len(awaitables) == 1:
        return [await awaitables[0]]
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    failed = [t for t in tasks if t.done() and not t.cancelled() and t.exception() is not None]
    if failed:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        raise failed[0].exception()  # type: ignore[misc]
    return [task.result() for task in tasks]
