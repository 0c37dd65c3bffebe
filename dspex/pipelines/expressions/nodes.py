"""The syntax tree of an expression. Every node knows its source position."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BoolOp",
    "Call",
    "Compare",
    "Field",
    "Index",
    "ListExpr",
    "Literal",
    "Name",
    "Node",
    "Operation",
    "Root",
    "Unary",
    "children",
    "walk",
]


@dataclass(frozen=True, slots=True)
class Node:
    position: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number, string, ``true``/``false`` or ``null``."""

    value: Any


@dataclass(frozen=True, slots=True)
class ListExpr(Node):
    """``[a, b, c]``."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A bare name: a step id, a loop variable or a pipeline input."""

    name: str


@dataclass(frozen=True, slots=True)
class Root(Node):
    """``$``: the pipeline's inputs."""


@dataclass(frozen=True, slots=True)
class Field(Node):
    """``base.name``."""

    base: Node
    name: str


@dataclass(frozen=True, slots=True)
class Index(Node):
    """``base[index]``."""

    base: Node
    index: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """``function(args...)`` for one of the whitelisted functions."""

    function: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """``-x``, ``+x`` or ``not x``."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Operation(Node):
    """Arithmetic: ``left op right`` with op in ``+ - * /``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    """``a and b and c`` / ``a or b`` (short-circuit; the value of the deciding operand)."""

    op: str
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """``a < b <= c``: chained like Python, ``ops[i]`` between operand i and i+1."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``."""
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, Field):
        return (node.base,)
    if isinstance(node, Index):
        return (node.base, node.index)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Operation):
        return (node.left, node.right)
    if isinstance(node, BoolOp | Compare):
        return node.operands
    return ()


def walk(node: Node) -> Iterator[Node]:
    """``node`` and all its sub-expressions, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
