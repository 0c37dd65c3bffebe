"""Serializers of the experiments API."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.users import User
from datasets.models import DatasetVersion
from datasets.selectors import dataset_version_list_for_user
from experiments.models import Experiment, Trial
from programs.api.fields import SecretFreeJSONField

__all__ = ["ExperimentSerializer", "OptimizeInputSerializer", "TrialSerializer"]


class ExperimentSerializer(serializers.ModelSerializer[Experiment]):
    program = serializers.IntegerField(source="program_version.program_id", read_only=True)
    program_version_number = serializers.IntegerField(source="program_version.number", read_only=True)
    dataset = serializers.IntegerField(source="dataset_version.dataset_id", read_only=True)
    dataset_version_number = serializers.IntegerField(source="dataset_version.number", read_only=True)
    result_version_number = serializers.IntegerField(
        source="result_version.number", read_only=True, allow_null=True
    )
    optimizer_params = SecretFreeJSONField()
    progress = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1, when known")
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Experiment
        fields = [
            "id", "program", "program_version", "program_version_number", "dataset", "dataset_version",
            "dataset_version_number", "optimizer", "optimizer_params", "status", "trials_done",
            "metric", "train_split", "val_split", "promote", "evaluate_baseline", "trials_total",
            "progress", "baseline_score", "best_score", "score_trajectory", "result_version",
            "result_version_number", "attempts", "error", "owner", "created_at", "updated_at",
            "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class TrialSerializer(serializers.ModelSerializer[Trial]):
    class Meta:
        model = Trial
        fields = ["id", "candidate", "kind", "score", "details", "created_at"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class _VisibleDatasetVersionField(serializers.PrimaryKeyRelatedField[DatasetVersion]):
    def get_queryset(self) -> QuerySet[DatasetVersion]:
        request = self.context.get("request")
        if request is None:
            return DatasetVersion.objects.none()
        return dataset_version_list_for_user(user=request.user)


class OptimizeInputSerializer(serializers.Serializer):
    """The body of ``POST /api/programs/{id}/optimize/``."""

    dataset_version = _VisibleDatasetVersionField(help_text="Id of the dataset version to learn from")
    optimizer = serializers.CharField(default="bootstrap_few_shot", help_text="An optimizer type key")
    optimizer_params = serializers.DictField(
        default=dict, help_text="Keyword arguments of the optimizer, e.g. max_bootstrapped_demos"
    )
    metric = serializers.CharField(default="exact_match", help_text="A metric name")
    train_split = serializers.CharField(default="train")
    val_split = serializers.CharField(default="dev", allow_blank=True)
    promote = serializers.BooleanField(default=False, help_text="Make the result the current version")
    evaluate_baseline = serializers.BooleanField(default=True)
    version = serializers.IntegerField(min_value=1, required=False, help_text="Start from this version")
