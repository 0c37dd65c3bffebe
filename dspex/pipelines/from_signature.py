"""Build a pipeline whose inputs and outputs are those of a signature (how the platform stores one:
the Program's signature plus the steps in its module config)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dspex.pipelines.builder import ToolResolver
from dspex.pipelines.errors import PipelineIssue, PipelineValidationError
from dspex.pipelines.pipeline import Pipeline
from dspex.signatures.signature import Signature

__all__ = ["pipeline_from_signature"]


def pipeline_from_signature(
    signature: type[Signature],
    *,
    steps: Any = None,
    output_map: Mapping[str, Any] | None = None,
    tool_resolver: ToolResolver | None = None,
    **extra: Any,
) -> Pipeline:
    """``Pipeline({"inputs": <signature inputs>, "outputs": <signature outputs>, "steps": steps, ...})``.

    ``extra`` keys become part of the spec too (so unknown keys are reported by the spec's own
    validation, with their path).
    """
    if steps is None:
        raise PipelineValidationError([PipelineIssue("steps", "a pipeline needs a list of steps")])
    spec: dict[str, Any] = {
        "inputs": list(signature.input_fields),
        "outputs": list(signature.output_fields),
        "steps": steps,
        **extra,
    }
    if output_map is not None:
        spec["output_map"] = dict(output_map)
    return Pipeline(spec, tool_resolver=tool_resolver)
