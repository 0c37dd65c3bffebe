"""Mutations of the datasets app, one per module."""

from __future__ import annotations

import graphene

from datasets.graphql.mutations.create_dataset import CreateDataset
from datasets.graphql.mutations.update_dataset import UpdateDataset

__all__ = ["CreateDataset", "DatasetMutations", "UpdateDataset"]


class DatasetMutations(graphene.ObjectType):
    create_dataset = CreateDataset.Field()
    update_dataset = UpdateDataset.Field()
