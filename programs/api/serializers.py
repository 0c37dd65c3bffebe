"""Serializers of the programs API: ``*InputSerializer`` validate the shape of a request (the
services validate the meaning); the others render rows and never show a credential."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from programs.api.fields import SecretFreeJSONField, VisiblePrimaryKeyField
from programs.gateway.signatures import signature_from_row
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
from programs.module_types import module_type_choices

__all__ = [
    "ExecuteAcceptedSerializer",
    "ExecuteFailedSerializer",
    "ExecuteResultSerializer",
    "ExecutionDetailSerializer",
    "ExecutionSerializer",
    "LMCallTraceSerializer",
    "LMCredentialInputSerializer",
    "LMCredentialSerializer",
    "ProgramInputSerializer",
    "ProgramSerializer",
    "ProgramValidationSerializer",
    "ProgramVersionInputSerializer",
    "ProgramVersionSerializer",
    "SignatureInputSerializer",
    "SignatureSerializer",
]


class UsernameField(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any):
        super().__init__(slug_field="username", read_only=True, **kwargs)


# -- signatures ------------------------------------------------------------------------------------
class SignatureSerializer(serializers.ModelSerializer):
    owner = UsernameField()
    input_schema = serializers.SerializerMethodField(help_text="JSON schema of the inputs")
    output_schema = serializers.SerializerMethodField(help_text="JSON schema of the outputs")

    class Meta:
        model = Signature
        fields = [
            "id", "name", "spec", "fields", "instructions", "input_schema", "output_schema", "owner",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def _engine(self, row: Signature) -> Any:
        try:
            return signature_from_row(row)
        except ValidationError:
            return None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_input_schema(self, row: Signature) -> dict[str, Any] | None:
        signature = self._engine(row)
        return None if signature is None else signature.input_schema()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_output_schema(self, row: Signature) -> dict[str, Any] | None:
        signature = self._engine(row)
        return None if signature is None else signature.output_schema()


class SignatureInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    spec = serializers.CharField(
        allow_blank=True, default="", help_text='String syntax, e.g. "context: list[str], question -> answer"'
    )
    fields = serializers.ListField(  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it off the class
        child=serializers.DictField(),
        default=list,
        help_text='Field list, when no spec is given: [{"name", "kind": "input"|"output", "type", '
        '"desc", "prefix", "constraints"}]',
    )
    instructions = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)


# -- programs --------------------------------------------------------------------------------------
class ProgramAliasBriefSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True, help_text="Its number")

    class Meta:
        model = ProgramAlias
        fields = ["name", "version"]
        read_only_fields = fields


class AliasMoveSerializer(serializers.ModelSerializer):
    from_version = serializers.IntegerField(
        source="from_version.number", read_only=True, allow_null=True, help_text="null: the alias was created"
    )
    to_version = serializers.IntegerField(source="to_version.number", read_only=True)
    moved_by = UsernameField()

    class Meta:
        model = AliasMove
        fields = ["kind", "from_version", "to_version", "reason", "moved_by", "moved_at"]
        read_only_fields = fields


class ProgramAliasSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True, help_text="Its number")
    moves = AliasMoveSerializer(many=True, read_only=True, help_text="Newest first")

    class Meta:
        model = ProgramAlias
        fields = ["program", "name", "version", "moves", "created_at", "updated_at"]
        read_only_fields = fields


class ProgramSerializer(serializers.ModelSerializer):
    signature_name = serializers.CharField(source="signature.name", read_only=True)
    module_config = SecretFreeJSONField()
    lm_config = SecretFreeJSONField(help_text='{"endpoint", "model", "credential", "params"}')
    current_version = serializers.IntegerField(
        source="current_version.number", read_only=True, allow_null=True, help_text="Its number"
    )
    aliases = ProgramAliasBriefSerializer(
        many=True, read_only=True, help_text="Name -> version; execute runs production by default"
    )
    owner = UsernameField()

    class Meta:
        model = Program
        fields = [
            "id", "name", "description", "signature", "signature_name", "module_type", "module_config",
            "backend", "lm_config", "current_version", "aliases", "owner", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProgramInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    signature = VisiblePrimaryKeyField(Signature)
    module_type = serializers.ChoiceField(choices=[], default="predict")
    module_config = serializers.DictField(default=dict, help_text="Keyword arguments of the module")
    backend = serializers.ChoiceField(choices=Program.Backend.choices, default=Program.Backend.AUTO)
    lm_config = serializers.DictField(
        default=dict,
        help_text='{"endpoint", "model", "credential", "params"}: an endpoint of this server (see '
        "GET /api/engine/capabilities/), a model it allows, the id of one of your credentials "
        "(POST /api/credentials/; default: the endpoint's shared key) and generation parameters. "
        "Never a URL, an environment variable name or a key",
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["module_type"]
        assert isinstance(field, serializers.ChoiceField)
        field.choices = module_type_choices()  # registered at run time


class ProgramVersionSerializer(serializers.ModelSerializer):
    parent = serializers.IntegerField(  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it off the class
        source="parent.number", read_only=True, allow_null=True, help_text="Number of the parent"
    )
    created_by = UsernameField()
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = ProgramVersion
        fields = [
            "id", "program", "number", "state", "parent", "source", "note", "is_current", "created_by",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_is_current(self, row: ProgramVersion) -> bool:
        program = self.context.get("program")
        current = program.current_version_id if program is not None else row.program.current_version_id
        return row.pk == current


class ProgramValidationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="No problem was found")
    problems = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Field -> messages, e.g. {"inputs.question": ["This field is required."]}',
    )


class ProgramVersionInputSerializer(serializers.Serializer):
    state = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="The module state in DSPy's layout (demos, signature instructions); empty: a fresh module",
    )
    note = serializers.CharField(max_length=500, allow_blank=True, default="")
    parent = serializers.IntegerField(  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it off the class
        min_value=1, required=False, help_text="Number of the parent version (default: the current one)"
    )
    make_current = serializers.BooleanField(default=True)


# -- LM credentials --------------------------------------------------------------------------------
class LMCredentialSerializer(serializers.ModelSerializer):
    """A stored key as it is shown: label and fingerprint, never the key."""

    owner = UsernameField()

    class Meta:
        model = LMCredential
        fields = ["id", "endpoint", "label", "fingerprint", "owner", "created_at"]
        read_only_fields = fields


class LMCredentialInputSerializer(serializers.Serializer):
    endpoint = serializers.CharField(max_length=64, help_text="An endpoint that takes users' own keys")
    label = serializers.CharField(max_length=100, help_text="Unique among your credentials")  # type: ignore[assignment]  # a declared field: DRF's metaclass moves it off the class
    api_key = serializers.CharField(
        write_only=True,
        trim_whitespace=True,
        max_length=4096,
        style={"input_type": "password"},
        help_text="The key; stored encrypted, never shown again, only sent to this endpoint",
    )


# -- executions ------------------------------------------------------------------------------------
class ExecutionFeedbackSerializer(serializers.ModelSerializer):
    user = UsernameField()

    class Meta:
        model = ExecutionFeedback
        fields = ["execution", "user", "score", "label", "correction", "comment", "created_at", "updated_at"]
        read_only_fields = fields


class ExecutionSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_version.program_id", read_only=True)
    version = serializers.IntegerField(source="program_version.number", read_only=True)
    total_tokens = serializers.IntegerField(read_only=True)
    created_by = UsernameField()

    class Meta:
        model = Execution
        fields = [
            "id", "program", "program_version", "version", "alias", "status", "inputs", "outputs", "steps",
            "attempts",
            "error",
            "latency_ms", "backend", "prompt_tokens", "completion_tokens", "total_tokens", "cost",
            "created_by", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class LMCallTraceSerializer(serializers.ModelSerializer):
    params = SecretFreeJSONField()

    class Meta:
        model = LMCallTrace
        fields = [
            "position", "model", "messages", "params", "outputs", "usage", "finish_reasons",
            "latency_ms", "cache_hit", "cost", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ExecutionDetailSerializer(ExecutionSerializer):
    lm_calls = LMCallTraceSerializer(many=True, read_only=True)
    feedback = ExecutionFeedbackSerializer(many=True, read_only=True, help_text="One per user, newest first")

    class Meta(ExecutionSerializer.Meta):
        fields = [*ExecutionSerializer.Meta.fields, "lm_calls", "feedback"]
        read_only_fields = fields


# -- execute ---------------------------------------------------------------------------------------
class UsageSerializer(serializers.Serializer):
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    total_tokens = serializers.IntegerField()


class ExecuteResultSerializer(serializers.Serializer):
    """A finished Execution as the answer of ``execute``."""

    execution_id = serializers.IntegerField(source="pk")
    outputs = serializers.DictField(help_text="The output fields of the signature")
    latency_ms = serializers.FloatField()
    usage = UsageSerializer(source="*")
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=8, allow_null=True, help_text="USD; null when unknown"
    )


class ExecuteAcceptedSerializer(serializers.Serializer):
    """A queued Execution: poll ``GET /api/executions/{execution_id}/``."""

    execution_id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=Execution.Status.choices)


class ExecuteFailedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    execution_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Execution.Status.choices)
    error = serializers.CharField(help_text="Why the run failed (LM error, unparseable response, ...)")
