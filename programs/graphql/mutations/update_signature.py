"""``updateSignature``: change a signature's name, spec, field list or instructions."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from core.users import Caller
from programs.graphql.types import SignatureType
from programs.services import signature_update

__all__ = ["UpdateSignature", "UpdateSignatureInput"]


class UpdateSignatureInput(graphene.InputObjectType):
    name = graphene.String()
    spec = graphene.String(description="null or empty: no spec (give a field list)")
    fields = JSON(description="null or []: no field list (give a spec)")
    instructions = graphene.String(description="null or empty: DSPy's default instructions")


class UpdateSignature(BaseMutation):
    signature = graphene.Field(SignatureType, description="The signature as changed")

    class Arguments:
        id = graphene.ID(required=True, description="The signature to change")
        input = UpdateSignatureInput(required=True, description="Only the fields given are changed")

    class Meta:
        description = "Change a signature (validated by the engine again). Yours only, unless you are staff."
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "name"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller | None, *, id: str, input: dict[str, Any]
    ) -> UpdateSignature:
        signature = get_visible_or_error(SignatureType, id, user=user, field="id")
        changes = dict(input)
        if "name" in changes and changes["name"] is None:
            raise ValidationError({"name": ValidationError("name cannot be null", code="required")})
        for text in ("spec", "instructions"):
            if text in changes and changes[text] is None:
                changes[text] = ""
        if "fields" in changes and changes["fields"] is None:
            changes["fields"] = []
        return cls(signature=signature_update(signature=signature, **changes))
