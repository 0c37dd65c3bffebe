"""GraphQL types of the datasets app."""

from __future__ import annotations

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLResolveInfo

from core.graphql.scalars import JSON
from core.graphql.types import CountableConnection, VisibleNode
from core.users import Caller
from datasets import selectors
from datasets.models import Dataset, DatasetVersion, Example

__all__ = ["DatasetType", "DatasetVersionType", "ExampleFileFormat", "ExampleType", "Split"]


class Split(graphene.Enum):
    """The part of a dataset an example belongs to."""

    TRAIN = "train"
    DEV = "dev"
    TEST = "test"


class ExampleFileFormat(graphene.Enum):
    """Formats of example files: one JSON object per line, or CSV with a header row."""

    JSONL = "jsonl"
    CSV = "csv"


class DatasetType(VisibleNode):
    """A named collection of examples; its content lives in immutable, numbered versions."""

    related_paths = {"latest_version": "versions"}

    latest_version = graphene.Field(lambda: DatasetVersionType, description="The highest-numbered version")

    class Meta:
        model = Dataset
        name = "Dataset"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "name",
            "description",
            "signature",
            "owner",
            "created_at",
            "updated_at",
            "versions",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Dataset]:
        return selectors.dataset_list(user=user)

    @staticmethod
    def resolve_latest_version(root: Dataset, info: GraphQLResolveInfo) -> DatasetVersion | None:
        # Versions are ordered newest first; prefetched by the optimizer when listed.
        return next(iter(root.versions.all()[:1]), None)


class DatasetVersionType(VisibleNode):
    """One immutable snapshot of a dataset's examples, with a SHA-256 of its content."""

    example_count = graphene.Int(required=True)

    class Meta:
        model = DatasetVersion
        name = "DatasetVersion"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "dataset",
            "number",
            "content_hash",
            "train_count",
            "dev_count",
            "test_count",
            "source",
            "created_by",
            "created_at",
            "examples",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[DatasetVersion]:
        return selectors.dataset_version_list_for_user(user=user)


class ExampleType(VisibleNode):
    """One example: input values, label values, split and position in its version."""

    inputs = JSON(required=True)
    labels = JSON(required=True)
    split = graphene.String(required=True, description="train, dev or test")

    class Meta:
        model = Example
        name = "Example"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("id", "version", "inputs", "labels", "split", "position")

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Example]:
        return selectors.example_list_for_user(user=user)


class ImportExamplesError(graphene.ObjectType):
    """A problem in the file (with its line) or in the other arguments (with their field)."""

    line = graphene.Int(description="1-based line of the file; null when about the file or another argument")
    field = graphene.String(description="The example field (e.g. `answer`) or the argument concerned")
    message = graphene.String(required=True)
    code = graphene.String(required=True, description="INVALID_LINE for problems in the file, ...")
