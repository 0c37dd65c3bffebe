"""``LabeledFewShot``: every predictor gets ``k`` training examples as demos."""

from __future__ import annotations

import random
from typing import Any

from dspex.optimizers.balance import interleave_by, stratified_sample
from dspex.optimizers.base import Optimizer

__all__ = ["LabeledFewShot"]


class LabeledFewShot(Optimizer):
    """Give each predictor ``k`` examples from the trainset (a seeded sample, or the first ``k``).

    ``balance_by="label"`` takes the sample evenly across the values of that field, alternating
    them (not in DSPy: small models tend to repeat the label of most, or of the last, demos).
    """

    def __init__(
        self, k: int = 16, *, sample: bool = True, seed: int = 0, balance_by: str | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.k = k
        self.sample = sample
        self.seed = seed
        self.balance_by = balance_by

    def compile(self, student: Any, *, trainset: list[Any], **kwargs: Any) -> Any:
        compiled = student.reset_copy()
        if not trainset:
            return compiled
        count = min(self.k, len(trainset))
        field = self.balance_by

        def value(example: Any) -> Any:
            return example.get(field)

        for name, predictor in compiled.named_predictors():
            rng = random.Random(self.seed)
            if field is not None:
                if self.sample:
                    demos = stratified_sample(trainset, count, value, rng)
                else:
                    demos = interleave_by(trainset, value)[:count]
            elif self.sample:
                demos = rng.sample(trainset, count)
            else:
                demos = trainset[:count]
            predictor.demos = list(demos)
            self.emit("demos", name, details={"count": len(demos)})
        return compiled
