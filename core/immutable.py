"""Immutable rows: versions and the examples of a dataset version are written once.

``ImmutableModel`` rows can be created and deleted, never changed: ``save()`` on a stored row
and ``update()`` on their querysets raise :class:`ImmutableRowError`. A change is a new version.
"""

from __future__ import annotations

from typing import Any

from django.db import models

__all__ = ["ImmutableModel", "ImmutableQuerySet", "ImmutableRowError"]


class ImmutableRowError(Exception):
    """Someone tried to change a row that is immutable once saved."""


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRowError(
            f"{self.model.__name__} rows are immutable: create a new version instead of updating"
        )


class ImmutableModel(models.Model):
    """Abstract base of rows that never change after their first save."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRowError(
                f"{type(self).__name__} {self.pk} is immutable: create a new version instead of changing it"
            )
        super().save(*args, **kwargs)
