"""``deleteLmCredential``: forget one of your stored API keys."""

from __future__ import annotations

import graphene
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.users import Caller
from programs.graphql.types import LMCredentialType
from programs.services import lm_credential_delete

__all__ = ["DeleteLMCredential"]


class DeleteLMCredential(BaseMutation):
    deleted_id = graphene.ID(description="The ID of the deleted credential")

    class Arguments:
        id = graphene.ID(required=True, description="The credential to delete")

    class Meta:
        name = "DeleteLmCredential"
        description = "Delete a stored API key. Programs naming it fail to run until changed."
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(cls, info: GraphQLResolveInfo, user: Caller, *, id: str) -> DeleteLMCredential:
        credential = get_visible_or_error(LMCredentialType, id, user=user, field="id")
        lm_credential_delete(credential=credential)
        return cls(deleted_id=id)
