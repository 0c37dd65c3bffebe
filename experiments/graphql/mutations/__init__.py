"""Hand-written mutations of the experiments app (declared actions get theirs from ``actions.graphql``)."""

from __future__ import annotations

import graphene

from experiments.graphql.mutations.optimize_program import OptimizeProgram

__all__ = ["ExperimentMutations", "OptimizeProgram"]


class ExperimentMutations(graphene.ObjectType):
    optimize_program = OptimizeProgram.Field()
