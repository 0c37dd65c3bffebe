"""Experiments <-> engine: build the optimizer, the metric and the data of an Experiment, and run
the engine's ``Evaluate`` (the only experiments module that imports ``dspex``)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

import dspex
from datasets.gateway import examples_from_version
from evaluations.gateway.scoring import resolve_metrics
from experiments.models import Experiment
from experiments.optimizer_types import get_optimizer_type
from programs.gateway.lms import lm_for_program
from programs.gateway.modules import module_from_version, stored_state
from programs.gateway.running import describe_error
from programs.gateway.signatures import jsonable, signature_from_row

__all__ = [
    "EvaluationFailed",
    "check_experiment_config",
    "compile_program",
    "compiled_state",
    "describe_error",
    "evaluate_score",
    "experiment_data",
    "experiment_metric",
    "experiment_optimizer",
    "jsonable",
    "program_and_lm",
]

RUN_KEYS = {"num_threads"}  # optimizer_params the runner uses itself


class EvaluationFailed(RuntimeError):
    """Every example of an evaluation failed: a broken LM or program, not a low score."""


def experiment_metric(experiment: Experiment) -> Callable[..., Any]:
    """The experiment's metric (a name registered in ``evaluations.metrics`` or allow-listed in
    ``DSPEX_METRICS``), reading the program's output field (``exact_match`` on ``sentence -> label``
    compares ``label``). Errors are keyed ``metric``."""
    signature = signature_from_row(experiment.program_version.program.signature)
    try:
        [metric] = resolve_metrics([experiment.metric], signature)
    except ValidationError as exc:
        messages = [m.replace("metrics[0]: ", "") for m in exc.messages]
        raise ValidationError({"metric": messages}) from None
    return lambda example, prediction, trace=None: metric.score(example, prediction)


def _optimizer_class(key: str) -> tuple[Any, type]:
    try:
        entry = get_optimizer_type(key)
    except KeyError as exc:
        raise ValidationError(
            {"optimizer": ValidationError(str(exc.args[0]), code="invalid_choice")}
        ) from None
    try:
        return entry, import_string(entry.path)
    except ImportError as exc:
        raise ValidationError(
            {"optimizer": f"optimizer {key!r}: cannot import {entry.path}: {exc}"}
        ) from None


def experiment_optimizer(
    experiment: Experiment, metric: Callable[..., Any] | None, callback: Callable[[Any], None] | None
) -> Any:
    """The optimizer of ``experiment``: native or dspy as the hybrid router picks for the program's
    ``backend`` preference; native params are checked against the class."""
    entry, cls = _optimizer_class(experiment.optimizer)
    params = {k: v for k, v in (experiment.optimizer_params or {}).items() if k not in RUN_KEYS}
    backend = experiment.program_version.program.backend
    known = dspex.hybrid.capabilities()["optimizers"]
    if experiment.optimizer in known:
        try:
            chosen = dspex.hybrid.choose_backend(experiment.optimizer, backend, kind="optimizer")
        except dspex.hybrid.BackendUnavailable as exc:
            raise ValidationError({"optimizer": str(exc)}) from None
        if chosen == "dspy":
            return dspex.hybrid.optimizer(
                experiment.optimizer, backend="dspy", metric=metric, callback=callback, **params
            )
    if entry.takes_metric:
        params["metric"] = metric
    named = [
        name
        for name, p in inspect.signature(cls).parameters.items()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and name not in ("callback", "metric")
    ]
    unknown = sorted(name for name in params if name not in named and name != "metric")
    if unknown and named:
        message = f"{entry.label} does not accept {', '.join(unknown)} (accepts: {', '.join(named)})"
        raise ValidationError({"optimizer_params": message})
    try:
        return cls(callback=callback, **params)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"optimizer_params": f"{entry.label}: {exc}"}) from None


def check_experiment_config(experiment: Experiment) -> None:
    """Raise ValidationError (keyed by field) unless the runner could start ``experiment``."""
    metric = experiment_metric(experiment)
    experiment_optimizer(experiment, metric, callback=None)
    experiment_data(experiment)


def experiment_data(experiment: Experiment) -> tuple[list[dspex.Example], list[dspex.Example]]:
    """``(trainset, valset)``; the valset is the train split when ``val_split`` is empty or has no
    rows. An empty train split is a ValidationError."""
    version = experiment.dataset_version
    trainset = examples_from_version(version, experiment.train_split)
    if not trainset:
        split = experiment.train_split
        raise ValidationError({"train_split": f"{version} has no examples in the {split!r} split"})
    valset = examples_from_version(version, experiment.val_split) if experiment.val_split else []
    return trainset, valset or trainset


def program_and_lm(experiment: Experiment) -> tuple[dspex.Module, dspex.LM]:
    """The module of the experiment's starting version, bound to the program's LM."""
    version = experiment.program_version
    module = module_from_version(version)
    lm = lm_for_program(version.program)
    module.set_lm(lm)
    return module, lm


def evaluate_score(
    module: dspex.Module,
    examples: list[dspex.Example],
    metric: Callable[..., Any],
    *,
    num_threads: int,
    progress: Callable[[int, int, float], None] | None = None,
    lm: dspex.LM | None = None,
) -> float:
    """The engine's ``Evaluate`` score (a percentage) of ``module`` on ``examples``."""
    evaluate = dspex.Evaluate(devset=examples, metric=metric, num_threads=num_threads, progress=progress)
    with dspex.context(lm=lm):
        result = evaluate(module)
    if examples and result.errors == len(examples):
        first = next(r.error for r in result.results if r.error)
        raise EvaluationFailed(f"the program failed on all {len(examples)} examples; the first: {first}")
    return float(result.score)


def compile_program(
    optimizer: Any,
    module: dspex.Module,
    lm: dspex.LM,
    *,
    trainset: list[dspex.Example],
    valset: list[dspex.Example],
) -> dspex.Module:
    """``optimizer.compile`` with the program's LM configured; the result is bound to that LM."""
    with dspex.context(lm=lm):
        compiled: dspex.Module = optimizer.compile(module, trainset=trainset, valset=valset)
    compiled.set_lm(lm)
    return compiled


def compiled_state(module: dspex.Module) -> dict[str, Any]:
    """The JSON state a ProgramVersion stores (without LM entries: runs use the program's LM)."""
    return stored_state(module.dump_state())
