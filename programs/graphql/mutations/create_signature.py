"""``createSignature``: a signature from a spec string or a field list, validated by the engine."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from core.users import Caller
from programs.graphql.types import SignatureType
from programs.services import signature_create

__all__ = ["CreateSignature", "CreateSignatureInput"]


class CreateSignatureInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Unique among your signatures")
    spec = graphene.String(description='String syntax, e.g. "context: list[str], question -> answer"')
    fields = JSON(
        description='Field list instead of a spec: [{"name", "kind": "input"|"output", "type", ...}]'
    )
    instructions = graphene.String(description="Empty: DSPy's default instructions")


class CreateSignature(BaseMutation):
    signature = graphene.Field(SignatureType, description="The new signature")

    class Arguments:
        input = CreateSignatureInput(required=True)

    class Meta:
        description = "Create a signature. A malformed spec is an error on `spec` with the parser's reason."
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "name"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller, *, input: dict[str, Any]
    ) -> CreateSignature:
        signature = signature_create(
            name=input["name"],
            spec=input.get("spec") or "",
            fields=input.get("fields") or None,
            instructions=input.get("instructions") or "",
            owner=user,
        )
        return cls(signature=signature)
