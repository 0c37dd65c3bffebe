"""``select_related``/``prefetch_related`` derived from the selection of a GraphQL query.

Root fields call :func:`optimize` on the queryset they return; it walks the selection (fragments
and relay connections included) and joins every forward relation asked for and prefetches every
reverse one (recursively, with nested prefetches optimized the same way), so listing 5 or 500
programs with their signature, current version and versions costs the same number of queries.

A field whose resolver reads a relation under another name declares it on its type::

    class ExecutionType(VisibleNode):
        related_paths = {"program": "program_version__program"}

Nested reverse relations are resolved by graphene-django from the prefetched rows: types never
override ``get_queryset`` (that would re-query each relation, and each foreign key, per row).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch, QuerySet
from graphene import relay
from graphene.utils.str_converters import to_snake_case
from graphene_django import DjangoObjectType
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLUnionType,
    InlineFragmentNode,
    get_named_type,
)

__all__ = ["optimize"]

_M = TypeVar("_M", bound=models.Model)

FORWARD, REVERSE = "forward", "reverse"


def optimize(queryset: QuerySet[_M], info: GraphQLResolveInfo, *, graphene_type: Any = None) -> QuerySet[_M]:
    """``queryset`` with the joins and prefetches the current field's selection needs.

    ``info`` is the resolver's; its field returns a connection, a list or an object of the
    queryset's type. Pass ``graphene_type`` when the field returns an interface (``node(id:)``).
    """
    gql_type: GraphQLNamedType | None = get_named_type(info.return_type)
    selections = _child_selections(info.field_nodes)
    gql_type, selections = _unwrap_connection(info, gql_type, selections)
    if graphene_type is not None:
        gql_type = info.schema.get_type(graphene_type._meta.name)
    return _apply(queryset, info, gql_type, selections)


def _child_selections(nodes: list[FieldNode]) -> list[Any]:
    return [sel for node in nodes if node.selection_set for sel in node.selection_set.selections]


def _graphene_type(gql_type: Any) -> Any:
    return getattr(gql_type, "graphene_type", None)


def _is_connection(gql_type: Any) -> bool:
    graphene_type = _graphene_type(gql_type)
    return isinstance(graphene_type, type) and issubclass(graphene_type, relay.Connection)


def _unwrap_connection(
    info: GraphQLResolveInfo, gql_type: Any, selections: list[Any]
) -> tuple[Any, list[Any]]:
    """For a connection: the node type and the selections under ``edges { node { ... } }``."""
    if not _is_connection(gql_type):
        return gql_type, selections
    edges_type = get_named_type(gql_type.fields["edges"].type)
    node_type = get_named_type(edges_type.fields["node"].type)
    edges = _fields(info, gql_type, selections).get("edges", [])
    nodes = _fields(info, edges_type, _child_selections(edges)).get("node", [])
    return node_type, _child_selections(nodes)


def _applies(info: GraphQLResolveInfo, type_condition: Any, gql_type: Any) -> bool:
    if type_condition is None:
        return True
    condition = info.schema.get_type(type_condition.name.value)
    if condition is gql_type:
        return True
    # An interface or a union (what graphql's is_abstract_type tests), written so mypy narrows it.
    return isinstance(condition, GraphQLInterfaceType | GraphQLUnionType) and info.schema.is_sub_type(
        condition, gql_type
    )


def _fields(info: GraphQLResolveInfo, gql_type: Any, selections: list[Any]) -> dict[str, list[FieldNode]]:
    """Field nodes by field name (aliases and fragments merged) selected on ``gql_type``."""
    grouped: dict[str, list[FieldNode]] = defaultdict(list)
    seen: set[str] = set()

    def visit(items: Any) -> None:
        for selection in items:
            if isinstance(selection, FieldNode):
                grouped[selection.name.value].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if _applies(info, selection.type_condition, gql_type):
                    visit(selection.selection_set.selections)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = info.fragments.get(name)
                if name in seen or fragment is None:
                    continue
                seen.add(name)
                if _applies(info, fragment.type_condition, gql_type):
                    visit(fragment.selection_set.selections)

    visit(selections)
    return grouped


def _relation(model: type[models.Model], path: str) -> tuple[str, type[models.Model]] | None:
    """``(FORWARD | REVERSE, related model)`` of a relation path like ``program_version__program``."""
    kind = FORWARD
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation or field.related_model is None:
            return None
        if not (field.many_to_one or (field.one_to_one and field.concrete)):
            kind = REVERSE
        model = field.related_model
    return kind, model


def _plan(
    info: GraphQLResolveInfo,
    gql_type: Any,
    selections: list[Any],
    prefix: str,
    selects: list[str],
    prefetches: dict[str, tuple[type[models.Model], Any, list[Any]]],
) -> None:
    graphene_type = _graphene_type(gql_type)
    if not (
        isinstance(gql_type, GraphQLObjectType)
        and isinstance(graphene_type, type)
        and issubclass(graphene_type, DjangoObjectType)
    ):
        return
    model = graphene_type._meta.model  # type: ignore[attr-defined]  # graphene ships no types
    hints = getattr(graphene_type, "related_paths", {})
    for name, nodes in _fields(info, gql_type, selections).items():
        field = gql_type.fields.get(name)
        if field is None or name.startswith("__"):
            continue
        attr = to_snake_case(name)
        path = hints.get(attr, attr)
        relation = _relation(model, path)
        if relation is None:
            continue
        kind, related_model = relation
        child_type, child_selections = _unwrap_connection(
            info, get_named_type(field.type), _child_selections(nodes)
        )
        if kind == FORWARD:
            selects.append(prefix + path)
            _plan(info, child_type, child_selections, f"{prefix}{path}__", selects, prefetches)
        else:
            entry = prefetches.setdefault(prefix + path, (related_model, child_type, []))
            entry[2].extend(child_selections)


def _apply(
    queryset: QuerySet[_M], info: GraphQLResolveInfo, gql_type: Any, selections: list[Any]
) -> QuerySet[_M]:
    selects: list[str] = []
    prefetches: dict[str, tuple[type[models.Model], Any, list[Any]]] = {}
    _plan(info, gql_type, selections, "", selects, prefetches)
    if selects:
        queryset = queryset.select_related(*selects)
    if prefetches:
        queryset = queryset.prefetch_related(
            *(
                Prefetch(lookup, queryset=_apply(model._default_manager.all(), info, child_type, sels))
                for lookup, (model, child_type, sels) in prefetches.items()
            )
        )
    return queryset
