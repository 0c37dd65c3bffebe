"""``cancelExperiment``: stop a pending or running optimize run."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from experiments.graphql.types import ExperimentType
from experiments.services import experiment_cancel

__all__ = ["CancelExperiment"]


class CancelExperiment(BaseMutation):
    experiment = graphene.Field(ExperimentType)

    class Arguments:
        id = graphene.ID(required=True, description="The experiment to cancel")

    class Meta:
        description = (
            "Cancel an experiment. A running one stops at its next trial and keeps the trials it "
            "recorded; a finished one cannot be cancelled (error code INVALID_TRANSITION)."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(cls, info: Any, user: Any, *, id: str) -> CancelExperiment:
        experiment = get_visible_or_error(ExperimentType, id, user=user, field="id")
        return cls(experiment=experiment_cancel(experiment=experiment))
