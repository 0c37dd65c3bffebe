"""Reads for datasets, their versions and examples."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.users import Caller
from datasets.models import Dataset, DatasetVersion, Example

__all__ = [
    "dataset_list",
    "dataset_version_latest",
    "dataset_version_list",
    "dataset_version_list_for_user",
    "example_list",
    "example_list_for_user",
]


def dataset_list(*, user: Caller | None) -> QuerySet[Dataset]:
    """The datasets the user may see, each annotated with ``latest_version_number`` and
    ``version_count`` (no query per row)."""
    versions = DatasetVersion.objects.filter(dataset=OuterRef("pk"))
    return (
        Dataset.objects.visible_to(user)
        .select_related("signature", "owner")
        .annotate(
            latest_version_number=Subquery(versions.order_by("-number").values("number")[:1]),
            version_count=Coalesce(
                Subquery(versions.order_by().values("dataset").annotate(n=Count("pk")).values("n")), 0
            ),
        )
    )


def dataset_version_list(*, dataset: Dataset) -> QuerySet[DatasetVersion]:
    return dataset.versions.select_related("created_by").order_by("-number")


def dataset_version_latest(*, dataset: Dataset) -> DatasetVersion | None:
    return dataset_version_list(dataset=dataset).first()


def example_list(*, version: DatasetVersion, split: str | None = None) -> QuerySet[Example]:
    examples = version.examples.order_by("position")
    if split is not None:
        examples = examples.filter(split=split)
    return examples


def dataset_version_list_for_user(*, user: Caller | None) -> QuerySet[DatasetVersion]:
    """Versions of the datasets the user may see."""
    return DatasetVersion.objects.filter(dataset__in=Dataset.objects.visible_to(user)).select_related(
        "dataset"
    )


def example_list_for_user(*, user: Caller | None) -> QuerySet[Example]:
    """Examples of the datasets the user may see, by version and position."""
    return Example.objects.filter(version__dataset__in=Dataset.objects.visible_to(user)).select_related(
        "version"
    )
