"""The actions of programs, declared once (see ``actions``): ``Program.execute`` inline, in the
background and as a stream of server-sent events."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from actions import Action, Background, Failure, Outcome, Shell
from actions.fields import VersionField
from core.graphql.scalars import JSON
from core.users import Caller
from programs import services
from programs.api.serializers import (
    ExecuteAcceptedSerializer,
    ExecuteFailedSerializer,
    ExecuteResultSerializer,
)
from programs.errors import ExecutionFailed
from programs.gateway.signatures import prediction_from_outputs
from programs.graphql.types import UsageType
from programs.models import Execution, Program, ProgramVersion

__all__ = ["EXECUTE_PROGRAM", "ExecuteArguments", "declared"]

NOT_AN_OBJECT = 'the body must be a JSON object of input values, like {"question": "..."}'


class ExecuteArguments(serializers.Serializer):
    """What to run the program on: its input field values, and which version (default: current)."""

    inputs = serializers.JSONField(help_text='Input field values, e.g. {"question": "..."}')
    version = VersionField(
        "programs.ProgramVersion",
        target_key="program",
        required=False,
        help_text="Run this version of the program instead of its current one",
    )

    def validate_inputs(self, inputs: Any) -> dict[str, Any]:
        if not isinstance(inputs, dict):
            raise serializers.ValidationError(NOT_AN_OBJECT, code="invalid")
        try:
            return services.program_inputs_clean(program=self.context["target"], inputs=inputs)
        except ValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from None


def _execute(
    *, target: Program, user: Caller | None, inputs: dict[str, Any], version: ProgramVersion | None = None
) -> Execution:
    return services.program_execute(program=target, inputs=inputs, user=user, version=version)


def _stream(
    *, target: Program, user: Caller | None, inputs: dict[str, Any], version: ProgramVersion | None = None
) -> services.ExecutionEvents:
    return services.program_execute_stream(program=target, inputs=inputs, user=user, version=version)


def _start(
    *, target: Program, user: Caller | None, inputs: dict[str, Any], version: ProgramVersion | None = None
) -> Execution:
    return services.program_execute_async(
        program=target, inputs=inputs, user=user, version=version, enqueue=False
    )


def _run(execution_id: int) -> None:
    services.execution_run(execution_id=execution_id)


def _failed_body(exc: ExecutionFailed) -> dict[str, Any]:
    failed = exc.execution
    return {
        "detail": f"Execution {failed.pk} failed: {failed.error}",
        "code": "execution_failed",
        "execution_id": failed.pk,
        "status": failed.status,
        "error": failed.error,
    }


def _usage(execution: Execution) -> UsageType:
    return UsageType(
        prompt_tokens=execution.prompt_tokens,
        completion_tokens=execution.completion_tokens,
        total_tokens=execution.total_tokens,
    )


def _shell_arguments(program: Program, **inputs: Any) -> dict[str, Any]:
    """``program.execute(question=...)``: the keyword arguments are the inputs."""
    return {"inputs": inputs}


EXECUTE_PROGRAM = Action(
    resource="programs.Program",
    name="execute",
    summary="Execute the program",
    description="""Run the program on the inputs in the body (a JSON object of its input
fields) and record an Execution.

- **200**: the outputs, latency, token usage and cost (USD as a decimal string; null when unknown).
- **202** with `?async=true`: the run is queued; poll `GET /api/executions/{execution_id}/`.
- `?stream=true`: server-sent events: execution, status, chunk (output field text as it arrives),
  then prediction or error.
- **400**: bad inputs (missing, unknown or wrongly typed fields), keyed by field name; no LM call
  was made and nothing was recorded.
- **502**: the LM failed or its reply could not be parsed. The failed Execution is recorded
  (with the trace of every LM call) and its id is in the body.
- **429**: too many executions (the `execute` throttle scope).
""",
    graphql_description="Run the program in this request. Inputs are checked against its signature before "
    "any LM call: each missing, unknown or mistyped field is an error on `inputs.<field>`. A run that fails "
    "(LM error, unparseable reply) is recorded and reported with code EXECUTION_FAILED.",
    rest_example={"question": "What is the capital of France?"},
    service=_execute,
    stream=_stream,
    arguments=ExecuteArguments,
    rest_body="inputs",
    result=Outcome(
        serializer=ExecuteResultSerializer,
        model="programs.Execution",
        graphql_field="execution",
        graphql_fields={
            "outputs": (
                JSON(description='Output field values, e.g. {"answer": "Paris"}'),
                lambda e: e.outputs,
            ),
            "latency_ms": (graphene.Float(description="Wall time of the run"), lambda e: e.latency_ms),
            "usage": (graphene.Field(UsageType, description="Tokens of all LM calls of the run"), _usage),
            "cost": (
                graphene.Decimal(description="USD; null when a model's price is unknown"),
                lambda e: e.cost,
            ),
        },
    ),
    background=Background(
        start=_start,
        run=_run,
        status_model="programs.Execution",
        serializer=ExecuteAcceptedSerializer,
        location="execution-detail",
        graphql_description="Enqueue a run of the program; a worker runs it and writes the outcome to "
        "the execution. Inputs are checked first, as for executeProgram: nothing is enqueued when they "
        "are wrong.",
        graphql_fields={
            "status": (
                graphene.String(
                    description="pending, running, succeeded or failed (when the response was made)"
                ),
                lambda e: e.status,
            )
        },
    ),
    throttle_scope="execute",
    admin_view="admin:programs_program_try",
    failures=(
        Failure(
            ExecutionFailed,
            code="execution_failed",
            status=502,
            message=lambda exc: exc.execution.error,
            rest_body=_failed_body,
            rest_serializer=ExecuteFailedSerializer,
            result=lambda exc: exc.execution,
        ),
    ),
    shell=Shell(
        arguments=_shell_arguments,
        result=lambda execution: prediction_from_outputs(execution.outputs),
        background_name="execute_async",
        background_result=lambda execution: execution.pk,
    ),
)


def declared() -> list[Action]:
    return [EXECUTE_PROGRAM]
