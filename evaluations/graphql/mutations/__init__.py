"""Hand-written mutations of the evaluations app (declared actions get theirs from ``actions.graphql``)."""

from __future__ import annotations

import graphene

from evaluations.graphql.mutations.start_evaluation import StartEvaluation, StartEvaluationInput

__all__ = ["EvaluationMutations", "StartEvaluation", "StartEvaluationInput"]


class EvaluationMutations(graphene.ObjectType):
    start_evaluation = StartEvaluation.Field()
