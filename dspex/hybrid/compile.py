"""dspy's optimizers on dspex programs, and the ``optimizer(...)`` factory.

``compile_with_dspy("mipro_v2", student=program, trainset=train, metric=metric, params={...})``
converts the student, the data and the metric to dspy, runs the dspy optimizer inside
``dspy.context(lm=..., adapter=...)``, and copies the learned state (demos and instructions per
predictor) into a native copy of the student, which then runs natively. Progress is reported as
dspex :class:`~dspex.optimizers.base.TrialEvent` objects: ``start``, one ``trial`` per evaluation
dspy runs through ``dspy.Evaluate`` (with its score), and ``end`` with the best score dspy
reports.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable
from typing import Any

from dspex.hybrid import dspy_bridge, telemetry
from dspex.hybrid.attempts import Attempt, publish_attempts
from dspex.hybrid.errors import BackendUnavailable
from dspex.hybrid.registry import available_backends, implementation
from dspex.hybrid.router import choose_backend, preference_for
from dspex.optimizers.base import TrialEvent
from dspex.settings import settings

__all__ = ["DspyOptimizer", "compile_with_dspy", "optimizer"]

# Results that are not a copy of the student (they choose demos per call, or combine programs):
# they stay dspy programs behind a DspyModule.
_DYNAMIC_RESULTS = frozenset({"knn_few_shot", "ensemble"})


def _accepted(function: Callable[..., Any]) -> set[str]:
    parameters = inspect.signature(function).parameters.values()
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - {"self"}


def _takes_five(metric: Callable[..., Any]) -> bool:
    try:
        parameters = list(inspect.signature(metric).parameters.values())
    except (TypeError, ValueError):
        return False
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return True
    return len([p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) >= 5


def _dspy_metric(metric: Callable[..., Any]) -> Callable[..., Any]:
    """``metric(example, prediction, trace=None)`` on dspex objects, as dspy (and GEPA, which
    also passes ``pred_name`` and ``pred_trace``) calls it. A dict or dspex Prediction with
    ``score`` (and ``feedback``) becomes a ``dspy.Prediction``."""
    five = _takes_five(metric)
    dspy = dspy_bridge.load_dspy()

    def wrapped(
        gold: Any, pred: Any, trace: Any = None, pred_name: Any = None, pred_trace: Any = None
    ) -> Any:
        example = dspy_bridge.from_dspy_example(gold)
        prediction = dspy_bridge.from_dspy_prediction(pred) if pred is not None else None
        if five:
            result = metric(example, prediction, trace, pred_name, pred_trace)
        else:
            result = metric(example, prediction, trace)
        if isinstance(result, dict) or (hasattr(result, "to_dict") and hasattr(result, "score")):
            data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
            return dspy.Prediction(**data)
        return result

    wrapped.__name__ = getattr(metric, "__name__", "metric")
    return wrapped


def _convert_params(params: dict[str, Any]) -> dict[str, Any]:
    from dspex.hybrid.dspy_module import to_dspy_value

    return {key: to_dspy_value(value) for key, value in params.items()}


def _progress_callback(name: str, emit: Callable[..., None]) -> Any:
    dspy_bridge.load_dspy()
    from dspy.utils.callback import BaseCallback

    class Progress(BaseCallback):
        def __init__(self) -> None:
            self.count = 0
            self.best: float | None = None

        def on_evaluate_end(self, call_id: str, outputs: Any, exception: Exception | None = None) -> None:
            self.count += 1
            score = getattr(outputs, "score", None)
            if exception is not None:
                emit(
                    "trial",
                    f"evaluation {self.count}",
                    None,
                    error=f"{type(exception).__name__}: {exception}",
                )
                return
            if score is not None:
                score = float(score)
                self.best = score if self.best is None else max(self.best, score)
            emit("trial", f"evaluation {self.count}", score)

    return Progress()


def _best_score(result: Any, progress: Any) -> float | None:
    score = getattr(result, "score", None)
    if isinstance(score, int | float) and not isinstance(score, bool):
        return float(score)
    details = getattr(result, "detailed_results", None)
    if details is not None:
        scores = getattr(details, "val_aggregate_scores", None)
        best = getattr(details, "best_idx", None)
        if scores and best is not None:
            return float(scores[best])
    candidates = getattr(result, "candidate_programs", None)
    if candidates:
        values: list[Any] = [
            c.get("score") for c in candidates if isinstance(c, dict) and c.get("score") is not None
        ]
        if values:
            return float(max(values))
    best_seen: float | None = progress.best
    return best_seen


def _split_params(cls: Any, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    init_names = _accepted(cls.__init__)
    compile_names = _accepted(cls.compile)
    var_init = any(p.kind is p.VAR_KEYWORD for p in inspect.signature(cls.__init__).parameters.values())
    init: dict[str, Any] = {}
    compile_kwargs: dict[str, Any] = {}
    for key, value in params.items():
        if key in init_names:
            init[key] = value
        elif key in compile_names:
            compile_kwargs[key] = value
        elif var_init:
            init[key] = value
        else:
            valid = sorted(
                (init_names | compile_names) - {"metric", "student", "trainset", "valset", "teacher"}
            )
            raise TypeError(f"{cls.__name__} has no parameter {key!r}; valid parameters: {', '.join(valid)}")
    return init, compile_kwargs


def compile_with_dspy(
    name: str,
    *,
    student: Any,
    trainset: Iterable[Any],
    valset: Iterable[Any] | None = None,
    metric: Callable[..., Any] | None = None,
    params: dict[str, Any] | None = None,
    teacher: Any = None,
    callback: Callable[[TrialEvent], Any] | None = None,
    lm: Any = None,
) -> Any:
    """Run dspy's optimizer ``name`` on a dspex ``student`` and return a native compiled copy.

    ``params`` go to the optimizer's constructor or its ``compile`` (whichever takes them; dspex
    LMs in them, e.g. GEPA's ``reflection_lm``, are converted). ``lm`` defaults to the configured
    dspex LM. For ``ensemble`` pass a list of programs as ``student``. ``knn_few_shot`` and
    ``ensemble`` results choose demos per call, so they come back as a :class:`DspyModule`.
    """
    from dspex.hybrid.dspy_module import DspyModule
    from dspex.hybrid.shadow import native_from_dspy, to_dspy_program

    impl = implementation(name, "dspy", kind="optimizer")
    if impl is None or "dspy" not in available_backends(name, kind="optimizer"):
        raise BackendUnavailable(name, "dspy", available_backends(name, kind="optimizer"), kind="optimizer")
    dspy_bridge.load_dspy()
    cls = impl.load()
    params = dict(params or {})
    if name == "gepa":
        params.setdefault("track_stats", True)
    init, compile_kwargs = _split_params(cls, _convert_params(params))
    init_names, compile_names = _accepted(cls.__init__), _accepted(cls.compile)
    train = [dspy_bridge.to_dspy_example(e) for e in trainset]
    if metric is not None and "metric" in init_names:
        init["metric"] = _dspy_metric(metric)
    if "trainset" in init_names and "trainset" not in compile_names:
        init["trainset"] = train
    elif "trainset" in compile_names:
        compile_kwargs["trainset"] = train
    if valset is not None and "valset" in compile_names:
        compile_kwargs["valset"] = [dspy_bridge.to_dspy_example(e) for e in valset]
    if teacher is not None and "teacher" in compile_names:
        compile_kwargs["teacher"] = to_dspy_program(teacher)
    programs = student if isinstance(student, list | tuple) else [student]
    dspy_students = [to_dspy_program(p) for p in programs]

    def emit(kind: str, candidate: str, score: float | None = None, **details: Any) -> None:
        if callback is not None:
            callback(TrialEvent(name, kind, candidate, score, details))

    progress = _progress_callback(name, emit)
    emit("start", "student", None, trainset=len(train), params=sorted(params))
    attempts: list[Attempt] = []
    start = telemetry.started("compile", "dspy", name, attempts)
    try:
        dspy = dspy_bridge.load_dspy()
        callbacks = [*(dspy.settings.callbacks or []), progress]
        with dspy_bridge.bridge_context(lm or settings.get("lm"), callbacks=callbacks):
            optimizer_instance = cls(**init)
            if name == "ensemble":
                result = optimizer_instance.compile(dspy_students, **compile_kwargs)
            else:
                result = optimizer_instance.compile(dspy_students[0], **compile_kwargs)
    except BaseException as error:
        telemetry.finished("compile", "dspy", name, start, attempts, error)
        publish_attempts(attempts)
        emit("end", "compiled", None, error=f"{type(error).__name__}: {error}")
        raise
    telemetry.finished("compile", "dspy", name, start, attempts)
    latency = attempts[-1].latency_ms
    publish_attempts(attempts)
    score = _best_score(result, progress)
    if name in _DYNAMIC_RESULTS or isinstance(student, list | tuple):
        compiled: Any = DspyModule.wrap(name, result)
    else:
        compiled = native_from_dspy(student, result)
    emit("end", "compiled", None if score is None or math.isnan(score) else score, latency_ms=latency)
    return compiled


class DspyOptimizer:
    """A dspy optimizer with the dspex optimizer API: ``compile(student, trainset=..., valset=...)``.

    Built by :func:`optimizer` when the router picks dspy; ``params`` are dspy's own.
    """

    def __init__(
        self,
        name: str,
        *,
        metric: Callable[..., Any] | None = None,
        callback: Callable[[TrialEvent], Any] | None = None,
        **params: Any,
    ) -> None:
        self.name = name
        self.metric = metric
        self.callback = callback
        self.params = params

    def compile(
        self, student: Any, *, trainset: list[Any], valset: list[Any] | None = None, teacher: Any = None
    ) -> Any:
        """Run the dspy optimizer (see :func:`compile_with_dspy`)."""
        return compile_with_dspy(
            self.name,
            student=student,
            trainset=trainset,
            valset=valset,
            metric=self.metric,
            params=self.params,
            teacher=teacher,
            callback=self.callback,
        )

    def __repr__(self) -> str:
        return f"DspyOptimizer({self.name!r}, params={self.params!r})"


def optimizer(name: str, *, backend: str | None = None, **params: Any) -> Any:
    """Build optimizer ``name`` on the backend the router picks (``backend=`` forces one).

    ``optimizer("bootstrap_few_shot", metric=m)`` is the native ``BootstrapFewShot`` under
    ``auto``; ``optimizer("mipro_v2", metric=m, auto=None, num_candidates=3)`` a
    :class:`DspyOptimizer`. Either has ``compile(student, trainset=...)``.
    """
    chosen = choose_backend(name, preference_for(name, explicit=backend), kind="optimizer")
    if chosen == "native":
        native = implementation(name, "native", kind="optimizer")
        assert native is not None
        return native.load()(**params)
    return DspyOptimizer(name, **params)
