"""``Pipeline``: a program described as data — steps, each a module with its own signature."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

from dspex.pipelines._sync import run_sync
from dspex.pipelines.builder import ToolResolver, build_plan
from dspex.pipelines.errors import PipelineIssue, PipelineValidationError
from dspex.pipelines.executor import Executor
from dspex.pipelines.records import PipelinePrediction
from dspex.primitives.module import Module
from dspex.settings import settings

__all__ = ["Pipeline", "validate_pipeline"]


class Pipeline(Module):
    """A :class:`dspex.Module` built from a JSON spec (see ``docs/pipelines.md`` for the format)::

        qa = Pipeline({
            "inputs": ["question"], "outputs": ["answer"],
            "steps": [
                {"id": "draft", "module": "chain_of_thought", "signature": "question -> draft"},
                {"id": "final", "module": "predict", "signature": "question, draft -> answer"},
            ],
        })
        pred = qa(question="...")          # or: await qa.acall(question="...")
        pred.answer, pred.steps            # outputs, and one StepRecord per executed step

    The spec is validated on construction: :class:`PipelineValidationError` lists every problem
    with its path (``steps[2].then[0].signature``). Step predictors are named after step ids
    (``draft.predict``), so optimizers, ``dump_state`` and ``load_state`` work as for any program.
    ``tool_resolver(name)`` returns the tool for a step's ``tools`` entry (``LookupError`` or
    ``None`` when unknown).
    """

    def __init__(self, spec: Mapping[str, Any] | str, *, tool_resolver: ToolResolver | None = None):
        if isinstance(spec, str):
            try:
                spec = json.loads(spec)
            except ValueError as exc:
                raise PipelineValidationError(
                    [PipelineIssue("", f"the spec is not valid JSON: {exc}")]
                ) from None
        plan, modules = build_plan(spec, tool_resolver)
        self._spec: dict[str, Any] = copy.deepcopy(dict(spec))  # type: ignore[arg-type]
        self._plan = plan
        self._modules: dict[str, Module] = modules
        self._tool_resolver = tool_resolver
        self.signature = plan.signature

    @classmethod
    def from_json(cls, text: str, *, tool_resolver: ToolResolver | None = None) -> Pipeline:
        """A pipeline from its spec as JSON text."""
        return cls(text, tool_resolver=tool_resolver)

    @property
    def spec(self) -> dict[str, Any]:
        """A copy of the spec this pipeline was built from (plain JSON data)."""
        return copy.deepcopy(self._spec)

    @property
    def input_names(self) -> list[str]:
        return list(self.signature.input_fields)

    @property
    def output_names(self) -> list[str]:
        return list(self.signature.output_fields)

    @property
    def modules(self) -> dict[str, Module]:
        """Each module step's module, by step id, in spec order."""
        return dict(self._modules)

    # -- running ----------------------------------------------------------------------------
    def forward(self, **kwargs: Any) -> PipelinePrediction:
        """Run the pipeline (parallel and map steps still run concurrently, on an event loop)."""
        inputs, lm = self._split(kwargs)
        return run_sync(lambda: self._run(inputs, lm, blocking=True))

    async def aforward(self, **kwargs: Any) -> PipelinePrediction:
        """Async :meth:`forward` on the running loop."""
        inputs, lm = self._split(kwargs)
        return await self._run(inputs, lm)

    def _split(self, kwargs: dict[str, Any]) -> tuple[dict[str, Any], Any]:
        lm = kwargs.pop("lm", None)
        return self.signature.validate_inputs(kwargs), lm

    async def _run(self, inputs: dict[str, Any], lm: Any, *, blocking: bool = False) -> PipelinePrediction:
        executor = Executor(self._plan, self._modules, blocking=blocking)
        if lm is not None:
            with settings.context(lm=lm):
                outputs, records = await executor.run(inputs)
        else:
            outputs, records = await executor.run(inputs)
        prediction = PipelinePrediction(self.signature.validate_outputs(outputs))
        prediction.steps.extend(records)
        return prediction

    # -- structure --------------------------------------------------------------------------
    def _children(self) -> Iterator[tuple[str, Any]]:
        yield from self._modules.items()

    def __deepcopy__(self, memo: dict[int, Any]) -> Pipeline:
        clone = type(self).__new__(type(self))
        memo[id(self)] = clone
        for name, value in vars(self).items():
            # The tool resolver is shared (it may hold clients); the plan is immutable once built.
            shared = name in ("_tool_resolver", "_plan")
            object.__setattr__(clone, name, value if shared else copy.deepcopy(value, memo))
        return clone

    def __repr__(self) -> str:
        steps = ", ".join(f"{name}={type(module).__name__}" for name, module in self._modules.items())
        return f"Pipeline({self.signature.signature}; {steps})"


def validate_pipeline(
    spec: Mapping[str, Any] | str, *, tool_resolver: ToolResolver | None = None
) -> list[PipelineIssue]:
    """Every problem in ``spec`` (an empty list when it is valid), without keeping the pipeline."""
    try:
        Pipeline(spec, tool_resolver=tool_resolver)
    except PipelineValidationError as exc:
        return exc.issues
    return []
