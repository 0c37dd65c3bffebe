"""``createDataset``: an empty dataset (its examples arrive with ``importExamples``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.users import Caller
from datasets.graphql.types import DatasetType
from datasets.services import dataset_create
from programs.graphql.types import SignatureType

__all__ = ["CreateDataset", "CreateDatasetInput"]


class CreateDatasetInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Unique among your datasets")
    description = graphene.String()
    signature = graphene.ID(description="One of your signatures: imported examples are validated against it")


class CreateDataset(BaseMutation):
    dataset = graphene.Field(DatasetType, description="The new dataset (no versions yet)")

    class Arguments:
        input = CreateDatasetInput(required=True)

    class Meta:
        description = "Create a dataset; import examples into it with importExamples."
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "name"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller, *, input: dict[str, Any]
    ) -> CreateDataset:
        signature = None
        if input.get("signature"):
            signature = get_visible_or_error(SignatureType, input["signature"], user=user, field="signature")
        dataset = dataset_create(
            name=input["name"], description=input.get("description") or "", signature=signature, owner=user
        )
        return cls(dataset=dataset)
