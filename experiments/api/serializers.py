"""Serializers of the experiments API."""

from __future__ import annotations

from rest_framework import serializers

from experiments.models import Experiment, Trial
from programs.api.fields import SecretFreeJSONField

__all__ = ["ExperimentSerializer", "TrialSerializer"]


class ExperimentSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_version.program_id", read_only=True)
    program_version_number = serializers.IntegerField(source="program_version.number", read_only=True)
    dataset = serializers.IntegerField(source="dataset_version.dataset_id", read_only=True)
    dataset_version_number = serializers.IntegerField(source="dataset_version.number", read_only=True)
    result_version_number = serializers.IntegerField(
        source="result_version.number", read_only=True, allow_null=True
    )
    optimizer_params = SecretFreeJSONField()
    progress = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1, when known")
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Experiment
        fields = [
            "id", "program", "program_version", "program_version_number", "dataset", "dataset_version",
            "dataset_version_number", "optimizer", "optimizer_params", "status", "trials_done",
            "trials_total", "progress", "best_score", "score_trajectory", "result_version",
            "result_version_number", "error", "owner", "created_at", "updated_at", "started_at",
            "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class TrialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Trial
        fields = ["id", "candidate", "score", "details", "created_at"]
        read_only_fields = fields
