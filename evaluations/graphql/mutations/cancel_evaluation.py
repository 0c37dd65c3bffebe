"""``cancelEvaluation``: stop a pending or running evaluation (it keeps the results it has)."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.mutations import BaseMutation, PayloadErrors, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.runs import InvalidTransition
from evaluations.graphql.types import EvaluationType
from evaluations.services import evaluation_cancel

__all__ = ["CancelEvaluation"]


class CancelEvaluation(BaseMutation):
    evaluation = graphene.Field(EvaluationType, description="The evaluation, cancelled")

    class Arguments:
        id = graphene.ID(required=True, description="The evaluation to cancel")

    class Meta:
        description = (
            "Cancel an evaluation: a pending one never runs, a running one stops between examples and "
            "keeps its results. A finished one is an error with code FINISHED."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(cls, info: Any, user: Any, *, id: str) -> CancelEvaluation:
        evaluation = get_visible_or_error(EvaluationType, id, user=user, field="id")
        try:
            evaluation_cancel(evaluation=evaluation)
        except InvalidTransition as exc:
            message = f"the evaluation is {exc.current}: only a pending or running one can be cancelled"
            raise PayloadErrors([{"field": "id", "message": message, "code": "FINISHED"}]) from None
        evaluation.refresh_from_db()
        return cls(evaluation=evaluation)
