"""Writes for experiments: create and launch an optimize run, run it (the worker's side), move it
through the status machine, record trials.

The engine is reached only through ``experiments.gateway``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from actions import get as get_action
from actions.tasks import enqueue as enqueue_action
from core.heartbeat import Heartbeat
from core.ownership import authenticated_or_none
from core.reaper import requeue_or_fail
from core.runs import TERMINAL, InvalidTransition, RunStatus, run_transition
from core.users import Caller
from datasets.models import DatasetVersion
from experiments import gateway
from experiments.models import Experiment, Trial
from experiments.monitor import ExperimentCancelled, RunMonitor
from programs.models import Program, ProgramVersion
from programs.services import program_version_create
from programs.validators import CONNECTION_KEYS

__all__ = [
    "ExperimentCancelled",
    "experiment_cancel",
    "experiment_create",
    "experiment_fail",
    "experiment_finish",
    "experiment_recover",
    "experiment_run",
    "experiment_start",
    "program_optimize",
    "trial_record",
]

logger = logging.getLogger(__name__)

# Event kinds that score one training example, not a whole candidate program: they are recorded
# as trials but do not move the best score.
PER_EXAMPLE_KINDS = frozenset({"bootstrap", "error", "demos"})


# Optimizer parameters that would give the optimizer an LM (or embedder) of its own: an optimizer
# always runs on the program's LM, its endpoint and its owner's credential.
LM_VALUED_PARAMS = frozenset(
    {"lm", "prompt_model", "task_model", "reflection_lm", "teacher", "teacher_settings", "vectorizer",
     "embedder"}
)  # fmt: skip


def _connection_keys(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}"
            if key in CONNECTION_KEYS:
                yield here
            yield from _connection_keys(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _connection_keys(item, f"{path}[{index}]")


def _check_optimizer_params(params: dict[str, Any]) -> None:
    """No LM, endpoint or credential in ``optimizer_params`` (a 400 naming the parameter)."""
    for key in params:
        if key in LM_VALUED_PARAMS:
            raise ValidationError(
                {
                    "optimizer_params": f"optimizer_params.{key} is not accepted: optimizers run on the "
                    "program's LM (its lm_config endpoint and credential)"
                }
            )
    found = next(_connection_keys(params, "optimizer_params"), None)
    if found is not None:
        raise ValidationError(
            {"optimizer_params": f"{found} is not accepted: requests go only to the program's endpoint"}
        )


def experiment_create(
    *,
    program_version: ProgramVersion,
    dataset_version: DatasetVersion,
    optimizer: str,
    optimizer_params: dict[str, Any] | None = None,
    trials_total: int | None = None,
    owner: Caller | None = None,
    **options: Any,
) -> Experiment:
    """A pending experiment row (nothing runs; :func:`program_optimize` also checks and enqueues).

    ``options``: ``metric``, ``train_split``, ``val_split``, ``promote``, ``evaluate_baseline``.
    """
    if optimizer_params is not None and not isinstance(optimizer_params, dict):
        raise ValidationError({"optimizer_params": "optimizer_params must be a JSON object"})
    _check_optimizer_params(optimizer_params or {})
    unknown = sorted(set(options) - {"metric", "train_split", "val_split", "promote", "evaluate_baseline"})
    if unknown:
        raise TypeError(f"experiment_create() got unexpected options: {', '.join(unknown)}")
    experiment = Experiment(
        program_version=program_version,
        dataset_version=dataset_version,
        optimizer=optimizer,
        optimizer_params=optimizer_params or {},
        trials_total=trials_total,
        owner=authenticated_or_none(owner),
        **options,
    )
    experiment.full_clean()
    experiment.save()
    return experiment


def program_optimize(
    *,
    program: Program,
    dataset_version: DatasetVersion,
    optimizer: str = "bootstrap_few_shot",
    optimizer_params: dict[str, Any] | None = None,
    metric: str = "exact_match",
    train_split: str = "train",
    val_split: str = "dev",
    promote: bool = False,
    evaluate_baseline: bool = True,
    version: ProgramVersion | None = None,
    user: Caller | None = None,
    enqueue: bool = True,
) -> Experiment:
    """Check the request, record a pending Experiment and queue its run on the generic action task
    (``program.optimize``) once the transaction commits (with eager Celery it has run when this returns). With
    ``enqueue=False`` the caller runs it (``experiment_run``), e.g. in the foreground of a command.

    ``version`` defaults to the program's current version. Bad input is a ValidationError keyed
    by field (unknown optimizer or metric, params the optimizer does not take, an empty train split).
    """
    if version is None:
        version = program.current_version
    if version is None:
        raise ValidationError({"version": f"program {program} has no version to optimize"})
    if version.program_id != program.pk:
        raise ValidationError({"version": f"{version} is not a version of {program}"})
    experiment = experiment_create(
        program_version=version,
        dataset_version=dataset_version,
        optimizer=optimizer,
        optimizer_params=optimizer_params,
        owner=user,
        metric=metric,
        train_split=train_split,
        val_split=val_split,
        promote=promote,
        evaluate_baseline=evaluate_baseline,
    )
    try:
        gateway.check_experiment_config(experiment)
    except ValidationError:
        experiment.delete()
        raise
    if enqueue:
        enqueue_action(get_action("program.optimize"), experiment.pk)
    return experiment


def experiment_start(*, experiment: Experiment) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.RUNNING)


def experiment_finish(*, experiment: Experiment, result_version: ProgramVersion | None = None) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.SUCCEEDED, result_version=result_version)


def experiment_fail(*, experiment: Experiment, error: str) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.FAILED, error=error)


def experiment_cancel(*, experiment: Experiment) -> Experiment:
    """Cancel a pending or running experiment; a running one stops at its next trial (cooperative),
    keeping the trials it recorded. A finished experiment cannot be cancelled (InvalidTransition)."""
    return run_transition(run=experiment, to=RunStatus.CANCELLED)


def trial_record(
    *,
    experiment: Experiment,
    candidate: str,
    score: float | None,
    details: dict[str, Any] | None = None,
    kind: str = "candidate",
) -> Trial:
    """Store a candidate's score and advance the progress fields (only while running).

    Idempotent per ``(experiment, candidate)``: recording a candidate again (a redelivered job
    replaying its run) returns the stored trial and changes nothing. Scores of whole candidates
    move ``best_score`` and extend ``score_trajectory``; per-example kinds (``bootstrap``) do not.
    """
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        existing = Trial.objects.filter(experiment=locked, candidate=candidate).first()
        if existing is not None:
            return existing
        if locked.status != RunStatus.RUNNING:
            raise ValidationError(
                f"experiment {locked.pk} is {locked.status}: trials are recorded only while it runs",
                code="not_running",
            )
        trial = Trial.objects.create(
            experiment=locked, candidate=candidate, kind=kind, score=score, details=details or {}
        )
        changes: dict[str, Any] = {"trials_done": F("trials_done") + 1}
        if score is not None and kind not in PER_EXAMPLE_KINDS:
            best = (
                locked.best_score if locked.best_score is not None and locked.best_score >= score else score
            )
            changes["best_score"] = best
            changes["score_trajectory"] = [*locked.score_trajectory, best]
        if kind == "baseline":
            changes["baseline_score"] = score
        Experiment.objects.filter(pk=locked.pk).update(**changes)
    experiment.refresh_from_db(fields=["trials_done", "best_score", "score_trajectory", "baseline_score"])
    return trial


# -- the runner (a worker calls it through the generic task actions.run_action) --------------------
def _estimated_trials(experiment: Experiment, optimizer: Any, trainset_size: int) -> int | None:
    estimate = getattr(optimizer, "estimated_trials", None)
    if callable(estimate):
        count: int = estimate(trainset_size)
    elif experiment.optimizer == "bootstrap_few_shot":
        count = trainset_size * getattr(optimizer, "max_rounds", 1)
    elif experiment.optimizer == "labeled_few_shot":
        count = 1
    else:
        return None
    return count + 1 + int(experiment.evaluate_baseline)


def _optimize(
    experiment: Experiment, on_trial: Callable[[Trial], None] | None
) -> tuple[dict[str, Any], float]:
    """Run the optimizer; return the compiled state and its validation score."""
    monitor = RunMonitor(experiment, record=trial_record, on_trial=on_trial)
    metric = gateway.experiment_metric(experiment)
    optimizer = gateway.experiment_optimizer(experiment, metric, monitor.callback)
    trainset, valset = gateway.experiment_data(experiment)
    threads = int((experiment.optimizer_params or {}).get("num_threads") or settings.DSPEX_EVALUATE_THREADS)
    Experiment.objects.filter(pk=experiment.pk, trials_total__isnull=True).update(
        trials_total=_estimated_trials(experiment, optimizer, len(trainset))
    )
    module, lm = gateway.program_and_lm(experiment)
    baseline = f"v{experiment.program_version.number}"

    def score(program: Any) -> Any:
        return lambda: gateway.evaluate_score(
            program, valset, metric, num_threads=threads, progress=monitor.progress, lm=lm
        )

    def work() -> tuple[dict[str, Any], float]:
        if experiment.evaluate_baseline:
            monitor.scored("baseline", baseline, score(module))
        compiled = gateway.compile_program(optimizer, module, lm, trainset=trainset, valset=valset)
        final = monitor.scored("compiled", "result", score(compiled))
        return gateway.compiled_state(compiled), final

    return monitor.run(work)


def experiment_run(
    *, experiment_id: int, on_trial: Callable[[Trial], None] | None = None
) -> Experiment | None:
    """Run (or resume) an experiment; the worker's entry point, safe to call again for one id.

    A pending experiment starts; a running one was interrupted (its worker died and the broker
    redelivered the job) and is replayed: trials already stored are not recorded again and whole
    evaluations already scored are not re-run (repeated LM calls are answered by the LM cache).
    A finished, failed or cancelled experiment is left alone. The compiled program becomes a new
    ProgramVersion (current when ``promote``) in the same transaction that finishes the row.
    ``on_trial(trial)`` is called after each Trial row is written (progress bars).
    """
    experiment = (
        Experiment.objects.select_related("program_version__program__signature", "dataset_version", "owner")
        .filter(pk=experiment_id)
        .first()
    )
    if experiment is None or experiment.status in TERMINAL:
        return experiment
    if experiment.status == RunStatus.PENDING:
        try:
            experiment_start(experiment=experiment)
        except InvalidTransition:
            experiment.refresh_from_db()
            if experiment.status != RunStatus.RUNNING:
                return experiment
    else:
        logger.info("experiment %s: resuming an interrupted run", experiment.pk)
    Experiment.objects.filter(pk=experiment.pk).update(attempts=F("attempts") + 1)
    with Heartbeat(Experiment, experiment.pk, beat_now=True):
        return _run_and_finish(experiment, on_trial)


def _run_and_finish(experiment: Experiment, on_trial: Callable[[Trial], None] | None) -> Experiment:
    try:
        state, final = _optimize(experiment, on_trial)
    except ExperimentCancelled:
        experiment.refresh_from_db()
        return experiment
    except ValidationError as exc:
        return _fail_quietly(experiment, f"Invalid experiment: {_describe_validation(exc)}")
    except Exception as exc:
        logger.exception("experiment %s failed", experiment.pk)
        return _fail_quietly(experiment, gateway.describe_error(exc))
    program = experiment.program_version.program
    try:
        with transaction.atomic():
            version = program_version_create(
                program=program,
                state=state,
                source=ProgramVersion.Source.EXPERIMENT,
                parent=experiment.program_version,
                created_by=experiment.owner,
                note=f"Experiment {experiment.pk}: {experiment.optimizer}, {experiment.metric} {final:.1f}",
                make_current=experiment.promote,
            )
            Experiment.objects.filter(pk=experiment.pk).update(trials_total=F("trials_done"))
            experiment_finish(experiment=experiment, result_version=version)
    except InvalidTransition:  # cancelled after the last trial: no version is kept
        experiment.refresh_from_db()
        return experiment
    except Exception as exc:  # the result could not be kept: say so, never stay running
        logger.exception("experiment %s: its result could not be recorded", experiment.pk)
        return _fail_quietly(experiment, f"The result could not be recorded: {gateway.describe_error(exc)}")
    experiment.refresh_from_db()
    return experiment


def experiment_recover(experiment: Experiment, message: str) -> str:
    """The reaper's verdict on a running experiment whose worker stopped beating: queue it again
    (it resumes where it stopped) while it has attempts left and a broker can take it, else fail
    it with ``message``."""
    return requeue_or_fail(
        experiment,
        enqueue=lambda pk: enqueue_action(get_action("program.optimize"), pk),
        fail=lambda error: experiment_fail(experiment=experiment, error=error),
        message=message,
    )


def _describe_validation(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _fail_quietly(experiment: Experiment, error: str) -> Experiment:
    try:
        return experiment_fail(experiment=experiment, error=error)
    except InvalidTransition:  # cancelled meanwhile
        experiment.refresh_from_db()
        return experiment
