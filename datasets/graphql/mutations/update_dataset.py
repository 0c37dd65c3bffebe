"""``updateDataset``: change a dataset's name, description or signature (examples change only by
importing a new version)."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.users import Caller
from datasets.graphql.types import DatasetType
from datasets.services import dataset_update
from programs.graphql.types import SignatureType

__all__ = ["UpdateDataset", "UpdateDatasetInput"]


class UpdateDatasetInput(graphene.InputObjectType):
    name = graphene.String()
    description = graphene.String()
    signature = graphene.ID(description="One of your signatures; null to detach it")


class UpdateDataset(BaseMutation):
    dataset = graphene.Field(DatasetType, description="The dataset as changed")

    class Arguments:
        id = graphene.ID(required=True, description="The dataset to change")
        input = UpdateDatasetInput(required=True, description="Only the fields given are changed")

    class Meta:
        description = "Change a dataset. Yours only, unless you are staff."
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "name"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller | None, *, id: str, input: dict[str, Any]
    ) -> UpdateDataset:
        dataset = get_visible_or_error(DatasetType, id, user=user, field="id")
        changes = dict(input)
        if "name" in changes and changes["name"] is None:
            raise ValidationError({"name": ValidationError("name cannot be null", code="required")})
        if "description" in changes and changes["description"] is None:
            changes["description"] = ""
        if changes.get("signature"):
            changes["signature"] = get_visible_or_error(
                SignatureType, changes["signature"], user=user, field="signature"
            )
        return cls(dataset=dataset_update(dataset=dataset, **changes))
