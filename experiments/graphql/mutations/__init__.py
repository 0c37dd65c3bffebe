"""Mutations of the experiments app, one per module."""

from __future__ import annotations

import graphene

from experiments.graphql.mutations.cancel_experiment import CancelExperiment
from experiments.graphql.mutations.optimize_program import OptimizeProgram

__all__ = ["CancelExperiment", "ExperimentMutations", "OptimizeProgram"]


class ExperimentMutations(graphene.ObjectType):
    optimize_program = OptimizeProgram.Field()
    cancel_experiment = CancelExperiment.Field()
