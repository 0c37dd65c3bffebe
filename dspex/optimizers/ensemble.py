"""``Ensemble``: one program made of several, their predictions reduced to one."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from collections.abc import Callable, Sequence
from typing import Any

from dspex.modules.aggregation import majority
from dspex.optimizers.base import Optimizer
from dspex.primitives.module import Module

__all__ = ["Ensemble", "EnsembledProgram"]

Reduce = Callable[[list[Any]], Any]


def _inputs_seed(inputs: dict[str, Any]) -> int:
    text = json.dumps(inputs, sort_keys=True, default=repr, ensure_ascii=False)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class EnsembledProgram(Module):
    """Runs its ``programs`` (or ``size`` of them) on the same inputs and reduces the predictions."""

    def __init__(
        self,
        programs: Sequence[Any],
        reduce_fn: Reduce | None,
        size: int | None,
        deterministic: bool,
        seed: int | None,
    ):
        self.programs = list(programs)
        self._reduce_fn = reduce_fn
        self._size = size
        self._deterministic = deterministic
        self._rng = random.Random(seed)

    def _chosen(self, inputs: dict[str, Any]) -> list[Any]:
        if not self._size or self._size >= len(self.programs):
            return self.programs
        rng = random.Random(_inputs_seed(inputs)) if self._deterministic else self._rng
        return rng.sample(self.programs, self._size)

    def _reduce(self, outputs: list[Any]) -> Any:
        return self._reduce_fn(outputs) if self._reduce_fn is not None else outputs

    def forward(self, **inputs: Any) -> Any:
        """Each chosen program in turn, then the reduction."""
        return self._reduce([program(**inputs) for program in self._chosen(inputs)])

    async def aforward(self, **inputs: Any) -> Any:
        """The chosen programs concurrently, then the reduction."""
        outputs = await asyncio.gather(*(program.acall(**inputs) for program in self._chosen(inputs)))
        return self._reduce(list(outputs))


class Ensemble(Optimizer):
    """``Ensemble().compile([p1, p2, p3])`` is a program that runs all three and returns the
    :func:`dspex.majority` of their predictions (over the last output field).

    ``reduce_fn`` replaces the reduction (e.g. ``functools.partial(dspex.majority, field="label")``;
    ``reduce_fn=list`` returns every prediction). ``size`` runs only that many programs per call,
    drawn at random (seeded by ``seed``) or, with ``deterministic=True``, drawn from a hash of the
    inputs so that the same inputs always use the same programs. DSPy's ``Ensemble`` returns the
    list when no ``reduce_fn`` is given and has no deterministic mode.
    """

    def __init__(
        self,
        *,
        reduce_fn: Reduce | None = None,
        size: int | None = None,
        deterministic: bool = False,
        seed: int | None = 0,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if size is not None and size < 1:
            raise ValueError("size must be at least 1")
        self.reduce_fn = reduce_fn if reduce_fn is not None else majority
        self.size = size
        self.deterministic = deterministic
        self.seed = seed

    def compile(self, programs: Sequence[Any], **kwargs: Any) -> EnsembledProgram:  # type: ignore[override]
        if not programs:
            raise ValueError("Ensemble needs at least one program")
        self.emit("compile", "ensemble", programs=len(programs), size=self.size)
        return EnsembledProgram(programs, self.reduce_fn, self.size, self.deterministic, self.seed)
