"""``BootstrapFewShot``: demos made of the teacher's own successful traces."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

from dspex.optimizers.balance import interleave_by, stratified_sample
from dspex.optimizers.base import Optimizer
from dspex.optimizers.labeled_few_shot import LabeledFewShot
from dspex.primitives.example import Example
from dspex.settings import settings

__all__ = ["BootstrapFewShot"]


class BootstrapFewShot(Optimizer):
    """Run a teacher (the student itself, with labeled demos, by default) on training examples;
    when ``metric(example, prediction, trace)`` passes, every predictor call of that run becomes an
    ``augmented`` demo for the same predictor of the student.

    Each predictor ends up with at most ``max_bootstrapped_demos`` bootstrapped demos followed by
    labeled examples that were not bootstrapped, up to ``max_labeled_demos`` demos in all. Later
    rounds (``max_rounds``) retry the examples that failed at a higher temperature. Seeded: the same
    trainset and LM replies give the same demos.

    ``balance_by="label"`` (not in DSPy) balances the demos over the values of that field: the
    teacher's labeled demos are an even, alternating sample; training examples are tried taking
    the values in turn; each value gets at most its share (``max_bootstrapped_demos`` divided by
    the number of values, rounded up) of bootstrapped demos, and examples of a value that has its
    share are not run; the labeled demos that fill up are an even sample too. Without it, a
    teacher that favours one label (small models echo the majority of their demos) bootstraps
    demos that all carry that label.

    A teacher run that raises is skipped, until ``max_errors`` runs have raised (default: the
    ``max_errors`` setting, 10): that error then stops the compile, as in DSPy.
    """

    def __init__(
        self,
        *,
        metric: Any = None,
        metric_threshold: float | None = None,
        max_bootstrapped_demos: int = 4,
        max_labeled_demos: int = 16,
        max_rounds: int = 1,
        max_errors: int | None = None,
        seed: int = 0,
        balance_by: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.metric = metric
        self.metric_threshold = metric_threshold
        self.max_bootstrapped_demos = max_bootstrapped_demos
        self.max_labeled_demos = max_labeled_demos
        self.max_rounds = max_rounds
        self.max_errors = max_errors
        self.seed = seed
        self.balance_by = balance_by

    def _value(self, example: Any) -> Any:
        return example.get(self.balance_by) if self.balance_by is not None else None

    def compile(self, student: Any, *, trainset: list[Any], teacher: Any = None, **kwargs: Any) -> Any:
        compiled = student.reset_copy()
        teacher = self._prepare_teacher(student, teacher, trainset)
        student_predictors = dict(compiled.named_predictors())
        teacher_predictors = {id(p): name for name, p in teacher.named_predictors()}
        if set(teacher_predictors.values()) != set(student_predictors):
            raise ValueError("the teacher must have the same predictors (by path) as the student")

        bootstrapped: dict[str, list[Example]] = {name: [] for name in student_predictors}
        used: set[int] = set()
        errors = 0
        order = list(enumerate(trainset))
        share = self.max_bootstrapped_demos
        taken: Counter[Any] = Counter()
        if self.balance_by is not None:
            order = interleave_by(order, lambda pair: self._value(pair[1]))
            values = {repr(self._value(example)) for example in trainset}
            share = math.ceil(self.max_bootstrapped_demos / max(1, len(values)))
        for round_index in range(self.max_rounds):
            for index, example in order:
                if len(used) >= self.max_bootstrapped_demos:
                    break
                if index in used or taken[repr(self._value(example))] >= share:
                    continue
                try:
                    traces = self._run_teacher(teacher, example, round_index)
                except Exception as exc:
                    errors += 1
                    self.emit("error", f"example {index}", details={"error": f"{type(exc).__name__}: {exc}"})
                    limit = self.max_errors if self.max_errors is not None else settings.get("max_errors")
                    if limit is not None and errors >= limit:
                        raise
                    continue
                if traces is None:
                    self.emit("bootstrap", f"example {index}", 0.0, round=round_index)
                    continue
                used.add(index)
                taken[repr(self._value(example))] += 1
                for predictor, inputs, prediction in traces:
                    name = teacher_predictors.get(id(predictor))
                    if name is not None:
                        demo = Example(augmented=True, **inputs, **prediction.to_dict())
                        bootstrapped[name].append(demo)
                self.emit("bootstrap", f"example {index}", 1.0, round=round_index)

        remaining = [example for index, example in enumerate(trainset) if index not in used]
        rng = random.Random(self.seed)
        for name, predictor in student_predictors.items():
            augmented = bootstrapped[name][: self.max_bootstrapped_demos]
            room = max(0, self.max_labeled_demos - len(augmented))
            if self.balance_by is not None:
                labeled = stratified_sample(remaining, room, self._value, rng)
            else:
                labeled = rng.sample(remaining, min(room, len(remaining)))
            predictor.demos = augmented + labeled
        compiled._compiled = True
        return compiled

    def _prepare_teacher(self, student: Any, teacher: Any, trainset: list[Any]) -> Any:
        if teacher is not None:
            return teacher.deepcopy()
        teacher = student.deepcopy()
        if self.max_labeled_demos and not any(p.demos for _, p in teacher.named_predictors()):
            labeled = LabeledFewShot(k=self.max_labeled_demos, seed=self.seed, balance_by=self.balance_by)
            teacher = labeled.compile(teacher, trainset=trainset)
        return teacher

    def _run_teacher(self, teacher: Any, example: Example, round_index: int) -> list[Any] | None:
        """The teacher's trace for ``example`` when the metric accepts its prediction, else None."""
        trace: list[Any] = []
        saved = {}
        predictors = [p for _, p in teacher.named_predictors()]
        for predictor in predictors:
            saved[id(predictor)] = predictor.demos
            # A predictor must not see the example it is being asked about among its demos.
            predictor.demos = [d for d in predictor.demos if d != example]
            if round_index > 0:
                predictor.config = {**predictor.config, "temperature": 0.7 + 0.001 * round_index}
        try:
            with settings.context(trace=trace):
                prediction = teacher(**example.inputs())
        finally:
            for predictor in predictors:
                predictor.demos = saved[id(predictor)]
        if self.metric is None:
            return trace
        score = self.metric(example, prediction, trace)
        passed = score >= self.metric_threshold if self.metric_threshold is not None else bool(score)
        return trace if passed else None
