"""Writes for experiments: create, move through the status machine, record trials."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from datasets.models import DatasetVersion
from dspex_project.ownership import authenticated_or_none
from dspex_project.runs import RunStatus, run_transition
from experiments.models import Experiment, Trial
from programs.models import ProgramVersion

__all__ = [
    "experiment_cancel",
    "experiment_create",
    "experiment_fail",
    "experiment_finish",
    "experiment_start",
    "trial_record",
]


def experiment_create(
    *,
    program_version: ProgramVersion,
    dataset_version: DatasetVersion,
    optimizer: str,
    optimizer_params: dict[str, Any] | None = None,
    trials_total: int | None = None,
    owner: Any = None,
) -> Experiment:
    """A pending experiment (the runner that starts it comes with the optimizers)."""
    if optimizer_params is not None and not isinstance(optimizer_params, dict):
        raise ValidationError({"optimizer_params": "optimizer_params must be a JSON object"})
    experiment = Experiment(
        program_version=program_version,
        dataset_version=dataset_version,
        optimizer=optimizer,
        optimizer_params=optimizer_params or {},
        trials_total=trials_total,
        owner=authenticated_or_none(owner),
    )
    experiment.full_clean()
    experiment.save()
    return experiment


def experiment_start(*, experiment: Experiment) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.RUNNING)


def experiment_finish(*, experiment: Experiment, result_version: ProgramVersion | None = None) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.SUCCEEDED, result_version=result_version)


def experiment_fail(*, experiment: Experiment, error: str) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.FAILED, error=error)


def experiment_cancel(*, experiment: Experiment) -> Experiment:
    return run_transition(run=experiment, to=RunStatus.CANCELLED)


def trial_record(
    *, experiment: Experiment, candidate: str, score: float | None, details: dict[str, Any] | None = None
) -> Trial:
    """Store a scored candidate and advance the progress fields (only while running)."""
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if locked.status != RunStatus.RUNNING:
            raise ValidationError(
                f"experiment {locked.pk} is {locked.status}: trials are recorded only while it runs",
                code="not_running",
            )
        trial = Trial.objects.create(
            experiment=locked, candidate=candidate, score=score, details=details or {}
        )
        best = locked.best_score
        if score is not None and (best is None or score > best):
            best = score
        Experiment.objects.filter(pk=locked.pk).update(
            trials_done=F("trials_done") + 1,
            best_score=best,
            score_trajectory=[*locked.score_trajectory, best],
        )
    experiment.refresh_from_db(fields=["trials_done", "best_score", "score_trajectory"])
    return trial
