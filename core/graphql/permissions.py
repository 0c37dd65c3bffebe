"""Permissions of the GraphQL layer: the same rules as the REST API.

Anonymous users get an authentication error for everything; a signed-in user sees and changes only
their own rows (another user's row is "not found", never "forbidden"); staff see all. Row visibility
is the selectors' job (``OwnedQuerySet.visible_to``); these classes only gate whole operations and
are declared on every mutation (``class Meta: permissions = (IsAuthenticated,)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from core.users import Caller

__all__ = ["IsAuthenticated", "IsStaff", "Permission", "check_permissions", "login_required", "require_user"]

UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
AUTHENTICATION_MESSAGE = (
    "Authentication credentials were not provided: sign in (session) or send 'Authorization: Token <key>'."
)


class Permission:
    """A gate on a whole operation: ``has_permission(user)`` or a GraphQL error with ``code``."""

    message = "You do not have permission to perform this action."
    code = FORBIDDEN

    @classmethod
    def has_permission(cls, user: Caller | None) -> bool:
        raise NotImplementedError


class IsAuthenticated(Permission):
    message = AUTHENTICATION_MESSAGE
    code = UNAUTHENTICATED

    @classmethod
    def has_permission(cls, user: Caller | None) -> bool:
        return user is not None and bool(getattr(user, "is_authenticated", False))


class IsStaff(Permission):
    message = "Only staff may perform this action."

    @classmethod
    def has_permission(cls, user: Caller | None) -> bool:
        return user is not None and IsAuthenticated.has_permission(user) and bool(user.is_staff)


def _user(info: GraphQLResolveInfo) -> Caller | None:
    user: Caller | None = getattr(info.context, "user", None)  # the context is the HttpRequest
    return user


def check_permissions(info: GraphQLResolveInfo, permissions: Iterable[type[Permission]]) -> Caller:
    """The request's user, or a ``GraphQLError`` naming the first permission that fails
    (an anonymous user always gets the authentication error first)."""
    user = _user(info)
    gates: tuple[type[Permission], ...] = (IsAuthenticated, *permissions)
    for permission in gates:
        if not permission.has_permission(user):
            raise GraphQLError(permission.message, extensions={"code": permission.code})
    assert user is not None  # IsAuthenticated refused None
    return user


def require_user(info: GraphQLResolveInfo) -> Caller:
    """The signed-in user of the request, or the authentication error."""
    return check_permissions(info, ())


def login_required(resolver: Callable[..., Any]) -> Callable[..., Any]:
    """Resolver decorator: ``resolver(root, info, ...)`` runs only for a signed-in user."""

    @wraps(resolver)
    def wrapper(root: Any, info: GraphQLResolveInfo, *args: Any, **kwargs: Any) -> Any:
        require_user(info)
        return resolver(root, info, *args, **kwargs)

    return wrapper
