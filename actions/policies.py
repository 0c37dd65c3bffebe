"""Who may run an action: checked in one place (``actions.invoke``) for every surface.

A policy answers two questions: may this user run the action at all (anonymous users never may),
and which rows may it run on (the target is looked up through :meth:`Policy.scope`, so another
user's row is "not found", never "forbidden", which would confirm that it exists).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from core.ownership import OwnedQuerySet
from core.users import Caller

__all__ = ["OWNER", "STAFF", "Owner", "Policy", "Staff"]


class Policy:
    """Base: signed-in users, rows they can see."""

    name = "authenticated"

    def allows(self, user: Caller | None) -> bool:
        return user is not None and bool(getattr(user, "is_authenticated", False))

    def scope(self, model: type[Model], user: Caller | None) -> QuerySet[Model]:
        objects = model._default_manager.all()
        if not isinstance(objects, OwnedQuerySet):
            raise TypeError(f"{model.__name__} has no visible_to(user) queryset: declare a policy for it")
        return objects.visible_to(user)

    def __repr__(self) -> str:
        return self.name


class Owner(Policy):
    """The owner of the row (staff see every row)."""

    name = "owner"


class Staff(Policy):
    """Staff users only."""

    name = "staff"

    def allows(self, user: Caller | None) -> bool:
        return super().allows(user) and bool(getattr(user, "is_staff", False))


OWNER = Owner()
STAFF = Staff()
