"""Root query fields of the experiments app."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLResolveInfo

from core.graphql.filters import FilterConnectionField
from core.graphql.types import visible_rows
from experiments.graphql import filters
from experiments.graphql.types import ExperimentType, TrialType

__all__ = ["ExperimentQueries"]


class ExperimentQueries(graphene.ObjectType):
    experiment = relay.Node.Field(ExperimentType)
    experiments = FilterConnectionField(ExperimentType, filterset_class=filters.ExperimentFilter)
    trial = relay.Node.Field(TrialType)
    trials = FilterConnectionField(TrialType, filterset_class=filters.TrialFilter)

    @staticmethod
    def resolve_experiments(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(ExperimentType, info)

    @staticmethod
    def resolve_trials(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(TrialType, info)
