"""Root query fields of the evaluations app."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLError, GraphQLResolveInfo

from core.graphql.filters import FilterConnectionField, decode_node_id
from core.graphql.permissions import require_user
from core.graphql.types import visible_rows
from core.users import Caller
from evaluations import selectors
from evaluations.graphql import filters
from evaluations.graphql.types import EvaluationComparisonType, EvaluationResultType, EvaluationType
from evaluations.models import Evaluation
from evaluations.selectors import Comparison

__all__ = ["EvaluationQueries"]


def _visible_evaluation(user: Caller | None, global_id: str, argument: str) -> Evaluation:
    pk = decode_node_id(global_id, "Evaluation")
    row = None if pk is None else selectors.evaluation_list(user=user).filter(pk=pk).first()
    if row is None:
        raise GraphQLError(
            f"{argument}: Evaluation {global_id!r} was not found",
            extensions={"code": "NOT_FOUND", "field": argument},
        )
    return row


class EvaluationQueries(graphene.ObjectType):
    evaluation = relay.Node.Field(EvaluationType)
    evaluations = FilterConnectionField(EvaluationType, filterset_class=filters.EvaluationFilter)
    evaluation_result = relay.Node.Field(EvaluationResultType)
    evaluation_results = FilterConnectionField(
        EvaluationResultType, filterset_class=filters.EvaluationResultFilter
    )
    compare_evaluations = graphene.Field(
        EvaluationComparisonType,
        a=graphene.ID(required=True, description="The baseline evaluation"),
        b=graphene.ID(required=True, description="The evaluation compared with it"),
        description="Evaluation b against the baseline a, example by example (improved, regressed, "
        "unchanged, missing). Both must be of the same dataset version and split.",
    )

    @staticmethod
    def resolve_evaluations(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(EvaluationType, info)

    @staticmethod
    def resolve_evaluation_results(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(EvaluationResultType, info)

    @staticmethod
    def resolve_compare_evaluations(root: Any, info: GraphQLResolveInfo, a: str, b: str) -> Comparison:
        user = require_user(info)
        baseline = _visible_evaluation(user, a, "a")
        evaluation = _visible_evaluation(user, b, "b")
        try:
            return selectors.evaluation_compare(evaluation=evaluation, baseline=baseline)
        except ValidationError as exc:
            code = (exc.code or "invalid").upper()
            raise GraphQLError(exc.messages[0], extensions={"code": code}) from None
