"""The validated form of a pipeline spec: a tree of steps ready to run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dspex.pipelines.expressions import Expression
    from dspex.signatures.signature import Signature

__all__ = ["ConditionalStep", "MapStep", "ModuleStep", "ParallelStep", "Plan", "Step"]


@dataclass(slots=True)
class Step:
    """Common to all steps: where it is in the spec, its id (optional for control steps)."""

    path: str
    id: str | None

    @property
    def kind(self) -> str:
        raise NotImplementedError

    @property
    def label(self) -> str:
        """How status messages and records name the step: its id, else its path."""
        return self.id or self.path


@dataclass(slots=True)
class ModuleStep(Step):
    """Call a registered module with inputs computed from expressions."""

    module_type: str
    signature: type[Signature]
    inputs: dict[str, Expression]
    outputs: tuple[str, ...]
    config: dict[str, Any] = field(default_factory=dict)
    tools: tuple[str, ...] = ()
    backend: str = "auto"

    @property
    def kind(self) -> str:
        return "module"


@dataclass(slots=True)
class ParallelStep(Step):
    """Run the sub-steps concurrently; each sees only what existed before the block."""

    steps: list[Step]

    @property
    def kind(self) -> str:
        return "parallel"


@dataclass(slots=True)
class ConditionalStep(Step):
    """Run ``then`` when ``condition`` is truthy, else ``otherwise``."""

    condition: Expression
    then: list[Step]
    otherwise: list[Step]

    @property
    def kind(self) -> str:
        return "conditional"


@dataclass(slots=True)
class MapStep(Step):
    """Run ``steps`` once per item of ``over`` (concurrently, at most ``max_concurrency`` at a time)."""

    over: Expression
    item_name: str
    index_name: str | None
    steps: list[Step]
    collect: Expression | None
    max_concurrency: int
    max_items: int

    @property
    def kind(self) -> str:
        return "map"


@dataclass(slots=True)
class Plan:
    """The whole pipeline: its signature, steps and how outputs are computed."""

    signature: type[Signature]
    steps: list[Step]
    output_map: dict[str, Expression]
