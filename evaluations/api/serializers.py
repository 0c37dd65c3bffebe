"""Serializers of the evaluations API."""

from __future__ import annotations

from rest_framework import serializers

from evaluations.models import Evaluation, EvaluationResult

__all__ = ["EvaluationResultSerializer", "EvaluationSerializer"]


class EvaluationSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_version.program_id", read_only=True)
    program_version_number = serializers.IntegerField(source="program_version.number", read_only=True)
    dataset = serializers.IntegerField(source="dataset_version.dataset_id", read_only=True)
    dataset_version_number = serializers.IntegerField(source="dataset_version.number", read_only=True)
    progress = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1, when known")
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id", "program", "program_version", "program_version_number", "dataset", "dataset_version",
            "dataset_version_number", "split", "metrics", "status", "examples_done", "examples_total",
            "progress", "score", "metric_scores", "prompt_tokens", "completion_tokens", "cost", "error",
            "owner", "created_at", "updated_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class EvaluationResultSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="example.position", read_only=True)
    inputs = serializers.JSONField(source="example.inputs", read_only=True)
    labels = serializers.JSONField(source="example.labels", read_only=True)

    class Meta:
        model = EvaluationResult
        fields = [
            "id", "example", "position", "inputs", "labels", "prediction", "score", "error", "latency_ms",
            "prompt_tokens", "completion_tokens", "cost", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
