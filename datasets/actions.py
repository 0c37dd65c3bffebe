"""The actions of datasets, declared once (see ``actions``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from actions import Action, Outcome
from datasets.api.serializers import DatasetVersionSerializer
from datasets.models import Dataset, DatasetVersion
from datasets.services import dataset_split

__all__ = ["SPLIT_DATASET", "DatasetSplitArguments", "declared"]


class DatasetSplitArguments(serializers.Serializer):
    """How to draw the splits of the new version."""

    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version number to split again (default: the latest)"
    )
    train = serializers.FloatField(min_value=0, max_value=1, default=0.6, help_text="Fraction in train")
    dev = serializers.FloatField(min_value=0, max_value=1, default=0.2, help_text="Fraction in dev")
    test = serializers.FloatField(min_value=0, max_value=1, default=0.2, help_text="Fraction in test")
    seed = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, default=0, help_text="The same seed draws the same split"
    )

    def validate_version(self, number: int) -> DatasetVersion:
        dataset = self.context["target"]
        version = dataset.versions.filter(number=number).first()
        if version is None:
            raise serializers.ValidationError(f"dataset {dataset.name!r} has no version {number}")
        return version  # type: ignore[no-any-return]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        total = attrs["train"] + attrs["dev"] + attrs["test"]
        if abs(total - 1.0) > 1e-6:
            raise serializers.ValidationError(
                {"train": f"train + dev + test must be 1 (they are {total:g})"}, code="invalid"
            )
        return attrs


def _split(*, target: Dataset, user: Any, **arguments: Any) -> DatasetVersion:
    return dataset_split(dataset=target, created_by=user, **arguments)


SPLIT_DATASET = Action(
    resource="datasets.Dataset",
    name="split",
    summary="Split the examples again as a new version",
    description="A new version with the examples of a version (default: the latest) and their "
    "train/dev/test splits drawn again, seeded: the same seed and fractions give the same split. "
    "The old version is unchanged.",
    service=_split,
    arguments=DatasetSplitArguments,
    result=Outcome(serializer=DatasetVersionSerializer, status=201, model="datasets.DatasetVersion"),
)


def declared() -> list[Action]:
    return [SPLIT_DATASET]
