"""How deep and how costly a GraphQL operation is, measured without recursion.

The depth of an operation is its longest chain of nested fields, the leaf included:
``{ programs { edges { node { name } } } }`` has depth 4. Fragments count where they are spread.
Introspection fields (``__schema``, ``__type``) are not counted in the depth, so GraphiQL's schema
query works under any depth limit.

The cost estimates the work of an operation: every field counts 1 (an alias is another field),
every field at the top of the operation counts ``ROOT_FIELD_COST`` more (each is its own resolver
and database query, or its own mutation), fragments count where they are spread. So ``{ a1: programs
{...} a2: programs {...} }`` costs twice one ``programs`` query; 10,000 copies of a field cost 10,000.

Both are computed over the document with explicit stacks: each fragment is measured once
(memoized, dependencies first), so a chain of 1,000 fragments or a fragment spread 10 times in
each of 10 nested fragments costs linear time, not a ``RecursionError`` or an exponential walk.
An unknown fragment or a fragment cycle counts 0 here and is left to the standard rules
(``KnownFragmentNames``, ``NoFragmentCycles``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

__all__ = [
    "QUERY_TOO_COSTLY",
    "QUERY_TOO_DEEP",
    "ROOT_FIELD_COST",
    "Measure",
    "depth_limit_rule",
    "measure_operations",
    "operation_depth",
    "too_costly_error",
    "too_deep_error",
]

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
ROOT_FIELD_COST = 10
_CAP = 10**9  # costs stop growing here: fragments spread in fragments can multiply without bound


@dataclass(frozen=True)
class Measure:
    """``depth`` and ``cost`` of a selection set; ``top``: how many fields it has at its own level
    (fragments expanded), which become root fields when it is the operation's selection set."""

    depth: int = 0
    cost: int = 0
    top: int = 0


_ZERO = Measure()


def _child_sets(selection_set: SelectionSetNode) -> Iterable[SelectionSetNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
            yield selection.selection_set


def _measure_tree(selection_set: SelectionSetNode, spread: Callable[[str], Measure]) -> Measure:
    """The measure of one definition's selection tree; ``spread(name)`` measures a fragment spread."""
    order: list[SelectionSetNode] = []
    stack = [selection_set]
    while stack:  # pre-order: every set comes before the sets nested in it
        current = stack.pop()
        order.append(current)
        stack.extend(_child_sets(current))
    results: dict[int, Measure] = {}
    for current in reversed(order):  # so nested sets are measured before their parents
        depth = cost = top = 0
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                child = results[id(selection.selection_set)] if selection.selection_set else _ZERO
                cost += 1 + child.cost
                top += 1
                if not selection.name.value.startswith("__"):
                    depth = max(depth, 1 + child.depth)
                continue
            if isinstance(selection, InlineFragmentNode):
                child = results[id(selection.selection_set)]
            elif isinstance(selection, FragmentSpreadNode):
                child = spread(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            depth = max(depth, child.depth)
            cost += child.cost
            top += child.top
        results[id(current)] = Measure(depth, min(cost, _CAP), min(top, _CAP))
    return results[id(selection_set)]


def _spread_names(selection_set: SelectionSetNode) -> list[str]:
    names: list[str] = []
    stack = [selection_set]
    while stack:
        current = stack.pop()
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
        stack.extend(_child_sets(current))
    return names


def _fragment_order(fragments: dict[str, FragmentDefinitionNode]) -> tuple[list[str], set[str]]:
    """Fragment names, each after the fragments it spreads; and the names that are in a cycle."""
    needs = {
        name: [n for n in _spread_names(f.selection_set) if n in fragments] for name, f in fragments.items()
    }
    order: list[str] = []
    cyclic: set[str] = set()
    visiting: set[str] = set()
    done: set[str] = set()
    for start in fragments:
        if start in done:
            continue
        stack: list[tuple[str, Any]] = [(start, iter(needs[start]))]
        visiting.add(start)
        while stack:
            name, pending = stack[-1]
            for needed in pending:
                if needed in visiting:  # every fragment on the stack from `needed` up is in the cycle
                    names = [entry[0] for entry in stack]
                    cyclic.update(names[names.index(needed) :])
                elif needed not in done:
                    visiting.add(needed)
                    stack.append((needed, iter(needs[needed])))
                    break
            else:
                stack.pop()
                visiting.discard(name)
                done.add(name)
                order.append(name)
    return order, cyclic


def _fragment_measures(fragments: dict[str, FragmentDefinitionNode]) -> dict[str, Measure]:
    order, cyclic = _fragment_order(fragments)
    measures: dict[str, Measure] = {}

    def spread(name: str) -> Measure:
        return measures.get(name, _ZERO)  # unknown, cyclic or (never) not yet measured: 0

    for name in order:
        if name not in cyclic:
            measures[name] = _measure_tree(fragments[name].selection_set, spread)
    return measures


def _fragments_of(definitions: Iterable[Any]) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


def measure_operations(document: DocumentNode) -> list[tuple[OperationDefinitionNode, Measure]]:
    """Every operation of ``document`` with its measure (``cost`` includes ``ROOT_FIELD_COST`` per
    top-level field)."""
    fragments = _fragments_of(document.definitions)
    measures = _fragment_measures(fragments)
    result = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            measure = _measure_tree(definition.selection_set, lambda name: measures.get(name, _ZERO))
            cost = min(measure.cost + ROOT_FIELD_COST * measure.top, _CAP)
            result.append((definition, Measure(measure.depth, cost, measure.top)))
    return result


def operation_depth(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> int:
    """The depth of ``operation`` (see the module docstring)."""
    measures = _fragment_measures(fragments)
    return _measure_tree(operation.selection_set, lambda name: measures.get(name, _ZERO)).depth


def _operation_name(operation: OperationDefinitionNode) -> str:
    return f"'{operation.name.value}'" if operation.name else "The operation"


def too_deep_error(operation: OperationDefinitionNode, depth: int, max_depth: int) -> GraphQLError:
    return GraphQLError(
        f"{_operation_name(operation)} is {depth} levels deep; the maximum depth is {max_depth}. "
        "Ask for fewer nested fields (or split the query).",
        operation,
        extensions={"code": QUERY_TOO_DEEP, "depth": depth, "maxDepth": max_depth},
    )


def too_costly_error(operation: OperationDefinitionNode, cost: int, max_cost: int) -> GraphQLError:
    shown = f"more than {_CAP - 1}" if cost >= _CAP else str(cost)
    return GraphQLError(
        f"{_operation_name(operation)} costs {shown}; the most an operation may cost is {max_cost} "
        f"(each field counts 1, each top-level field or alias {ROOT_FIELD_COST} more, fragments "
        "where they are spread). Ask for fewer fields or aliases (or split the query).",
        operation,
        extensions={"code": QUERY_TOO_COSTLY, "cost": min(cost, _CAP), "maxCost": max_cost},
    )


def depth_limit_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule rejecting operations deeper than ``max_depth`` (the view checks depth
    before validation; this rule is for other callers of ``graphql.validate``)."""

    class DepthLimitRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            for operation, measure in measure_operations(context.document):
                if measure.depth > max_depth:
                    context.report_error(too_deep_error(operation, measure.depth, max_depth))

    return DepthLimitRule
