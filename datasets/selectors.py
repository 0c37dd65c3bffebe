"""Reads for datasets, their versions and examples."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from datasets.models import Dataset, DatasetVersion, Example

__all__ = ["dataset_list", "dataset_version_latest", "dataset_version_list", "example_list"]


def dataset_list(*, user: Any) -> QuerySet[Dataset]:
    return Dataset.objects.visible_to(user).select_related("signature", "owner")


def dataset_version_list(*, dataset: Dataset) -> QuerySet[DatasetVersion]:
    return dataset.versions.order_by("-number")


def dataset_version_latest(*, dataset: Dataset) -> DatasetVersion | None:
    return dataset_version_list(dataset=dataset).first()


def example_list(*, version: DatasetVersion, split: str | None = None) -> QuerySet[Example]:
    examples = version.examples.order_by("position")
    if split is not None:
        examples = examples.filter(split=split)
    return examples
