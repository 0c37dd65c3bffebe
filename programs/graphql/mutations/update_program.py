"""``updateProgram``: change a program's settings (its versions are immutable)."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLResolveInfo

from core.graphql.mutations import BaseMutation, get_visible_or_error
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from core.users import Caller
from programs.graphql.mutations.common import LMConfigInput, lm_config_from_input
from programs.graphql.types import ProgramType, SignatureType
from programs.services import program_update

__all__ = ["UpdateProgram", "UpdateProgramInput"]


class UpdateProgramInput(graphene.InputObjectType):
    name = graphene.String()
    description = graphene.String()
    signature = graphene.ID(description="The ID of one of your signatures")
    module_type = graphene.String()
    module_config = JSON()
    backend = graphene.String(description="auto, native or dspy")
    lm_config = LMConfigInput(description="Replaces the whole LM config")


class UpdateProgram(BaseMutation):
    program = graphene.Field(ProgramType, description="The program as changed")

    class Arguments:
        id = graphene.ID(required=True, description="The program to change")
        input = UpdateProgramInput(required=True, description="Only the fields given are changed")

    class Meta:
        description = "Change a program's settings. Yours only, unless you are staff."
        permissions = (IsAuthenticated,)

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        return "name"

    @classmethod
    def perform_mutation(
        cls, info: GraphQLResolveInfo, user: Caller | None, *, id: str, input: dict[str, Any]
    ) -> UpdateProgram:
        program = get_visible_or_error(ProgramType, id, user=user, field="id")
        changes: dict[str, Any] = {}
        for key, value in input.items():
            if key == "signature":
                if value is None:
                    raise ValidationError(
                        {"signature": ValidationError("a program needs a signature", code="required")}
                    )
                value = get_visible_or_error(SignatureType, value, user=user, field="signature")
            elif key == "lm_config":
                value = lm_config_from_input(value)
            elif key == "module_config":
                value = value if value is not None else {}
            elif value is None:
                if key in ("name", "module_type", "backend"):
                    raise ValidationError({key: ValidationError(f"{key} cannot be null", code="required")})
                value = ""
            changes[key] = value
        return cls(program=program_update(program=program, **changes))
