"""GraphQL types of the programs app. Nothing here shows a credential: LM configs name an endpoint
and the id of a stored credential, stored credentials show a label and a fingerprint only, and JSON
that could carry a key is redacted."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphql import GraphQLResolveInfo

from core.graphql.scalars import JSON, redact_credentials
from core.graphql.types import CountableConnection, VisibleNode
from core.users import Caller
from programs import selectors
from programs.models import (
    AliasMove,
    Execution,
    ExecutionFeedback,
    LMCallTrace,
    LMCredential,
    Program,
    ProgramAlias,
    ProgramVersion,
    Signature,
)

__all__ = [
    "AliasMoveType",
    "ExecutionFeedbackType",
    "ExecutionType",
    "LMCallTraceType",
    "LMConfigType",
    "LMCredentialType",
    "ProgramAliasType",
    "ProgramType",
    "ProgramVersionType",
    "SignatureType",
    "UsageType",
]


class SignatureType(VisibleNode):
    """A typed input/output contract: a spec string (``"question -> answer"``) or a field list."""

    fields = JSON(
        required=True,
        description='Field list, when no spec is given: [{"name", "kind": "input"|"output", "type", '
        '"desc", "prefix", "constraints"}]',
    )

    class Meta:
        model = Signature
        name = "Signature"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = ("id", "name", "spec", "fields", "instructions", "owner", "created_at", "updated_at")

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Signature]:
        return selectors.signature_list(user=user)


class LMConfigType(graphene.ObjectType):
    """The LM a program calls: an endpoint of this server, a model, and optionally one of the
    owner's stored credentials (else the endpoint's shared key). Never a URL or a key."""

    class Meta:
        name = "LMConfig"

    endpoint = graphene.String(description="An endpoint of this server (empty: the model's provider)")
    model = graphene.String(description="e.g. gpt-4o-mini or openai/gpt-4o-mini (empty: the default)")
    credential = graphene.Int(description="The id of one of the owner's LM credentials")
    params = JSON(required=True, description="Generation and client parameters (temperature, ...)")
    # Kept so that older queries still run; programs never name URLs or variables any more.
    base_url = graphene.String(deprecation_reason="Programs name an endpoint; always null")
    api_key_env = graphene.String(deprecation_reason="Programs use credentials; always null")

    @staticmethod
    def resolve_base_url(root: dict[str, Any], info: GraphQLResolveInfo) -> None:
        return None

    @staticmethod
    def resolve_api_key_env(root: dict[str, Any], info: GraphQLResolveInfo) -> None:
        return None

    @staticmethod
    def resolve_params(root: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        return redact_credentials(root.get("params") or {})


class LMCredentialType(VisibleNode):
    """A stored API key, as it is shown: its endpoint, label and fingerprint. The key itself is
    write-only (``createLmCredential``) and never readable."""

    class Meta:
        model = LMCredential
        name = "LMCredential"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        fields = ("id", "endpoint", "label", "fingerprint", "owner", "created_at")

    database_id = graphene.Int(required=True, description="The id to give as lmConfig.credential")

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[LMCredential]:
        return selectors.lm_credential_list(user=user)

    @staticmethod
    def resolve_database_id(root: LMCredential, info: GraphQLResolveInfo) -> int:
        return root.pk


class ProgramType(VisibleNode):
    """A module (``predict``, ``chain_of_thought``, ...) over a signature, with its LM config."""

    module_type = graphene.String(required=True, description="predict, chain_of_thought, ...")
    module_config = JSON(required=True, description="Keyword arguments of the module")
    backend = graphene.String(required=True, description="auto, native or dspy")
    lm_config = graphene.Field(LMConfigType, required=True)

    class Meta:
        model = Program
        name = "Program"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "name",
            "description",
            "signature",
            "module_type",
            "module_config",
            "backend",
            "lm_config",
            "current_version",
            "versions",
            "aliases",
            "owner",
            "created_at",
            "updated_at",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Program]:
        return selectors.program_list(user=user)

    @staticmethod
    def resolve_module_config(root: Program, info: GraphQLResolveInfo) -> Any:
        return redact_credentials(root.module_config or {})

    @staticmethod
    def resolve_lm_config(root: Program, info: GraphQLResolveInfo) -> dict[str, Any]:
        return dict(root.lm_config or {})


class AliasMoveType(VisibleNode):
    """One move of an alias: who, when, from which version to which, and why."""

    kind = graphene.String(required=True, description="create, move or rollback")

    class Meta:
        model = AliasMove
        name = "AliasMove"
        interfaces = (relay.Node,)
        convert_choices_to_enum = False
        fields = ("id", "kind", "from_version", "to_version", "reason", "moved_by", "moved_at")

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[AliasMove]:
        return AliasMove.objects.filter(alias__program__in=Program.objects.visible_to(user))


class ProgramAliasType(VisibleNode):
    """A named pointer of a program to one of its versions (``production``, ``staging``, ...)."""

    version = graphene.Int(required=True, description="The number of the version it points to")
    moves = graphene.List(graphene.NonNull(AliasMoveType), required=True, description="Newest first")

    class Meta:
        model = ProgramAlias
        name = "ProgramAlias"
        interfaces = (relay.Node,)
        fields = ("id", "program", "name", "version", "created_at", "updated_at")

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[ProgramAlias]:
        return ProgramAlias.objects.filter(program__in=Program.objects.visible_to(user))

    @staticmethod
    def resolve_version(root: ProgramAlias, info: GraphQLResolveInfo) -> int:
        return root.version.number

    @staticmethod
    def resolve_moves(root: ProgramAlias, info: GraphQLResolveInfo) -> Any:
        return root.moves.select_related("from_version", "to_version", "moved_by")


def _redact_state(state: Any) -> Any:
    """A version's state with the LM entries of its predictors redacted."""
    if not isinstance(state, dict):
        return state
    return {
        key: {**value, "lm": redact_credentials(value["lm"])}
        if isinstance(value, dict) and isinstance(value.get("lm"), dict)
        else value
        for key, value in state.items()
    }


class ProgramVersionType(VisibleNode):
    """One immutable, numbered state of a program (DSPy's ``dump_state()`` layout)."""

    state = JSON(required=True, description="Predictor path -> demos, signature, lm (DSPy layout)")
    source = graphene.String(required=True, description="manual, experiment or import")

    class Meta:
        model = ProgramVersion
        name = "ProgramVersion"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "program",
            "number",
            "state",
            "parent",
            "source",
            "note",
            "created_by",
            "created_at",
            "executions",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[ProgramVersion]:
        return selectors.program_version_list_for_user(user=user)

    @staticmethod
    def resolve_state(root: ProgramVersion, info: GraphQLResolveInfo) -> Any:
        return _redact_state(root.state)


class UsageType(graphene.ObjectType):
    """Tokens used by a run."""

    class Meta:
        name = "Usage"

    prompt_tokens = graphene.Int(required=True)
    completion_tokens = graphene.Int(required=True)
    total_tokens = graphene.Int(required=True)


class ExecutionFeedbackType(VisibleNode):
    """One user's feedback on one execution (score 0 to 1, label, correction, comment)."""

    correction = JSON(description="Output field -> the right value")

    class Meta:
        model = ExecutionFeedback
        name = "ExecutionFeedback"
        interfaces = (relay.Node,)
        fields = (
            "id",
            "execution",
            "user",
            "score",
            "label",
            "correction",
            "comment",
            "created_at",
            "updated_at",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[ExecutionFeedback]:
        return ExecutionFeedback.objects.filter(execution__in=selectors.execution_list(user=user))


class ExecutionType(VisibleNode):
    """One run of a program version: inputs, outputs, status, cost and the trace of its LM calls."""

    related_paths = {"program": "program_version__program"}

    inputs = JSON(required=True)
    outputs = JSON(description="Output field values (null until the run succeeds)")
    steps = JSON(required=True, description="Pipelines: one record per step run; empty for other modules")
    status = graphene.String(required=True, description="pending, running, succeeded or failed")
    program = graphene.Field(ProgramType, required=True, description="The program of the version run")
    total_tokens = graphene.Int(required=True)
    usage = graphene.Field(UsageType, required=True)

    class Meta:
        model = Execution
        name = "Execution"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "program_version",
            "alias",
            "inputs",
            "outputs",
            "steps",
            "status",
            "error",
            "latency_ms",
            "backend",
            "prompt_tokens",
            "completion_tokens",
            "cost",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "lm_calls",
            "feedback",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Execution]:
        return selectors.execution_list(user=user)

    @staticmethod
    def resolve_program(root: Execution, info: GraphQLResolveInfo) -> Program:
        return root.program_version.program

    @staticmethod
    def resolve_usage(root: Execution, info: GraphQLResolveInfo) -> UsageType:
        return UsageType(
            prompt_tokens=root.prompt_tokens,
            completion_tokens=root.completion_tokens,
            total_tokens=root.total_tokens,
        )


class LMCallTraceType(VisibleNode):
    """One LM request made during an execution."""

    messages = JSON(required=True, description="The chat messages sent")
    params = JSON(required=True, description="Generation parameters of the request")
    outputs = JSON(required=True, description="Completion texts")
    response = graphene.String(required=True, description="The first completion text")
    usage = JSON(required=True, description="prompt_tokens, completion_tokens, ...")
    finish_reasons = JSON(required=True)

    class Meta:
        model = LMCallTrace
        name = "LMCallTrace"
        interfaces = (relay.Node,)
        connection_class = CountableConnection
        convert_choices_to_enum = False
        fields = (
            "id",
            "execution",
            "position",
            "model",
            "messages",
            "params",
            "outputs",
            "usage",
            "finish_reasons",
            "latency_ms",
            "cache_hit",
            "cost",
            "created_at",
        )

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[LMCallTrace]:
        return selectors.lm_call_trace_list_for_user(user=user)

    @staticmethod
    def resolve_params(root: LMCallTrace, info: GraphQLResolveInfo) -> Any:
        return redact_credentials(root.params or {})
