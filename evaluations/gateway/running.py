"""``EvaluationStream``: runs ``dspex.Evaluate`` over Example rows on a helper thread, with bounded
concurrency, and hands each finished example back to the calling thread as an
:class:`ExampleOutcome` (prediction, every metric's score, error, latency, tokens, cost). It can
be stopped between examples. The calling thread does all database work.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any

import dspex
from core.background import BackgroundRun
from core.finite import first_non_finite, marked
from datasets.gateway import example_from_row
from evaluations.gateway.scoring import ScoringMetric
from programs.gateway.running import describe_error
from programs.gateway.signatures import jsonable
from programs.gateway.usage import usage_totals

if TYPE_CHECKING:
    from datasets.models import Example
    from dspex.lm.tracking import LMCall

__all__ = ["EvaluationStream", "ExampleOutcome"]


@dataclass
class ExampleOutcome:
    """One finished example, ready to become an EvaluationResult row."""

    example_id: int
    prediction: dict[str, Any] | None
    metric_scores: dict[str, float]
    score: float | None
    error: str
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal | None


def _non_finite(output: Any, scores: dict[str, float]) -> str:
    """Why an example's outcome cannot be stored as JSON (Infinity or NaN in it), or ``""``."""
    found = first_non_finite(output, "prediction") or first_non_finite(scores, "score")
    if found is None:
        return ""
    return f"{found[0]} is not a finite number ({found[1]}): JSON has no Infinity or NaN"


@dataclass
class _Attempt:
    calls: list[LMCall]
    latency_ms: float
    error: BaseException | None = None


@dataclass
class _Failure:
    """What the program wrapper returns in place of a prediction when the program raised."""

    error: BaseException


class _Stopped(Exception):
    """The run was asked to stop before this example started."""


# The attempt of the example being scored, set by ``_Program.acall`` in the example's asyncio task
# and read by ``EvaluationStream._score`` right after, in the same task.
_attempt: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar(
    "dspex_evaluation_attempt", default=None
)


class _Program:
    """What ``dspex.Evaluate`` runs: the module, timed and traced per example, never raising for
    a failed example (the failure goes to the metric, which records it), stopping when asked."""

    def __init__(self, module: dspex.Module, stop: threading.Event):
        self.module = module
        self.stop = stop

    async def acall(self, **inputs: Any) -> Any:
        if self.stop.is_set():
            raise _Stopped("stopped before this example started")
        started = perf_counter()
        with dspex.track_calls() as calls:
            try:
                prediction = await self.module.acall(**inputs)
            except Exception as exc:
                _attempt.set(_Attempt(list(calls), (perf_counter() - started) * 1000, exc))
                return _Failure(exc)
        _attempt.set(_Attempt(list(calls), (perf_counter() - started) * 1000))
        return prediction


def _prediction_json(prediction: Any) -> dict[str, Any]:
    as_json: dict[str, Any]  # jsonable() keeps a mapping a mapping
    if hasattr(prediction, "to_dict"):
        as_json = jsonable(prediction.to_dict())
    elif isinstance(prediction, Mapping):
        as_json = jsonable(dict(prediction))
    else:
        as_json = {"value": jsonable(prediction)}
    return as_json


def _not_started(outcome: Any) -> None:
    raise RuntimeError("outcomes are reported only while the EvaluationStream runs")


class EvaluationStream:
    """``dspex.Evaluate`` over ``rows`` on a helper thread; iterate for outcomes as they finish.

    ::

        with EvaluationStream(module=m, lm=lm, rows=rows, metrics=metrics, concurrency=8) as stream:
            for outcome in stream:      # None every ``poll_interval`` seconds while nothing finishes
                ...
                if cancelled:
                    stream.stop()       # examples not yet started are skipped

    At most ``concurrency`` examples are in flight. ``failure`` holds an exception that ended the
    whole run (not a failed example: those are outcomes with an ``error``).
    """

    def __init__(
        self,
        *,
        module: dspex.Module,
        lm: dspex.LM,
        rows: Sequence[Example],
        metrics: Sequence[ScoringMetric],
        concurrency: int,
        poll_interval: float = 0.5,
    ):
        if not metrics:
            raise ValueError("an evaluation needs at least one metric")
        self.module = module
        self.lm = lm
        self.metrics = list(metrics)
        self.concurrency = max(int(concurrency), 1)
        self.poll_interval = poll_interval
        self.examples = [example_from_row(row) for row in rows]
        self._ids = {id(example): row.pk for example, row in zip(self.examples, rows, strict=True)}
        self._background = BackgroundRun(self._work, name="dspex-evaluation", poll_interval=poll_interval)
        self._emit: Callable[[Any], None] = _not_started

    # -- control (calling thread) --------------------------------------------------------------
    def start(self) -> EvaluationStream:
        self._background.start()
        return self

    def stop(self) -> None:
        """Start no more examples (those in flight finish and are still reported)."""
        self._background.stop()

    @property
    def stopped(self) -> bool:
        return self._background.stop_requested.is_set()

    @property
    def failure(self) -> BaseException | None:
        """What ended the whole run, if something did."""
        return self._background.failure

    def close(self) -> None:
        self.stop()
        self._background.join()

    def __enter__(self) -> EvaluationStream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[ExampleOutcome | None]:
        return iter(self._background)

    # -- the run (helper thread) ---------------------------------------------------------------
    def _work(self, emit: Callable[[Any], None], stop: threading.Event) -> None:
        self._emit = emit
        if not self.examples:
            return
        self.module.set_lm(self.lm)  # the program's LM config wins over one a state may carry
        evaluate = dspex.Evaluate(
            devset=self.examples, metric=self._score, num_threads=self.concurrency, max_errors=None
        )
        with dspex.context(lm=self.lm):
            evaluate(_Program(self.module, stop))

    def _score(self, example: Any, prediction: Any, trace: Any = None) -> float:
        """The metric ``dspex.Evaluate`` calls: score with every metric, report the outcome."""
        attempt = _attempt.get() or _Attempt([], 0.0)
        scores: dict[str, float] = {}
        error = ""
        calls = list(attempt.calls)
        if isinstance(prediction, _Failure):
            error, output = describe_error(prediction.error), None
        else:
            output = _prediction_json(prediction)
            with dspex.track_calls() as judged:  # LM-judged metrics cost tokens too
                for metric in self.metrics:
                    try:
                        scores[metric.name] = float(metric.score(example, prediction))
                    except Exception as exc:
                        error = f"metric {metric.name} failed: {type(exc).__name__}: {exc}"
                        break
            calls.extend(judged)
            error = error or _non_finite(output, scores)
            if error:
                output = marked(output)
        prompt, completion, cost = usage_totals(calls)
        main = None if error else scores[self.metrics[0].name]
        self._emit(
            ExampleOutcome(
                example_id=self._ids[id(example)],
                prediction=output,
                metric_scores={} if error else scores,
                score=main,
                error=error,
                latency_ms=attempt.latency_ms,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost=cost,
            )
        )
        return main or 0.0
