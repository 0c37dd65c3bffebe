"""Root query fields of the datasets app."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLResolveInfo

from core.graphql.filters import FilterConnectionField
from core.graphql.types import visible_rows
from datasets.graphql import filters
from datasets.graphql.types import DatasetType, DatasetVersionType, ExampleType

__all__ = ["DatasetQueries"]


class DatasetQueries(graphene.ObjectType):
    dataset = relay.Node.Field(DatasetType)
    datasets = FilterConnectionField(DatasetType, filterset_class=filters.DatasetFilter)
    dataset_version = relay.Node.Field(DatasetVersionType)
    dataset_versions = FilterConnectionField(DatasetVersionType, filterset_class=filters.DatasetVersionFilter)
    example = relay.Node.Field(ExampleType)
    examples = FilterConnectionField(ExampleType, filterset_class=filters.ExampleFilter)

    @staticmethod
    def resolve_datasets(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(DatasetType, info)

    @staticmethod
    def resolve_dataset_versions(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(DatasetVersionType, info)

    @staticmethod
    def resolve_examples(root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> QuerySet:
        return visible_rows(ExampleType, info)
