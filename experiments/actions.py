"""The actions of experiments, declared once (see ``actions``)."""

from __future__ import annotations

from typing import Any

from actions import Action, Outcome
from experiments.api.serializers import ExperimentSerializer
from experiments.models import Experiment
from experiments.services import experiment_cancel

__all__ = ["CANCEL_EXPERIMENT", "declared"]


def _cancel(*, target: Experiment, user: Any) -> Experiment:
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


def declared() -> list[Action]:
    return [CANCEL_EXPERIMENT]
