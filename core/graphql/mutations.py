"""The base of every mutation (Saleor style).

A mutation declares its permissions (``class Meta: permissions = (IsAuthenticated,)``), validates
its input, then calls one domain service. Bad input never becomes a 500 or a top-level GraphQL
error: a Django ``ValidationError`` from the mutation or the service becomes the payload's
``errors { field message code }`` (``field`` is the camelCase input path, ``null`` for the input
as a whole); a uniqueness race caught by the database is code ``CONFLICT``. Only a missing
permission is a top-level GraphQL error (code ``UNAUTHENTICATED`` or ``FORBIDDEN``), as it
concerns the whole operation. Text holding a NUL character or an unpaired surrogate, anywhere in
the arguments, is refused before the mutation runs (code ``INVALID_TEXT``, naming the field).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import graphene
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from graphene.types.mutation import MutationOptions
from graphene.utils.str_converters import to_camel_case
from graphql import GraphQLResolveInfo

from core.graphql.filters import decode_node_id
from core.graphql.permissions import Permission, check_permissions
from core.safe_input import BadText, check_text, format_path
from core.users import Caller

__all__ = [
    "BaseMutation",
    "MutationError",
    "PayloadErrors",
    "bad_text_errors",
    "get_visible_or_error",
    "validation_errors",
]


class MutationError(graphene.ObjectType):
    """Why a mutation did not do what was asked."""

    field = graphene.String(
        description="The input field concerned, as a camelCase path (`lmConfig`, `inputs.question`); "
        "null when the error concerns the input as a whole."
    )
    message = graphene.String(required=True, description="What is wrong, for a person.")
    code = graphene.String(
        required=True, description="What is wrong, for a program: INVALID, REQUIRED, NOT_FOUND, ..."
    )


class PayloadErrors(Exception):
    """Raised by a mutation to answer with these ``[{field, message, code}]`` errors."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors


def _field_name(field: str, prefix: str, camel_case: bool) -> str | None:
    if field == NON_FIELD_ERRORS:
        return prefix.rstrip(".") or None
    if camel_case:
        field = ".".join(to_camel_case(part) for part in field.split("."))
    return prefix + field


def validation_errors(
    exc: ValidationError, *, prefix: str = "", non_field: str | None = None, camel_case: bool = True
) -> list[dict[str, Any]]:
    """``[{field, message, code}]`` of a Django ``ValidationError``.

    ``prefix`` is put before field names (``"inputs."``); ``non_field`` names the field of errors
    that have none (e.g. ``"name"`` for "a program with this name already exists"); field names are
    camelCased (model fields) unless ``camel_case=False`` (names chosen by users, like the input
    fields of a signature).
    """
    items: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            name = _field_name(field, prefix, camel_case)
            for error in errors:
                code = (error.code or "invalid").upper()
                where = non_field if name is None and code in ("UNIQUE", "UNIQUE_TOGETHER") else name
                items.extend({"field": where, "message": m, "code": code} for m in error)
    else:
        for error in exc.error_list:
            code = (error.code or "invalid").upper()
            items.extend({"field": prefix.rstrip(".") or None, "message": m, "code": code} for m in error)
    return items


def _schema_path(arguments: dict[str, Any], path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``path`` with the names of arguments and input-object fields camelCased as in the schema;
    keys inside JSON values are the client's own and stay as given. The ``input`` argument itself
    is left out (error fields are paths inside it)."""
    shown: list[str | int] = []
    container: Any = arguments
    for depth, part in enumerate(path):
        schema_level = depth == 0 or (isinstance(container, dict) and type(container) is not dict)
        if not (depth == 0 and part == "input" and len(path) > 1):
            shown.append(to_camel_case(part) if schema_level and isinstance(part, str) else part)
        try:
            container = container[part]
        except (KeyError, IndexError, TypeError):
            container = None
    return tuple(shown)


def bad_text_errors(arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{field, message, code: INVALID_TEXT}]`` for the first string in ``arguments`` holding a
    NUL character or an unpaired surrogate (``[]`` when there is none). The field is the camelCase
    path inside the ``input`` argument (``name``, ``lmConfig.baseUrl``, ``inputs.question``)."""
    try:
        check_text(arguments)
    except BadText as exc:
        field = format_path(_schema_path(arguments, exc.path)) or None
        message = f"`{field}` {exc.problem}" if field else exc.message
        return [{"field": field, "message": message, "code": "INVALID_TEXT"}]
    return []


def get_visible_or_error(node_type: Any, global_id: str, *, user: Caller | None, field: str) -> Any:
    """The row behind ``global_id`` if ``user`` may see it, else a ``ValidationError`` on ``field``
    (a malformed ID, an ID of another type, or another user's row: "not found")."""
    name = node_type._meta.name
    pk = decode_node_id(global_id, name)
    if pk is None:
        raise ValidationError(
            {field: ValidationError(f"{global_id!r} is not the ID of a {name}", code="invalid")}
        )
    row = node_type.visible_queryset(user=user).filter(pk=pk).first()
    if row is None:
        raise ValidationError(
            {field: ValidationError(f"{name} {global_id!r} was not found", code="not_found")}
        )
    return row


class BaseMutationOptions(MutationOptions):
    permissions: tuple[type[Permission], ...] = ()


class BaseMutation(graphene.Mutation):
    """Subclasses declare ``Arguments``, output fields, ``Meta.permissions`` and implement
    ``perform_mutation(info, user, **arguments)`` returning the payload."""

    errors = graphene.List(graphene.NonNull(MutationError), required=True)
    # The type of the items of ``errors`` (a subclass with more fields, like a line number).
    error_type: ClassVar[type[graphene.ObjectType]] = MutationError

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(
        cls,
        permissions: Iterable[type[Permission]] | None = None,
        _meta: Any = None,
        **options: Any,
    ) -> None:
        if permissions is None:
            raise TypeError(f"{cls.__name__} must declare Meta.permissions (e.g. (IsAuthenticated,))")
        if _meta is None:
            _meta = BaseMutationOptions(cls)
        _meta.permissions = tuple(permissions)
        super().__init_subclass_with_meta__(_meta=_meta, **options)

    @classmethod
    def perform_mutation(cls, info: GraphQLResolveInfo, user: Caller, *args: Any, **arguments: Any) -> Any:
        # ``*args: Any, **arguments: Any`` lets each subclass name its own arguments (keyword-only).
        raise NotImplementedError

    @classmethod
    def error_field_for_non_field_errors(cls) -> str | None:
        """The input field that uniqueness errors without a field are about (e.g. ``"name"``)."""
        return None

    @classmethod
    def build_errors(cls, errors: list[dict[str, Any]]) -> list[Any]:
        return [cls.error_type(**error) for error in errors]

    @classmethod
    def handle_validation_error(cls, exc: ValidationError) -> Any:
        errors = validation_errors(exc, non_field=cls.error_field_for_non_field_errors())
        return cls(errors=cls.build_errors(errors))

    @classmethod
    def mutate(cls, root: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        user = check_permissions(info, cls._meta.permissions)
        bad_text = bad_text_errors(arguments)
        if bad_text:
            return cls(errors=cls.build_errors(bad_text))
        try:
            payload = cls.perform_mutation(info, user, **arguments)
        except ValidationError as exc:
            return cls.handle_validation_error(exc)
        except PayloadErrors as exc:
            return cls(errors=cls.build_errors(exc.errors))
        except IntegrityError:  # a race past the validation (two requests creating one name)
            conflict = {
                "field": cls.error_field_for_non_field_errors(),
                "message": "The change conflicts with another row (e.g. a name already in use).",
                "code": "CONFLICT",
            }
            return cls(errors=cls.build_errors([conflict]))
        if payload.errors is None:
            payload.errors = []
        return payload
