"""Bases of the GraphQL object types: counted connections, per-user visibility, the ``User`` type."""

from __future__ import annotations

from typing import Any, ClassVar

import graphene
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet
from graphene import relay
from graphene_django import DjangoObjectType
from graphql import GraphQLResolveInfo

from core.graphql.optimizer import optimize
from core.graphql.permissions import require_user
from core.users import Caller

__all__ = ["CountableConnection", "UserType", "VisibleNode", "visible_rows"]


class CountableConnection(relay.Connection):
    """A relay connection that also tells how many rows match (before pagination)."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="Rows matching the filters, all pages together.")

    @staticmethod
    def resolve_total_count(root: Any, info: GraphQLResolveInfo) -> int:
        count: int = root.length  # set by the connection field on the graphene connection
        return count


class VisibleNode(DjangoObjectType):
    """A relay node whose rows are looked up only among those the user may see.

    Subclasses implement :meth:`visible_queryset` with a selector. ``node(id:)`` and the
    single-object root fields go through :meth:`get_node`: another user's row is ``null``, exactly
    as if it did not exist.
    """

    related_paths: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    @classmethod
    def visible_queryset(cls, *, user: Caller | None) -> QuerySet[Model]:
        raise NotImplementedError

    @classmethod
    def get_node(cls, info: GraphQLResolveInfo, id: Any) -> Any:
        user = require_user(info)
        try:
            pk = int(id)
        except (TypeError, ValueError):
            return None
        queryset = optimize(cls.visible_queryset(user=user), info, graphene_type=cls)
        return queryset.filter(pk=pk).first()


class UserType(DjangoObjectType):
    """A user, as far as other rows refer to one (owner, creator)."""

    class Meta:
        model = get_user_model()
        name = "User"
        fields = ("username", "is_staff")


def visible_rows(node_type: type[VisibleNode], info: GraphQLResolveInfo) -> QuerySet[Model]:
    """For a root connection: the rows of ``node_type`` the user may see, with the joins and
    prefetches the query's selection needs (anonymous: the authentication error)."""
    return optimize(node_type.visible_queryset(user=require_user(info)), info)
