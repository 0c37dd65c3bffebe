"""``MajorityVote``: run a module several times concurrently and keep the most common answer."""

from __future__ import annotations

from typing import Any

from dspex.modules.aggregation import majority
from dspex.modules.best_of_n import rollout_copies, trace_for_original, wrapped_module_lm
from dspex.primitives.module import Module
from dspex.primitives.parallel import Parallel
from dspex.primitives.prediction import Prediction
from dspex.primitives.steps import record_step
from dspex.settings import settings

__all__ = ["MajorityVote"]


class MajorityVote(Module):
    """Self-consistency: ``n`` samples of ``module`` run in parallel, the majority answer wins.

    Each sample runs a copy of the module on a copy of its LM with its own ``rollout_id`` and
    ``temperature`` (so samples differ and each is cached), ``num_threads`` at a time through
    :class:`Parallel` (``acall`` runs them as asyncio tasks). The result is the sample whose
    ``field`` (default: the last output field) is the most common after normalisation
    (:func:`majority`). Samples that fail are left out of the vote; when all fail the first error
    is raised. Each sample is recorded as a ``vote.sample`` step (see :func:`dspex.track_steps`).
    The module's predictors are the wrapped module's, so optimizers see and tune them; only the
    winning sample's predictor calls reach ``dspex.settings.trace`` (as the wrapped module's).

    Example::

        vote = dspex.MajorityVote(dspex.ChainOfThought("question -> answer"), n=5, num_threads=5)
        vote(question="What is 17 * 3?").answer
    """

    step_kind = "vote.sample"

    def __init__(
        self,
        module: Module,
        n: int = 5,
        num_threads: int | None = None,
        field: str | None = None,
        temperature: float = 1.0,
    ):
        if n < 1:
            raise ValueError("n must be at least 1")
        if num_threads is not None and num_threads < 1:
            raise ValueError("num_threads must be at least 1")
        self.module = module
        self.n = n
        self.num_threads = num_threads
        self.field = field
        self.temperature = temperature

    def _runner(self) -> Parallel:
        return Parallel(
            num_threads=self.num_threads or self.n, max_errors=self.n + 1, return_failed_examples=True
        )

    def _samples(self, kwargs: dict[str, Any]) -> list[_Sample]:
        copies = rollout_copies(self.module, wrapped_module_lm(self), self.n, self.temperature)
        return [_Sample(rollout_id, copy) for rollout_id, copy in copies]

    def _vote(self, samples: list[_Sample], outcome: Any) -> Prediction:
        results, _failed, errors = outcome
        voters: list[tuple[_Sample, Prediction]] = []
        for index, (sample, result) in enumerate(zip(samples, results, strict=True)):
            if result is None:
                record_step(self.step_kind, self, sample=index, rollout_id=sample.rollout_id, error="failed")
                continue
            record_step(
                self.step_kind, self, sample=index, rollout_id=sample.rollout_id, outputs=result.to_dict()
            )
            voters.append((sample, result))
        if not voters:
            raise errors[0]
        field = self.field or list(voters[0][1].keys())[-1]
        winner = majority([result for _, result in voters], field=field)
        chosen = next(s for s, result in voters if result.get(field) == winner.get(field))
        outer = settings.get("trace")
        if outer is not None:
            outer.extend(trace_for_original(chosen.trace, chosen.module, self.module))
        return winner

    def forward(self, **kwargs: Any) -> Prediction:
        """Run the samples on threads and return the majority."""
        samples = self._samples(kwargs)
        outcome = self._runner()([(sample, dict(kwargs)) for sample in samples])
        return self._vote(samples, outcome)

    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward`: the samples run as asyncio tasks."""
        samples = self._samples(kwargs)
        outcome = await self._runner().acall([(sample, dict(kwargs)) for sample in samples])
        return self._vote(samples, outcome)


class _Sample:
    """One copy of the module, run with a trace of its own (only the winner's reaches the caller)."""

    def __init__(self, rollout_id: int, module: Module):
        self.rollout_id = rollout_id
        self.module = module
        self.trace: list[Any] = []

    # Whatever the module returns (any module can be sampled; the vote reads its fields).
    def __call__(self, **kwargs: Any) -> Any:
        with settings.context(trace=self.trace):
            return self.module(**kwargs)

    async def acall(self, **kwargs: Any) -> Any:
        with settings.context(trace=self.trace):
            return await self.module.acall(**kwargs)
