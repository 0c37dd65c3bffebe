"""What a pipeline run records about each step, and the Prediction that carries it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dspex.adapters.formatting import jsonable
from dspex.lm.tracking import LMCall
from dspex.primitives.prediction import Prediction

__all__ = ["PipelinePrediction", "StepRecord"]


@dataclass(slots=True)
class StepRecord:
    """One executed step (one per map iteration for steps inside a map body).

    ``kind`` is ``module``, ``parallel``, ``conditional`` or ``map``; ``index`` is the map
    iteration (``None`` outside maps; nested maps give the innermost); ``status`` is ``ok`` or
    ``error``. Control steps record what they decided: a conditional
    ``{"condition": true, "branch": "then"}``, a map ``{"count": 3}``. ``lm_calls`` holds every LM
    call the step made (module steps only).
    """

    id: str | None
    kind: str
    path: str
    index: int | None = None
    status: str = "ok"
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    latency_ms: float = 0.0
    error: str | None = None
    module: str | None = None
    lm_calls: list[LMCall] = field(default_factory=list)

    @property
    def usage(self) -> dict[str, int]:
        """Token totals of the step's LM calls."""
        totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        for call in self.lm_calls:
            for key in totals:
                totals[key] += int((call.usage or {}).get(key, 0))
        return totals

    @property
    def cost(self) -> float | None:
        """Summed cost of the step's LM calls (``None`` when a call's cost is unknown)."""
        costs = [call.cost for call in self.lm_calls]
        return None if any(c is None for c in costs) else float(sum(costs))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (values of typed outputs in JSON form), for storage."""
        return {
            "id": self.id,
            "kind": self.kind,
            "path": self.path,
            "index": self.index,
            "status": self.status,
            "module": self.module,
            "inputs": {k: jsonable(v) for k, v in self.inputs.items()},
            "outputs": {k: jsonable(v) for k, v in self.outputs.items()},
            "latency_ms": round(self.latency_ms, 3),
            "error": self.error,
            "usage": self.usage,
            "cost": self.cost,
            "lm_calls": [call.to_dict() for call in self.lm_calls],
        }


class PipelinePrediction(Prediction):
    """A :class:`Prediction` of a pipeline's outputs; ``.steps`` holds the :class:`StepRecord` s."""

    __slots__ = ("_steps",)
    _steps: list[StepRecord]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_steps", [])

    @property
    def steps(self) -> list[StepRecord]:
        """One record per executed step, in spec order (map iterations in item order)."""
        return self._steps
