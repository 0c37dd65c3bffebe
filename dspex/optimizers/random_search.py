"""``BootstrapFewShotWithRandomSearch``: several demo sets, each scored on a validation set."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from dspex.evaluate.evaluate import Evaluate, EvaluationResult
from dspex.optimizers.base import Optimizer
from dspex.optimizers.bootstrap_few_shot import BootstrapFewShot
from dspex.optimizers.labeled_few_shot import LabeledFewShot

__all__ = ["BootstrapFewShotWithRandomSearch", "CandidateProgram"]

ZERO_SHOT, LABELED_ONLY, UNSHUFFLED = -3, -2, -1
_KINDS = {ZERO_SHOT: "zero-shot", LABELED_ONLY: "labeled only", UNSHUFFLED: "bootstrap, trainset order"}


@dataclass
class CandidateProgram:
    """One candidate of a random search: its seed, what it is, its score and the program."""

    seed: int
    kind: str
    score: float
    subscores: list[float]
    program: Any
    demos: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (without the program)."""
        return {
            "seed": self.seed,
            "kind": self.kind,
            "score": self.score,
            "subscores": self.subscores,
            "demos": self.demos,
        }


class BootstrapFewShotWithRandomSearch(Optimizer):
    """Try several candidate programs and keep the one that scores best on ``valset``.

    The candidates follow DSPy's scheme: seed -3 is the zero-shot student, -2 the student with
    ``max_labeled_demos`` labeled demos, -1 :class:`BootstrapFewShot` over the trainset in its
    order, and seeds 0 .. ``num_candidate_programs - 1`` bootstrap over the trainset shuffled by
    ``random.Random(seed)`` with between 1 and ``max_bootstrapped_demos`` demos (also drawn from
    ``random.Random(seed)``). ``seed`` shifts every candidate's seed, so another value gives
    another set of shuffles. Each candidate is scored with :class:`dspex.Evaluate` on ``valset``
    (the trainset when none is given), ``num_threads`` examples at a time, and reported as a
    :class:`TrialEvent` of kind ``"candidate"``. ``stop_at_score`` ends the search early.

    ``balance_by`` (e.g. ``"label"``) is handed to the labeled-only and every bootstrap candidate:
    see :class:`BootstrapFewShot`. DSPy has no such option; it keeps a classifier's demos from all
    carrying one label when the teacher favours that label.

    The best program comes back with ``candidate_programs`` (every :class:`CandidateProgram`,
    best first) and ``candidate_scores`` (``{seed: score}``).
    """

    def __init__(
        self,
        *,
        metric: Any,
        max_bootstrapped_demos: int = 4,
        max_labeled_demos: int = 16,
        max_rounds: int = 1,
        num_candidate_programs: int = 16,
        num_threads: int = 16,
        max_errors: int | None = None,
        stop_at_score: float | None = None,
        metric_threshold: float | None = None,
        seed: int = 0,
        balance_by: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if max_bootstrapped_demos < 1:
            raise ValueError("max_bootstrapped_demos must be at least 1")
        self.metric = metric
        self.max_bootstrapped_demos = max_bootstrapped_demos
        self.max_labeled_demos = max_labeled_demos
        self.max_rounds = max_rounds
        self.num_candidate_programs = num_candidate_programs
        self.num_threads = num_threads
        self.max_errors = max_errors
        self.stop_at_score = stop_at_score
        self.metric_threshold = metric_threshold
        self.seed = seed
        self.balance_by = balance_by

    def candidate_seeds(self, restrict: Any = None) -> list[int]:
        """The seeds that :meth:`compile` will try, in order."""
        seeds = list(range(ZERO_SHOT, self.num_candidate_programs))
        if restrict is None:
            return seeds
        wanted = set(restrict)
        picked = [seed for seed in seeds if seed in wanted]
        if not picked:
            raise ValueError(
                f"restrict={sorted(wanted)!r} matches no candidate seed in "
                f"range(-3, {self.num_candidate_programs})"
            )
        return picked

    def compile(
        self,
        student: Any,
        *,
        trainset: list[Any],
        valset: list[Any] | None = None,
        teacher: Any = None,
        restrict: Any = None,
        labeled_sample: bool = True,
        **kwargs: Any,
    ) -> Any:
        if not trainset:
            raise ValueError("trainset is empty")
        valset = list(valset) if valset else list(trainset)
        evaluate = Evaluate(
            devset=valset, metric=self.metric, num_threads=self.num_threads, max_errors=self.max_errors
        )
        candidates: list[CandidateProgram] = []
        best: CandidateProgram | None = None
        for seed in self.candidate_seeds(restrict):
            program, kind = self._candidate(seed, student, teacher, list(trainset), labeled_sample)
            result: EvaluationResult = evaluate(program)
            demos = sum(len(p.demos) for _, p in program.named_predictors())
            candidate = CandidateProgram(
                seed, kind, result.score, [r.score for r in result.results], program, demos
            )
            candidates.append(candidate)
            if best is None or candidate.score > best.score:
                best = candidate
            self.emit(
                "candidate",
                f"seed {seed}",
                candidate.score,
                seed=seed,
                strategy=kind,
                demos=demos,
                best_score=best.score,
                errors=result.errors,
            )
            if self.stop_at_score is not None and candidate.score >= self.stop_at_score:
                break
        assert best is not None
        compiled = best.program
        compiled.candidate_programs = sorted(candidates, key=lambda c: c.score, reverse=True)
        compiled.candidate_scores = {c.seed: c.score for c in candidates}
        compiled._compiled = True
        return compiled

    def _candidate(
        self, seed: int, student: Any, teacher: Any, trainset: list[Any], labeled_sample: bool
    ) -> tuple[Any, str]:
        if seed == ZERO_SHOT:
            return student.reset_copy(), _KINDS[seed]
        if seed == LABELED_ONLY:
            optimizer = LabeledFewShot(
                k=self.max_labeled_demos, sample=labeled_sample, balance_by=self.balance_by
            )
            return optimizer.compile(student, trainset=trainset), _KINDS[seed]
        size = self.max_bootstrapped_demos
        kind = _KINDS.get(seed, "")
        if seed >= 0:
            random.Random(self.seed + seed).shuffle(trainset)
            size = random.Random(self.seed + seed).randint(1, self.max_bootstrapped_demos)
            kind = f"bootstrap, shuffled, {size} demos"
        bootstrap = BootstrapFewShot(
            metric=self.metric,
            metric_threshold=self.metric_threshold,
            max_bootstrapped_demos=size,
            max_labeled_demos=self.max_labeled_demos,
            max_rounds=self.max_rounds,
            max_errors=self.max_errors,
            balance_by=self.balance_by,
        )
        return bootstrap.compile(student, trainset=trainset, teacher=teacher), kind
