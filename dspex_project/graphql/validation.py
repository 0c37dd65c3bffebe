"""The query-depth limit, a graphql-core validation rule.

The depth of an operation is its longest chain of nested fields, the leaf included:
``{ programs { edges { node { name } } } }`` has depth 4. Fragments count where they are spread.
Introspection fields (``__schema``, ``__type``) are not counted, so GraphiQL's schema query works
under any limit. Unlike ``graphene.validation.depth_limit_validator``, an unknown fragment or a
fragment cycle is left to the standard rules (``KnownFragmentNames``, ``NoFragmentCycles``) instead
of raising ``KeyError``/``RecursionError`` (a 500), and each operation gets one error, not one per
branch.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)

__all__ = ["QUERY_TOO_DEEP", "depth_limit_rule", "operation_depth"]

QUERY_TOO_DEEP = "QUERY_TOO_DEEP"


def _selections_depth(
    selections: Any, fragments: dict[str, FragmentDefinitionNode], spread: frozenset[str]
) -> int:
    depth = 0
    for selection in selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue
            below = (
                _selections_depth(selection.selection_set.selections, fragments, spread)
                if selection.selection_set
                else 0
            )
            depth = max(depth, 1 + below)
        elif isinstance(selection, InlineFragmentNode):
            depth = max(depth, _selections_depth(selection.selection_set.selections, fragments, spread))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in spread:  # unknown or cyclic: reported by other rules
                continue
            depth = max(
                depth, _selections_depth(fragment.selection_set.selections, fragments, spread | {name})
            )
    return depth


def operation_depth(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> int:
    """The depth of ``operation`` (see the module docstring)."""
    return _selections_depth(operation.selection_set.selections, fragments, frozenset())


def depth_limit_rule(max_depth: int) -> type[ValidationRule]:
    """A validation rule rejecting operations deeper than ``max_depth``."""

    class DepthLimitRule(ValidationRule):
        def __init__(self, context: ValidationContext):
            super().__init__(context)
            definitions = context.document.definitions
            fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
            for definition in definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                depth = operation_depth(definition, fragments)
                if depth > max_depth:
                    name = f"'{definition.name.value}'" if definition.name else "The operation"
                    context.report_error(
                        GraphQLError(
                            f"{name} is {depth} levels deep; the maximum depth is {max_depth}. "
                            "Ask for fewer nested fields (or split the query).",
                            definition,
                            extensions={"code": QUERY_TOO_DEEP, "depth": depth, "maxDepth": max_depth},
                        )
                    )

    return DepthLimitRule
