"""``LabeledFewShot``: every predictor gets ``k`` training examples as demos."""

from __future__ import annotations

import random
from typing import Any

from dspex.optimizers.base import Optimizer

__all__ = ["LabeledFewShot"]


class LabeledFewShot(Optimizer):
    """Give each predictor ``k`` examples from the trainset (a seeded sample, or the first ``k``)."""

    def __init__(self, k: int = 16, *, sample: bool = True, seed: int = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.k = k
        self.sample = sample
        self.seed = seed

    def compile(self, student: Any, *, trainset: list[Any], **kwargs: Any) -> Any:
        compiled = student.reset_copy()
        if not trainset:
            return compiled
        count = min(self.k, len(trainset))
        for name, predictor in compiled.named_predictors():
            demos = random.Random(self.seed).sample(trainset, count) if self.sample else trainset[:count]
            predictor.demos = list(demos)
            self.emit("demos", name, details={"count": len(demos)})
        return compiled
