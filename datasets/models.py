"""Dataset, DatasetVersion (immutable, numbered, content-hashed) and Example."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.immutable import ImmutableModel
from core.ownership import OwnedQuerySet

__all__ = ["Dataset", "DatasetVersion", "Example", "Split"]


class Split(models.TextChoices):
    TRAIN = "train", "Train"
    DEV = "dev", "Dev"
    TEST = "test", "Test"


class Dataset(models.Model):
    """A named collection of examples; its content lives in immutable versions."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    signature = models.ForeignKey(
        "programs.Signature",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datasets",
        help_text="Examples are validated against it on import",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="dataset_unique_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> DatasetVersion | None:
        return self.versions.order_by("-number").first()


class DatasetVersion(ImmutableModel):
    """One immutable snapshot of a dataset's examples, with a SHA-256 of its content."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the examples")
    train_count = models.PositiveIntegerField(default=0)
    dev_count = models.PositiveIntegerField(default=0)
    test_count = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=300, blank=True, help_text="File name or origin of the import")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="datasetversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="datasetversion_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.number}"

    @property
    def example_count(self) -> int:
        return self.train_count + self.dev_count + self.test_count


class Example(ImmutableModel):
    """One example of a dataset version: input values, label values, split and position."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="examples")
    inputs = models.JSONField(default=dict)
    labels = models.JSONField(default=dict, blank=True)
    split = models.CharField(max_length=8, choices=Split.choices, default=Split.TRAIN, db_index=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="example_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.position} ({self.split})"
