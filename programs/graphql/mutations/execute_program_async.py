"""``executeProgramAsync``: enqueue a run (Celery) and return its pending execution at once."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.mutations import BaseMutation
from core.graphql.permissions import IsAuthenticated
from core.graphql.scalars import JSON
from programs.graphql.mutations.common import check_inputs, check_throttle, program_to_run
from programs.graphql.types import ExecutionType
from programs.services import program_execute_async

__all__ = ["ExecuteProgramAsync"]


class ExecuteProgramAsync(BaseMutation):
    execution = graphene.Field(ExecutionType, description="The run: query it by ID to follow it")
    status = graphene.String(description="pending, running, succeeded or failed (when the response was made)")

    class Arguments:
        id = graphene.ID(required=True, description="The program to run")
        inputs = JSON(required=True, description='Input field values, e.g. {"question": "..."}')
        version = graphene.ID(description="Run this version of the program instead of its current one")

    class Meta:
        description = (
            "Enqueue a run of a program; a worker runs it and writes the outcome to the execution. "
            "Inputs are checked first, as for executeProgram: nothing is enqueued when they are wrong."
        )
        permissions = (IsAuthenticated,)

    @classmethod
    def perform_mutation(
        cls, info: Any, user: Any, *, id: str, inputs: Any, version: str | None = None
    ) -> ExecuteProgramAsync:
        check_throttle(info.context)
        program, program_version = program_to_run(user, id, version)
        check_inputs(program, inputs)
        execution = program_execute_async(program=program, inputs=inputs, user=user, version=program_version)
        # Without a broker the task runs eagerly once the transaction commits: report the row as it is.
        execution.refresh_from_db()
        return cls(execution=execution, status=execution.status)
