"""Ownership of resources: a user sees their own rows; staff see all; anonymous users none."""

from __future__ import annotations

from typing import Any

from django.db import models

__all__ = ["OwnedQuerySet"]


class OwnedQuerySet(models.QuerySet):
    """QuerySet of models with an ``owner`` foreign key to the user model."""

    def visible_to(self, user: Any) -> OwnedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(owner=user)
