"""Filter pieces shared by the apps' ``graphql/filters.py``."""

from __future__ import annotations

import json
from typing import Any

import graphene
from django import forms
from django.core.exceptions import ValidationError
from graphene.utils.str_converters import to_camel_case
from graphene_django.filter import DjangoFilterConnectionField, TypedFilter
from graphql import GraphQLError
from graphql_relay import from_global_id

__all__ = ["FilterConnectionField", "FloatFilter", "IntFilter", "NodeIDFilter", "decode_node_id"]

INVALID_FILTER = "INVALID_FILTER"


def decode_node_id(value: str, type_name: str) -> int | None:
    """The primary key in a relay global ID of ``type_name`` (``None`` when it is not one)."""
    try:
        kind, pk = from_global_id(value)
    except Exception:  # graphql-relay raises various errors on malformed base64
        return None
    if kind != type_name or not pk.isdigit():
        return None
    return int(pk)


class _NodeIDField(forms.CharField):
    def __init__(self, *args: Any, type_name: str = "", **kwargs: Any):
        self.type_name = type_name
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        pk = decode_node_id(value, self.type_name)
        if pk is None:
            raise ValidationError(f"{value!r} is not the ID of a {self.type_name}", code="invalid")
        return pk


class NodeIDFilter(TypedFilter):
    """Filter by a relay global ID of ``type_name`` (an ID of another type is an error)."""

    field_class = _NodeIDField

    def __init__(self, *args: Any, type_name: str, **kwargs: Any):
        kwargs.setdefault("label", f"The ID of a {type_name}")
        super().__init__(graphene.ID, *args, type_name=type_name, **kwargs)


class IntFilter(TypedFilter):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(graphene.Int, *args, **kwargs)


class FloatFilter(TypedFilter):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(graphene.Float, *args, **kwargs)


class FilterConnectionField(DjangoFilterConnectionField):
    """``DjangoFilterConnectionField`` whose invalid filter values are a GraphQL error naming the
    filter (``Invalid filter program: 'x' is not the ID of a Program``), not a JSON dump."""

    @classmethod
    def resolve_queryset(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().resolve_queryset(*args, **kwargs)
        except ValidationError as exc:
            try:
                errors = json.loads(exc.messages[0])
            except (ValueError, IndexError):
                raise GraphQLError(f"Invalid filter: {'; '.join(exc.messages)}") from None
            details = {
                to_camel_case(name): [item.get("message", "") for item in items]
                for name, items in errors.items()
            }
            text = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in details.items())
            raise GraphQLError(
                f"Invalid filter {text}", extensions={"code": INVALID_FILTER, "fields": details}
            ) from None
