"""Running a module on inputs, in this thread or streamed from a background one, and collecting
its LM calls, steps and attempts (``ModuleRun``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

from django.conf import settings

import dspex
from core.background import BackgroundRun
from programs import endpoints as lm_endpoints
from programs.gateway.signatures import jsonable

if TYPE_CHECKING:
    from dspex.lm.tracking import LMCall

__all__ = ["ModuleRun", "ModuleStream", "StreamCancelled", "describe_error", "run_module", "stream_module"]


@dataclass
class ModuleRun:
    """The outcome of :func:`run_module`: outputs or an error, and every LM call either way."""

    outputs: dict[str, Any] | None
    calls: list[LMCall]
    latency_ms: float
    error: BaseException | None = None
    error_message: str = ""
    backend: str = "native"
    steps: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)


def describe_error(exc: BaseException) -> str:
    """A one-paragraph description of an engine failure, for an Execution's ``error``."""
    return lm_endpoints.redact_endpoint_urls(_describe(exc))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, dspex.LMError):
        return f"LM call failed ({type(exc).__name__}): {exc}"
    if isinstance(exc, dspex.AdapterParseError):
        return f"Could not parse the LM response: {exc}"
    if isinstance(exc, dspex.NoLMConfiguredError):
        return f"No LM configured: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _sandbox_settings() -> dict[str, Any]:
    """The engine settings of a platform run: the ProgramOfThought sandbox's, from the Django
    settings, and strict inputs (the services checked them already: an input that still does not
    fit is a bug to report, not a value to send the LM)."""
    return {
        "sandbox_allow_unconfined": bool(getattr(settings, "DSPEX_SANDBOX_ALLOW_UNCONFINED", False)),
        "strict_inputs": True,
    }


def run_module(module: dspex.Module, lm: dspex.LM, inputs: Mapping[str, Any]) -> ModuleRun:
    """Call ``module(**inputs)`` on ``lm``, recording every LM call; never raises for engine errors."""
    module.set_lm(lm)  # the program's LM config wins over an LM a loaded state might carry
    start = perf_counter()
    allow_pot = settings.DSPEX_ALLOW_PROGRAM_OF_THOUGHT
    limits = getattr(settings, "DSPEX_PIPELINE_LIMITS", None)
    with (
        dspex.context(
            lm=lm, allow_program_of_thought=allow_pot, pipeline_limits=limits, **_sandbox_settings()
        ),
        dspex.track_calls() as calls,
        dspex.track_steps() as events,
        dspex.hybrid.record_attempts() as attempts,
    ):
        try:
            prediction = module(**inputs)
        except Exception as exc:
            latency = (perf_counter() - start) * 1000
            records = getattr(exc, "pipeline_steps", None) or getattr(exc, "steps", None)
            steps = _step_records(records, events)
            run = ModuleRun(None, list(calls), latency, exc, describe_error(exc), steps=steps)
            return _with_attempts(run, attempts)
    latency = (perf_counter() - start) * 1000
    steps = _step_records(getattr(prediction, "steps", None), events)
    return _with_attempts(
        ModuleRun(jsonable(prediction.to_dict()), list(calls), latency, steps=steps), attempts
    )


def _with_attempts(run: ModuleRun, attempts: list[dict[str, Any]]) -> ModuleRun:
    """Which backend ran the program (the last attempt of its outermost routed call), and every
    attempt when the native path failed over to dspy."""
    if attempts:
        run.backend = str(attempts[-1].get("backend") or run.backend)
        run.attempts = [jsonable(a) for a in attempts]
    return run


def _step_records(records: Any, events: list[Any]) -> list[dict[str, Any]]:
    """JSON of a pipeline run's step records, else of the module events (``dspex.track_steps``:
    ReAct steps, BestOfN/Refine attempts, vote samples, ...) of the run."""
    if not isinstance(records, list):
        records = events
    return [jsonable(r.to_dict()) for r in records if hasattr(r, "to_dict")]


class ModuleStream:
    """``module`` run with ``dspex.streamify`` on a helper thread (see :func:`stream_module`)."""

    def __init__(
        self, module: dspex.Module, lm: dspex.LM, inputs: Mapping[str, Any], *, keepalive: float = 0.0
    ) -> None:
        module.set_lm(lm)
        self.keepalive = keepalive
        allow_pot = settings.DSPEX_ALLOW_PROGRAM_OF_THOUGHT
        limits = getattr(settings, "DSPEX_PIPELINE_LIMITS", None)

        async def consume(emit: Callable[[Any], None]) -> ModuleRun:
            start = perf_counter()
            with (
                dspex.context(
                    lm=lm, allow_program_of_thought=allow_pot, pipeline_limits=limits, **_sandbox_settings()
                ),
                dspex.track_calls() as calls,
                dspex.track_steps() as events,
            ):
                try:
                    async for item in dspex.streamify(module)(**inputs):
                        if isinstance(item, dspex.StreamChunk):
                            chunk = {"predictor": item.predictor, "field": item.field, "chunk": item.chunk}
                            emit(("chunk", chunk))
                        elif isinstance(item, dspex.StatusMessage):
                            emit(("status", {"text": item.text, "step": item.step}))
                        elif isinstance(item, dspex.Prediction):
                            latency = (perf_counter() - start) * 1000
                            steps = _step_records(getattr(item, "steps", None), events)
                            return ModuleRun(jsonable(item.to_dict()), list(calls), latency, steps=steps)
                except asyncio.CancelledError:  # the stream was closed: keep what was done so far
                    latency = (perf_counter() - start) * 1000
                    error: Exception = StreamCancelled("the stream was closed before the run finished")
                    return ModuleRun(
                        None, list(calls), latency, error, str(error), steps=_step_records(None, events)
                    )
                except Exception as exc:
                    latency = (perf_counter() - start) * 1000
                    steps = _step_records(None, events)
                    return ModuleRun(None, list(calls), latency, exc, describe_error(exc), steps=steps)
            error = RuntimeError("the stream ended without a prediction")
            return ModuleRun(None, list(calls), (perf_counter() - start) * 1000, error, describe_error(error))

        self.background = BackgroundRun.of_coroutine(consume, name="dspex-stream")

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """``("chunk" | "status", {...})`` as they happen, ``("ping", {})`` every ``keepalive``
        seconds without them (0: never), then ``("done", ModuleRun)``. Never raises for engine
        errors."""
        quiet_since = perf_counter()
        for item in self.background:
            if item is not None:
                quiet_since = perf_counter()
                yield item
            elif self.keepalive and perf_counter() - quiet_since >= self.keepalive:
                quiet_since = perf_counter()
                yield "ping", {}
        self.background.raise_failure()
        yield "done", self.background.result

    def cancel(self, wait: float = 10.0) -> ModuleRun:
        """Stop the run (its coroutine is cancelled, its LM requests closed) and wait up to
        ``wait`` seconds for it; the run as far as it got, its error a :class:`StreamCancelled`."""
        self.background.stop()
        finished = self.background.join(wait)
        result = self.background.result if finished else None
        if isinstance(result, ModuleRun):
            if result.error is None:  # it finished just now: what it produced is not returned
                result.error = StreamCancelled("the stream was closed before the run finished")
                result.error_message = str(result.error)
            return result
        error = StreamCancelled("the stream was closed before the run started or stopped")
        return ModuleRun(None, [], 0.0, error, str(error))


class StreamCancelled(Exception):
    """A streamed run stopped because its stream was closed (the client went away)."""


def stream_module(
    module: dspex.Module, lm: dspex.LM, inputs: Mapping[str, Any], *, keepalive: float = 0.0
) -> ModuleStream:
    """Run ``module`` with ``dspex.streamify`` on a helper thread: iterate the result for
    ``("chunk", {...})``, ``("status", {...})`` (and ``("ping", {})`` keep-alives) as they happen,
    then ``("done", ModuleRun)``; :meth:`ModuleStream.cancel` stops it early."""
    return ModuleStream(module, lm, inputs, keepalive=keepalive)
