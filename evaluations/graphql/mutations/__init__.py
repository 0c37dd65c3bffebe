"""Mutations of the evaluations app, one per module."""

from __future__ import annotations

import graphene

from evaluations.graphql.mutations.cancel_evaluation import CancelEvaluation
from evaluations.graphql.mutations.start_evaluation import StartEvaluation, StartEvaluationInput

__all__ = ["CancelEvaluation", "EvaluationMutations", "StartEvaluation", "StartEvaluationInput"]


class EvaluationMutations(graphene.ObjectType):
    start_evaluation = StartEvaluation.Field()
    cancel_evaluation = CancelEvaluation.Field()
