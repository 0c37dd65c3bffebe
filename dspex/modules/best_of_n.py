"""``BestOfN``: run a module up to N times and keep the prediction with the highest reward."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from dspex.modules.predict import NoLMConfiguredError
from dspex.primitives.module import Module
from dspex.primitives.prediction import Prediction
from dspex.primitives.steps import record_step
from dspex.settings import settings

__all__ = ["BestOfN", "rollout_copies", "trace_for_original", "wrapped_module_lm"]

logger = logging.getLogger("dspex.best_of_n")

RewardFn = Callable[[dict[str, Any], Prediction], Any]


def wrapped_module_lm(wrapper: Any) -> Any:
    """The LM that ``wrapper.module`` would use (its own, else the configured one)."""
    lm = wrapper.module.get_lm() or settings.get("lm")
    if lm is None:
        raise NoLMConfiguredError(
            f"{type(wrapper).__name__} needs an LM: dspex.configure(lm=...) or module.set_lm(lm)"
        )
    return lm


def trace_for_original(trace: list[Any], copy: Module, original: Module) -> list[Any]:
    """``trace`` of a run of ``copy`` with each predictor replaced by ``original``'s predictor of
    the same name, so optimizers can tell which of the original's predictors made each call."""
    originals = dict(original.named_predictors())
    by_id = {id(p): originals.get(name, p) for name, p in copy.named_predictors()}
    return [(by_id.get(id(entry[0]), entry[0]), *entry[1:]) for entry in trace]


def rollout_copies(module: Module, lm: Any, n: int, temperature: float = 1.0) -> list[tuple[int, Module]]:
    """``n`` copies of ``module``, each on a copy of ``lm`` with its own ``rollout_id`` (counting
    up from the LM's own) and ``temperature``: the copies sample differently, and each is cached."""
    start = int(getattr(lm, "kwargs", {}).get("rollout_id") or 0)
    copies = []
    for index in range(n):
        copy = module.deepcopy()
        copy.set_lm(lm.copy(rollout_id=start + index, temperature=temperature))
        copies.append((start + index, copy))
    return copies


class BestOfN(Module):
    """Run ``module`` up to ``N`` times and return the best prediction.

    Attempt ``i`` runs a copy of the module on a copy of its LM with ``temperature=1.0`` and
    ``rollout_id=start + i`` (a cache key part that is never sent), so the attempts differ and
    each one is still cached. ``reward_fn(inputs, prediction) -> float`` scores an attempt; the
    first attempt scoring at least ``threshold`` is returned at once, otherwise the best one.
    An attempt that raises counts as a failure; after more than ``fail_count`` failures
    (default ``N``) or when every attempt failed, the last error is raised. Only the predictor
    calls of the returned attempt reach ``dspex.settings.trace``. Each attempt is recorded as a
    ``best_of_n.attempt`` step (see :func:`dspex.track_steps`).

    Example::

        qa = dspex.ChainOfThought("question -> answer")
        one_word = lambda args, pred: 1.0 if len(pred.answer.split()) == 1 else 0.0
        dspex.BestOfN(qa, N=3, reward_fn=one_word, threshold=1.0)(question="Capital of Belgium?")
    """

    step_kind = "best_of_n.attempt"

    def __init__(
        self,
        module: Module,
        N: int,
        reward_fn: RewardFn,
        threshold: float,
        fail_count: int | None = None,
    ):
        if N < 1:
            raise ValueError("N must be at least 1")
        self.module = module
        self._reward_fn = reward_fn
        self.threshold = threshold
        self.N = N
        self.fail_count = N if fail_count is None else fail_count

    @property
    def reward_fn(self) -> RewardFn:
        """The reward function (kept out of the module's structure and state)."""
        return self._reward_fn

    # -- attempts ---------------------------------------------------------------------------
    def _base_lm(self) -> Any:
        return wrapped_module_lm(self)

    def _attempts(self, lm: Any) -> list[tuple[int, Module]]:
        return rollout_copies(self.module, lm, self.N)

    def _failed(self, index: int, rollout_id: int, error: Exception, failures: int) -> None:
        logger.warning(
            "%s: attempt %d (rollout %d) failed: %s", type(self).__name__, index + 1, rollout_id, error
        )
        record_step(
            self.step_kind,
            self,
            attempt=index,
            rollout_id=rollout_id,
            error=f"{type(error).__name__}: {error}",
        )
        if failures > self.fail_count:
            raise error

    def _scored(self, index: int, rollout_id: int, reward: float) -> None:
        record_step(self.step_kind, self, attempt=index, rollout_id=rollout_id, reward=reward)

    def _done(
        self, best: tuple[float, Prediction, list[Any]] | None, last_error: Exception | None
    ) -> Prediction:
        if best is None:
            assert last_error is not None
            raise last_error
        outer = settings.get("trace")
        if outer is not None:
            outer.extend(best[2])
        return best[1]

    def forward(self, **kwargs: Any) -> Prediction:
        """Run the attempts; return the first good enough prediction or the best one."""
        best: tuple[float, Prediction, list[Any]] | None = None
        failures, last_error = 0, None
        for index, (rollout_id, module) in enumerate(self._attempts(self._base_lm())):
            trace: list[Any] = []
            try:
                with settings.context(trace=trace):
                    prediction = module(**kwargs)
                reward = float(self.reward_fn(dict(kwargs), prediction))
            except Exception as error:
                failures, last_error = failures + 1, error
                self._failed(index, rollout_id, error, failures)
                continue
            self._scored(index, rollout_id, reward)
            if best is None or reward > best[0]:
                best = (reward, prediction, trace_for_original(trace, module, self.module))
            if reward >= self.threshold:
                break
        return self._done(best, last_error)

    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward` (``reward_fn`` may be ``async``)."""
        best: tuple[float, Prediction, list[Any]] | None = None
        failures, last_error = 0, None
        for index, (rollout_id, module) in enumerate(self._attempts(self._base_lm())):
            trace: list[Any] = []
            try:
                with settings.context(trace=trace):
                    prediction = await module.acall(**kwargs)
                reward = float(await _maybe_await(self.reward_fn(dict(kwargs), prediction)))
            except Exception as error:
                failures, last_error = failures + 1, error
                self._failed(index, rollout_id, error, failures)
                continue
            self._scored(index, rollout_id, reward)
            if best is None or reward > best[0]:
                best = (reward, prediction, trace_for_original(trace, module, self.module))
            if reward >= self.threshold:
                break
        return self._done(best, last_error)


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value
