"""``executeProgram``: run a program now, in this request, and return its outputs."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.mutations import BaseMutation, MutationError
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from programs.errors import ExecutionFailed
from programs.graphql.mutations.common import check_inputs, check_throttle, program_to_run
from programs.graphql.types import ExecutionType, UsageType
from programs.models import Execution
from programs.services import program_execute

__all__ = ["ExecuteProgram"]


class ExecuteProgram(BaseMutation):
    execution = graphene.Field(
        ExecutionType, description="The recorded run (also when it failed: see its status and error)"
    )
    outputs = JSON(description='Output field values, e.g. {"answer": "Paris"}')
    latency_ms = graphene.Float(description="Wall time of the run")
    usage = graphene.Field(UsageType, description="Tokens of all LM calls of the run")
    cost = graphene.Decimal(description="USD; null when a model's price is unknown")

    class Arguments:
        id = graphene.ID(required=True, description="The program to run")
        inputs = JSON(required=True, description='Input field values, e.g. {"question": "..."}')
        version = graphene.ID(description="Run this version of the program instead of its current one")

    class Meta:
        description = (
            "Run a program in this request. Inputs are checked against its signature before any LM "
            "call: each missing, unknown or mistyped field is an error on `inputs.<field>`. A run that "
            "fails (LM error, unparseable reply) is recorded and reported with code EXECUTION_FAILED."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(
        cls, info: Any, user: Any, *, id: str, inputs: Any, version: str | None = None
    ) -> ExecuteProgram:
        check_throttle(info.context)
        program, program_version = program_to_run(user, id, version)
        check_inputs(program, inputs)
        try:
            execution = program_execute(program=program, inputs=inputs, user=user, version=program_version)
        except ExecutionFailed as exc:
            error = MutationError(field=None, message=exc.execution.error, code="EXECUTION_FAILED")
            return cls.from_execution(exc.execution, errors=[error])
        return cls.from_execution(execution, errors=[])

    @classmethod
    def from_execution(cls, execution: Execution, errors: list[MutationError]) -> ExecuteProgram:
        return cls(
            execution=execution,
            outputs=execution.outputs,
            latency_ms=execution.latency_ms,
            usage=UsageType(
                prompt_tokens=execution.prompt_tokens,
                completion_tokens=execution.completion_tokens,
                total_tokens=execution.total_tokens,
            ),
            cost=execution.cost,
            errors=errors,
        )
