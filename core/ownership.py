"""Ownership of resources: a user sees their own rows; staff see all; anonymous users none."""

from __future__ import annotations

from typing import Any

from django.db import models

__all__ = ["OwnedQuerySet", "authenticated_or_none"]


def authenticated_or_none(user: Any) -> Any:
    """``user`` when it is a signed-in user, else ``None`` (what an owner/created_by column stores)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


class OwnedQuerySet(models.QuerySet):
    """QuerySet of models with an ``owner`` foreign key to the user model."""

    def visible_to(self, user: Any) -> OwnedQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(owner=user)
