"""Mutations of the programs app, one per module."""

from __future__ import annotations

import graphene

from programs.graphql.mutations.create_lm_credential import CreateLMCredential
from programs.graphql.mutations.create_program import CreateProgram
from programs.graphql.mutations.create_signature import CreateSignature
from programs.graphql.mutations.delete_lm_credential import DeleteLMCredential
from programs.graphql.mutations.update_program import UpdateProgram
from programs.graphql.mutations.update_signature import UpdateSignature

__all__ = [
    "CreateLMCredential",
    "CreateProgram",
    "CreateSignature",
    "DeleteLMCredential",
    "ProgramMutations",
    "UpdateProgram",
    "UpdateSignature",
]


class ProgramMutations(graphene.ObjectType):
    create_signature = CreateSignature.Field()
    update_signature = UpdateSignature.Field()
    create_program = CreateProgram.Field()
    update_program = UpdateProgram.Field()
    create_lm_credential = CreateLMCredential.Field()
    delete_lm_credential = DeleteLMCredential.Field()
