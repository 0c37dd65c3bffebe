"""The actions of programs, declared once (see ``actions``): ``Program.execute`` inline, in the
background and as a stream of server-sent events; ``validate``; and a version's ``export`` and
``import`` as a file in DSPy's ``save()`` layout."""

from __future__ import annotations

from typing import Any

import graphene
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from actions import Action, Background, Failure, GraphQLShape, Outcome, Shell
from actions.fields import VersionField, as_upload
from actions.policies import Policy
from core.graphql.scalars import JSON
from core.parsers import BoundedFormParser, BoundedMultiPartParser
from core.users import Caller
from programs import aliases, feedback, selectors, services
from programs.api.serializers import (
    ExecuteAcceptedSerializer,
    ExecuteFailedSerializer,
    ExecuteResultSerializer,
    ExecutionFeedbackSerializer,
    ProgramAliasSerializer,
    ProgramValidationSerializer,
    ProgramVersionSerializer,
)
from programs.errors import ExecutionFailed
from programs.gateway.signatures import prediction_from_outputs
from programs.graphql.types import UsageType
from programs.models import Execution, ExecutionFeedback, Program, ProgramAlias, ProgramVersion
from programs.version_files import VersionFile, version_file

__all__ = [
    "CREATE_ALIAS",
    "EXECUTE_PROGRAM",
    "EXPORT_PROGRAM",
    "FEEDBACK",
    "IMPORT_PROGRAM",
    "MOVE_ALIAS",
    "ROLLBACK_ALIAS",
    "VALIDATE_PROGRAM",
    "ExecuteArguments",
    "ProgramExportArguments",
    "ProgramImportArguments",
    "ProgramValidateArguments",
    "declared",
]

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

    alias = serializers.SlugField(
        required=False,
        max_length=64,
        help_text="Run the version this alias points to (default: production when the program has it, "
        "else the current version)",
    )

    def validate_inputs(self, inputs: Any) -> dict[str, Any]:
        if not isinstance(inputs, dict):
            raise serializers.ValidationError(NOT_AN_OBJECT, code="invalid")
        try:
            return services.program_inputs_clean(program=self.context["target"], inputs=inputs)
        except ValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "alias" in attrs:
            if attrs.get("version") is not None:
                raise serializers.ValidationError({"alias": ["give a version or an alias, not both"]})
            try:
                attrs["alias"] = _alias_named(self.context["target"], attrs["alias"])
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"alias": exc.detail}) from None
        return attrs


def _alias_named(program: Program, name: str) -> ProgramAlias:
    """The alias, or the field's error (raised in a ``validate_<field>``, it is keyed by it)."""
    try:
        return aliases.alias_get(program=program, name=name)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


def _execute(
    *,
    target: Program,
    user: Caller | None,
    inputs: dict[str, Any],
    version: ProgramVersion | None = None,
    alias: ProgramAlias | None = None,
) -> Execution:
    return services.program_execute(program=target, inputs=inputs, user=user, version=version, alias=alias)


def _stream(
    *,
    target: Program,
    user: Caller | None,
    inputs: dict[str, Any],
    version: ProgramVersion | None = None,
    alias: ProgramAlias | None = None,
) -> services.ExecutionEvents:
    return services.program_execute_stream(
        program=target, inputs=inputs, user=user, version=version, alias=alias
    )


def _start(
    *,
    target: Program,
    user: Caller | None,
    inputs: dict[str, Any],
    version: ProgramVersion | None = None,
    alias: ProgramAlias | None = None,
) -> Execution:
    return services.program_execute_async(
        program=target, inputs=inputs, user=user, version=version, alias=alias, enqueue=False
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

- Which version: `?version=N`, else `?alias=name`, else the `production` alias when the program
  has one, else the current version. The Execution records the version and the alias.
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


def _version_field(help_text: str) -> VersionField:
    return VersionField("programs.ProgramVersion", target_key="program", required=False, help_text=help_text)


class ProgramValidateArguments(serializers.Serializer):
    """What to check beside the program itself."""

    version = _version_field("Check this version's state (default: the current version)")
    inputs = serializers.DictField(
        required=False,
        help_text='Also check these input values against the signature, e.g. {"question": "..."}',
    )


def _validate(
    *, target: Program, user: Caller | None, version: ProgramVersion | None = None, inputs: Any = None
) -> services.ProgramValidation:
    return services.program_validate(program=target, version=version, inputs=inputs)


VALIDATE_PROGRAM = Action(
    resource="programs.Program",
    name="validate",
    summary="Check that the program can run",
    description="Check the program without running it or calling its LM: its fields, its module "
    "type and config against the engine (the module builds on the signature; its tools, rewards "
    "and LM endpoint exist), the state of a version (default: the current one) loading into its "
    "module, and, when `inputs` are given, those inputs against the signature. The answer says "
    "`valid` and lists the `problems` by field (`module_config`, `version`, `inputs.question`).",
    service=_validate,
    arguments=ProgramValidateArguments,
    result=Outcome(
        serializer=ProgramValidationSerializer,
        graphql_field="program",
        graphql_row=lambda checked: checked.program,
        graphql_fields={
            "valid": (graphene.Boolean(description="No problem was found"), lambda c: c.valid),
            "problems": (
                JSON(description='Field -> messages, e.g. {"inputs.question": ["This field is required."]}'),
                lambda c: c.problems,
            ),
        },
    ),
    shell=Shell(
        arguments=lambda program, version=None, **inputs: {
            **({"version": version} if version is not None else {}),
            **({"inputs": inputs} if inputs else {}),
        },
    ),
)


class ProgramExportArguments(serializers.Serializer):
    version = _version_field("Export this version (default: the current version)")


def _export(*, target: Program, user: Caller | None, version: ProgramVersion | None = None) -> VersionFile:
    chosen = version or target.current_version
    if chosen is None:
        raise serializers.ValidationError({"version": [f"program {target.name!r} has no version yet"]})
    return version_file(chosen)


EXPORT_PROGRAM = Action(
    resource="programs.Program",
    name="export",
    summary="Download a version as a saved program file",
    description="The version's state as DSPy's `program.save(\"program.json\")` writes it "
    '(predictor path -> demos, signature, lm; plus `metadata`): `program.load("program.json")` '
    "reads it into a dspy or dspex module of the same shape. LM entries are always null: the "
    "endpoint and key stay on the server.",
    service=_export,
    arguments=ProgramExportArguments,
    safe=True,
    result=Outcome(
        http_response=lambda exported: exported.response(),
        openapi={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The saved program file (an attachment)"
            ),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Field name -> list of messages"
            ),
            (404, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Missing, or not yours"
            ),
        },
    ),
    shell=Shell(result=lambda exported: exported.text),
)


class ProgramImportArguments(serializers.Serializer):
    file = serializers.FileField(
        help_text="A saved program: the JSON of program.save(...), dspy's or dspex's"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Default: the file name"
    )
    make_current = serializers.BooleanField(default=True, help_text="The new version becomes the current one")


def _import(
    *, target: Program, user: Caller | None, file: Any, note: str = "", make_current: bool = True
) -> ProgramVersion:
    version = services.program_version_import(
        program=target, file=file, note=note, make_current=make_current, created_by=user
    )
    return ProgramVersion.objects.select_related("program").get(pk=version.pk)  # is_current as stored


IMPORT_PROGRAM = Action(
    resource="programs.Program",
    name="import",
    summary="Import a saved program file as a new version",
    description="A JSON file written by `program.save(\"program.json\")` (dspy's or dspex's) or "
    "by `export` becomes the program's next version (source `import`). The state must fit the "
    "program's module (the same predictors); LM entries that choose an endpoint or a key are "
    "refused. Pickle files are never read. Errors are on `file` (GraphQL: `content`).",
    service=_import,
    arguments=ProgramImportArguments,
    result=Outcome(
        serializer=ProgramVersionSerializer,
        status=201,
        model="programs.ProgramVersion",
        location=lambda v: ("program-version-detail", {"program_pk": v.program_id, "number": v.number}),
    ),
    rest_options={"parser_classes": [BoundedMultiPartParser, BoundedFormParser]},
    graphql_name="importProgramVersion",
    graphql_shape=GraphQLShape(
        input="ImportProgramVersionInput",
        names={"file": "content"},
        descriptions={
            "program": "One of your programs",
            "file": "The saved program's JSON text",
            "file_name": "Its file name, recorded in the version's note (default: none)",
        },
    ),
    target_field="program",
    shell=Shell(
        name="import_version",
        arguments=lambda program, file, **options: {"file": as_upload(file), **options},
    ),
)


# -- aliases ---------------------------------------------------------------------------------------
ALIAS_NAME_HELP = "The alias: letters, digits, - and _ (e.g. production, staging)"


class CreateAliasArguments(serializers.Serializer):
    name = serializers.SlugField(max_length=64, help_text=ALIAS_NAME_HELP)
    version = VersionField(
        "programs.ProgramVersion", target_key="program", help_text="The version it points to"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Why (recorded)"
    )


class MoveAliasArguments(serializers.Serializer):
    name = serializers.SlugField(max_length=64, help_text=ALIAS_NAME_HELP)
    version = VersionField(
        "programs.ProgramVersion", target_key="program", help_text="The version it moves to"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Why (recorded)"
    )

    def validate_name(self, name: str) -> ProgramAlias:
        return _alias_named(self.context["target"], name)


class RollbackAliasArguments(serializers.Serializer):
    name = serializers.SlugField(max_length=64, help_text=ALIAS_NAME_HELP)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Why (recorded)"
    )

    def validate_name(self, name: str) -> ProgramAlias:
        return _alias_named(self.context["target"], name)


def _create_alias(
    *, target: Program, user: Caller | None, name: str, version: ProgramVersion, reason: str = ""
) -> ProgramAlias:
    return aliases.alias_create(program=target, name=name, version=version, user=user, reason=reason)


def _move_alias(
    *, target: Program, user: Caller | None, name: ProgramAlias, version: ProgramVersion, reason: str = ""
) -> ProgramAlias:
    return aliases.alias_move(alias=name, version=version, user=user, reason=reason)


def _rollback_alias(
    *, target: Program, user: Caller | None, name: ProgramAlias, reason: str = ""
) -> ProgramAlias:
    return aliases.alias_rollback(alias=name, user=user, reason=reason)


def _alias_outcome(status: int = 200) -> Outcome:
    return Outcome(serializer=ProgramAliasSerializer, status=status, model="programs.ProgramAlias")


CREATE_ALIAS = Action(
    resource="programs.Program",
    name="create_alias",
    summary="Name a version with an alias",
    description="Create the alias `name` (e.g. `production`) pointing to `version`. Executions "
    "that name the alias run that version; an execution that names neither a version nor an "
    "alias runs `production` when the program has it. The creation is the alias's first move.",
    service=_create_alias,
    arguments=CreateAliasArguments,
    result=_alias_outcome(201),
    rest_path="aliases",
    graphql_name="createProgramAlias",
    shell=Shell(
        arguments=lambda program, name, version, reason="": {
            "name": name,
            "version": version,
            "reason": reason,
        }
    ),
)

MOVE_ALIAS = Action(
    resource="programs.Program",
    name="move_alias",
    summary="Move an alias to another version",
    description="Point the alias at `version`; the move (who, when, from, to, why) is recorded "
    "and can be rolled back.",
    service=_move_alias,
    arguments=MoveAliasArguments,
    result=_alias_outcome(),
    rest_path="aliases/{name}",
    rest_options={"methods": ["put"]},
    graphql_name="moveProgramAlias",
    shell=Shell(
        arguments=lambda program, name, version, reason="": {
            "name": name,
            "version": version,
            "reason": reason,
        }
    ),
)

ROLLBACK_ALIAS = Action(
    resource="programs.Program",
    name="rollback_alias",
    summary="Move an alias back",
    description="Undo the alias's latest move that no rollback has undone yet: it points where it "
    "pointed before (rolling back twice after two moves returns it to where it began). Recorded "
    "as a move of kind `rollback`.",
    service=_rollback_alias,
    arguments=RollbackAliasArguments,
    result=_alias_outcome(),
    rest_path="aliases/{name}/rollback",
    graphql_name="rollbackProgramAlias",
    shell=Shell(arguments=lambda program, name, reason="": {"name": name, "reason": reason}),
)


# -- feedback --------------------------------------------------------------------------------------
class ExecutionScope(Policy):
    """Signed-in users, on the executions of programs they can see (staff: all)."""

    name = "owner"

    def scope(self, model: type[Model], user: Caller | None) -> QuerySet[Model]:
        return selectors.execution_list(user=user)


class FeedbackArguments(serializers.Serializer):
    score = serializers.FloatField(
        required=False, allow_null=True, min_value=0.0, max_value=1.0, help_text="0 (bad) to 1 (good)"
    )
    label = serializers.CharField(  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it off the class
        required=False, allow_blank=True, max_length=200, help_text="e.g. wrong-label"
    )
    correction = serializers.JSONField(
        required=False, allow_null=True, help_text='Output field -> the right value, e.g. {"answer": "Paris"}'
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


def _feedback(*, target: Execution, user: Caller | None, **given: Any) -> ExecutionFeedback:
    return feedback.execution_feedback_give(execution=target, user=user, **given)


FEEDBACK = Action(
    resource="programs.Execution",
    name="feedback",
    summary="Give feedback on an execution",
    description="A score (0 to 1), a label, a correction (output field -> the right value) and/or "
    "a comment on this execution, from the signed-in user. Sending it again replaces that user's "
    "feedback (one per user and execution), so a retried request never counts twice.",
    service=_feedback,
    arguments=FeedbackArguments,
    policy=ExecutionScope(),
    result=Outcome(serializer=ExecutionFeedbackSerializer, model="programs.ExecutionFeedback"),
    graphql_name="giveExecutionFeedback",
    shell=Shell(name="give_feedback"),
)


def declared() -> list[Action]:
    return [
        CREATE_ALIAS,
        FEEDBACK,
        EXECUTE_PROGRAM,
        EXPORT_PROGRAM,
        IMPORT_PROGRAM,
        MOVE_ALIAS,
        ROLLBACK_ALIAS,
        VALIDATE_PROGRAM,
    ]
