"""``optimizeProgram``: start an optimize run (an Experiment) of a program on a dataset version."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from datasets.graphql.types import DatasetVersionType
from experiments.graphql.types import ExperimentType
from experiments.services import program_optimize
from programs.graphql.mutations.common import program_to_run

__all__ = ["OptimizeProgram"]


class OptimizeProgram(BaseMutation):
    experiment = graphene.Field(ExperimentType, description="The run: query it by ID to follow its progress")

    class Arguments:
        id = graphene.ID(required=True, description="The program to optimize")
        dataset_version = graphene.ID(required=True, description="The dataset version to learn from")
        optimizer = graphene.String(default_value="bootstrap_few_shot", description="An optimizer type key")
        optimizer_params = JSON(description="Keyword arguments of the optimizer")
        metric = graphene.String(default_value="exact_match", description="A metric name")
        train_split = graphene.String(default_value="train")
        val_split = graphene.String(default_value="dev", description="Empty: score on the train split")
        promote = graphene.Boolean(default_value=False, description="Make the result the current version")
        evaluate_baseline = graphene.Boolean(default_value=True)
        version = graphene.ID(description="Start from this version instead of the current one")

    class Meta:
        description = (
            "Start an optimize run on a worker. The experiment's trialsDone/trialsTotal, bestScore "
            "and scoreTrajectory change as it runs; when it succeeds, resultVersion is the compiled "
            "program (made current when promote is true). Bad arguments are errors on their field "
            "and nothing is recorded."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(
        cls,
        info: Any,
        user: Any,
        *,
        id: str,
        dataset_version: str,
        version: str | None = None,
        optimizer_params: Any = None,
        **options: Any,
    ) -> OptimizeProgram:
        program, program_version = program_to_run(user, id, version)
        data_version = get_visible_or_error(
            DatasetVersionType, dataset_version, user=user, field="datasetVersion"
        )
        experiment = program_optimize(
            program=program,
            version=program_version,
            dataset_version=data_version,
            optimizer_params=optimizer_params or {},
            user=user,
            **options,
        )
        experiment.refresh_from_db()  # eager tasks have run already
        return cls(experiment=experiment)
