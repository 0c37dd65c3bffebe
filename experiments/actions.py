"""The actions of experiments, declared once (see ``actions``): ``Experiment.cancel``, and
``Program.optimize``, which this app adds to the programs resource (programs never imports
experiments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import serializers

from actions import Action, Background, Outcome, Shell
from actions.fields import VersionField, VisibleRowField
from core.users import Caller
from datasets.models import Dataset, DatasetVersion, Split
from datasets.selectors import dataset_version_list_for_user
from evaluations.gateway.scoring import metric_names
from experiments.api.serializers import ExperimentSerializer
from experiments.models import Experiment, Trial
from experiments.optimizer_types import optimizer_type_choices
from experiments.services import experiment_cancel, experiment_run, program_optimize
from programs.models import Program

__all__ = ["CANCEL_EXPERIMENT", "OPTIMIZE_PROGRAM", "OptimizeArguments", "declared"]


def _cancel(*, target: Experiment, user: Caller | None) -> Experiment:
    return experiment_cancel(experiment=target)


CANCEL_EXPERIMENT = Action(
    resource="experiments.Experiment",
    name="cancel",
    summary="Cancel the experiment",
    description="Stop a pending or running experiment. A running one stops at its next trial and keeps "
    "the trials it recorded; no program version is created. A finished experiment cannot be cancelled "
    "(code `invalid_transition`).",
    service=_cancel,
    result=Outcome(serializer=ExperimentSerializer),
)


class OptimizeArguments(serializers.Serializer):
    """How to optimize a program: on which dataset version, with which optimizer and metric."""

    dataset_version = VisibleRowField(
        "datasets.DatasetVersion",
        visible=lambda user: dataset_version_list_for_user(user=user),
        help_text="The dataset version to learn from",
    )
    optimizer = serializers.CharField(
        default="bootstrap_few_shot",
        help_text="An optimizer type key",
        style={"admin_choices": optimizer_type_choices},
    )
    optimizer_params = serializers.DictField(
        default=dict, help_text="Keyword arguments of the optimizer, e.g. max_bootstrapped_demos"
    )
    metric = serializers.CharField(
        default="exact_match",
        help_text="A metric name",
        style={"admin_choices": lambda: [(name, name) for name in metric_names()]},
    )
    train_split = serializers.CharField(default="train", style={"admin_choices": Split.choices})
    val_split = serializers.CharField(
        default="dev",
        allow_blank=True,
        help_text="Empty: score on the train split",
        style={"admin_choices": [("", "(the train split)"), *Split.choices]},
    )
    promote = serializers.BooleanField(default=False, help_text="Make the result the current version")
    evaluate_baseline = serializers.BooleanField(default=True)
    version = VersionField(
        "programs.ProgramVersion",
        target_key="program",
        required=False,
        help_text="Start from this version instead of the current one",
    )


def _start(*, target: Program, user: Caller | None, **arguments: Any) -> Experiment:
    return program_optimize(program=target, user=user, enqueue=False, **arguments)


def _run(experiment_id: int) -> None:
    experiment_run(experiment_id=experiment_id)


def _shell_arguments(
    program: Program,
    dataset: Dataset | DatasetVersion,
    *,
    params: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """``program.optimize(dataset_or_version, optimizer=..., params={...}, metric=..., promote=...)``."""
    version = getattr(dataset, "latest_version", dataset)
    if version is None:
        raise serializers.ValidationError({"dataset": [f"dataset {dataset} has no version yet"]})
    return {"dataset_version": version.pk, "optimizer_params": params or {}, **options}


def _optimize_here(experiment_id: int, report: Callable[[int, int], None]) -> None:
    def on_trial(trial: Trial) -> None:
        row = Experiment.objects.only("trials_done", "trials_total").get(pk=experiment_id)
        report(row.trials_done, max(row.trials_total or 0, row.trials_done))

    experiment_run(experiment_id=experiment_id, on_trial=on_trial)


OPTIMIZE_PROGRAM = Action(
    resource="programs.Program",
    name="optimize",
    summary="Optimize the program",
    description="Start an optimize run (an Experiment) of the program on a dataset version, on a worker. "
    "Follow the experiment's trials_done/trials_total, best_score and score_trajectory; cancel it with "
    "the experiment's cancel action. When it succeeds, result_version is the compiled program (made "
    "current when promote is true). Bad arguments (unknown optimizer or metric, parameters the "
    "optimizer does not take, a split without examples) are errors on their field; nothing is recorded.",
    arguments=OptimizeArguments,
    background=Background(
        start=_start,
        run=_run,
        status_model="experiments.Experiment",
        progress=lambda row: (row.trials_done, row.trials_total or 0),
        serializer=ExperimentSerializer,
        status=202,
        location="experiment-detail",
        here=_optimize_here,
    ),
    throttle_scope="optimize",
    shell=Shell(arguments=_shell_arguments),
)


def declared() -> list[Action]:
    return [CANCEL_EXPERIMENT, OPTIMIZE_PROGRAM]
