"""Ownership of resources: a user sees their own rows; staff see all; anonymous users none."""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models

from core.users import Caller, User

__all__ = ["OwnedQuerySet", "authenticated_or_none"]


def authenticated_or_none(user: Caller | None) -> User | None:
    """``user`` when it is a signed-in user, else ``None`` (what an owner/created_by column stores)."""
    return user if user is not None and user.is_authenticated else None


_Owned = TypeVar("_Owned", bound=models.Model)


class OwnedQuerySet(models.QuerySet[_Owned]):
    """QuerySet of models with an ``owner`` foreign key to the user model."""

    def visible_to(self, user: Caller | None) -> Self:
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(owner=user)
