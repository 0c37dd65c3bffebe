"""``createLmCredential``: store your own API key for an endpoint (write-only)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation
from core.graphql.permissions import IsAuthenticated
from core.users import Caller
from programs.graphql.types import LMCredentialType
from programs.services import lm_credential_create

__all__ = ["CreateLMCredential", "CreateLMCredentialInput"]


class CreateLMCredentialInput(graphene.InputObjectType):
    endpoint = graphene.String(required=True, description="An endpoint that takes users' own keys")
    label = graphene.String(required=True, description="Unique among your credentials")
    api_key = graphene.String(
        required=True, description="The key: stored encrypted, never shown again, only sent to its endpoint"
    )


class CreateLMCredential(BaseMutation):
    credential = graphene.Field(LMCredentialType, description="The stored credential (label, fingerprint)")

    class Arguments:
        input = CreateLMCredentialInput(required=True)

    class Meta:
        name = "CreateLmCredential"
        description = (
            "Store your own API key for an endpoint. It is encrypted, never readable afterwards, and "
            "used by your programs whose lmConfig.credential is its databaseId."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "label"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller, *, input: dict[str, Any]
    ) -> CreateLMCredential:
        credential = lm_credential_create(
            owner=user, endpoint=input["endpoint"], label=input["label"], api_key=input["api_key"]
        )
        return cls(credential=credential)
