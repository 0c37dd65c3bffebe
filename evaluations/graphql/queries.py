"""Root query fields of the evaluations app."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay

from dspex_project.graphql.filters import FilterConnectionField
from dspex_project.graphql.types import visible_rows
from evaluations.graphql import filters
from evaluations.graphql.types import EvaluationResultType, EvaluationType

__all__ = ["EvaluationQueries"]


class EvaluationQueries(graphene.ObjectType):
    evaluation = relay.Node.Field(EvaluationType)
    evaluations = FilterConnectionField(EvaluationType, filterset_class=filters.EvaluationFilter)
    evaluation_result = relay.Node.Field(EvaluationResultType)
    evaluation_results = FilterConnectionField(
        EvaluationResultType, filterset_class=filters.EvaluationResultFilter
    )

    @staticmethod
    def resolve_evaluations(root: Any, info: Any, **kwargs: Any) -> QuerySet:
        return visible_rows(EvaluationType, info)

    @staticmethod
    def resolve_evaluation_results(root: Any, info: Any, **kwargs: Any) -> QuerySet:
        return visible_rows(EvaluationResultType, info)
