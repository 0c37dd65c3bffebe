"""Serializers of the evaluations API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.fields import VersionField, VisibleRowField
from core.rest import SafeJSONField
from core.users import User
from datasets.models import Split
from evaluations.models import Evaluation, EvaluationResult
from evaluations.selectors import CHANGES

__all__ = [
    "ComparisonCountsSerializer",
    "ComparisonRowSerializer",
    "ComparisonSerializer",
    "EvaluationInputSerializer",
    "EvaluationResultSerializer",
    "EvaluationSerializer",
]


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    program = serializers.IntegerField(source="program_version.program_id", read_only=True)
    program_version_number = serializers.IntegerField(source="program_version.number", read_only=True)
    dataset = serializers.IntegerField(source="dataset_version.dataset_id", read_only=True)
    dataset_version_number = serializers.IntegerField(source="dataset_version.number", read_only=True)
    progress = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1, when known")
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Evaluation
        fields = [
            "id", "program", "program_version", "program_version_number", "dataset", "dataset_version",
            "dataset_version_number", "split", "metrics", "concurrency", "limit", "status", "examples_done",
            "examples_total", "progress", "score", "metric_scores", "prompt_tokens", "completion_tokens",
            "cost", "error", "owner", "created_at", "updated_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class EvaluationResultSerializer(serializers.ModelSerializer[EvaluationResult]):
    position = serializers.IntegerField(source="example.position", read_only=True)
    inputs = serializers.JSONField(source="example.inputs", read_only=True)
    labels = serializers.JSONField(source="example.labels", read_only=True)

    class Meta:
        model = EvaluationResult
        fields = [
            "id", "example", "position", "inputs", "labels", "prediction", "score", "metric_scores", "error",
            "latency_ms", "prompt_tokens", "completion_tokens", "cost", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "array",
        "items": {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": True}]},
        "example": ["exact_match", {"name": "f1", "field": "answer"}],
    }
)
class MetricsField(SafeJSONField):
    """Metric names, or objects with a ``name`` and options; the first is the main score."""


class EvaluationInputSerializer(serializers.Serializer):
    """What to evaluate. The services check the meaning (metrics, split contents, limits) and
    answer 400 naming the field."""

    program = VisibleRowField("programs.Program", help_text="The program to evaluate (its id)")
    program_version_number = VersionField(
        "programs.ProgramVersion",
        target_key="program",
        of="program",
        required=False,
        help_text="Its version number (default: the current version)",
    )
    dataset = VisibleRowField("datasets.Dataset", help_text="The dataset to evaluate on (its id)")
    dataset_version_number = VersionField(
        "datasets.DatasetVersion",
        target_key="dataset",
        of="dataset",
        required=False,
        help_text="Its version number (default: the latest)",
    )
    split = serializers.ChoiceField(choices=Split.choices, default=Split.DEV)
    metrics = MetricsField(
        required=False,
        help_text='Default ["exact_match"]. Built in: exact_match, passage_match, f1, semantic_f1; more '
        'may be allow-listed by the server (DSPEX_METRICS). Options go in an object: {"name": '
        '"exact_match", "field": "label", "frac": 0.8}; the first metric is the main score.',
    )
    concurrency = serializers.IntegerField(
        required=False,
        help_text="Examples in flight at once (default 8; at most DSPEX_EVALUATION_MAX_CONCURRENCY)",
    )
    limit = serializers.IntegerField(required=False, allow_null=True, help_text="Only the first N examples")

    def validate_metrics(self, value: Any) -> Any:
        if not isinstance(value, list):
            raise serializers.ValidationError('must be a list, e.g. ["exact_match"]')
        return value


class ComparisonRowSerializer(serializers.Serializer):
    example = serializers.IntegerField(source="example_id")
    position = serializers.IntegerField()
    inputs = serializers.JSONField()
    labels = serializers.JSONField()
    change = serializers.ChoiceField(choices=CHANGES)
    score = serializers.FloatField(allow_null=True, help_text="This evaluation's (a failed example scores 0)")
    baseline_score = serializers.FloatField(allow_null=True, help_text="The other evaluation's")
    delta = serializers.FloatField(allow_null=True)
    prediction = serializers.JSONField()
    baseline_prediction = serializers.JSONField()
    error = serializers.CharField()
    baseline_error = serializers.CharField()


class ComparisonCountsSerializer(serializers.Serializer):
    improved = serializers.IntegerField()
    regressed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    missing = serializers.IntegerField(help_text="Examples with a result in only one of the two")


class ComparisonSerializer(serializers.Serializer):
    evaluation = serializers.IntegerField(help_text="This evaluation")
    other = serializers.IntegerField(help_text="The baseline it is compared with")
    score = serializers.FloatField(allow_null=True)
    other_score = serializers.FloatField(allow_null=True)
    counts = ComparisonCountsSerializer()
    count = serializers.IntegerField(help_text="Rows matching ?change=, all pages together")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ComparisonRowSerializer(many=True)
