"""``createProgram``: a program over one of your signatures, with its version 1."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from core.users import Caller
from programs.graphql.mutations.common import LMConfigInput, lm_config_from_input
from programs.graphql.types import ProgramType, SignatureType
from programs.services import program_create

__all__ = ["CreateProgram", "CreateProgramInput"]


class CreateProgramInput(graphene.InputObjectType):
    name = graphene.String(required=True, description="Unique among your programs")
    signature = graphene.ID(required=True, description="The ID of one of your signatures")
    module_type = graphene.String(description="predict (default), chain_of_thought, ...")
    description = graphene.String()
    module_config = JSON(description="Keyword arguments of the module")
    backend = graphene.String(description="auto (default), native or dspy")
    lm_config = LMConfigInput(description="The LM to call (default: the server's default LM)")


class CreateProgram(BaseMutation):
    program = graphene.Field(ProgramType, description="The new program (its version 1 is current)")

    class Arguments:
        input = CreateProgramInput(required=True)

    class Meta:
        description = "Create a program and its version 1 (a fresh module: no demos)."
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "name"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller, *, input: dict[str, Any]
    ) -> CreateProgram:
        signature = get_visible_or_error(SignatureType, input["signature"], user=user, field="signature")
        program = program_create(
            name=input["name"],
            signature=signature,
            module_type=input.get("module_type") or "predict",
            description=input.get("description") or "",
            module_config=input.get("module_config") or {},
            backend=input.get("backend") or "auto",
            lm_config=lm_config_from_input(input.get("lm_config")),
            owner=user,
        )
        return cls(program=program)
