"""Mutations of the datasets app, one per module."""

from __future__ import annotations

import graphene

from datasets.graphql.mutations.create_dataset import CreateDataset
from datasets.graphql.mutations.import_examples import ImportExamples

__all__ = ["CreateDataset", "DatasetMutations", "ImportExamples"]


class DatasetMutations(graphene.ObjectType):
    create_dataset = CreateDataset.Field()
    import_examples = ImportExamples.Field()
