"""Evaluate a syntax tree over plain data. No ``eval``, no attribute access on Python objects."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from dspex.pipelines.expressions.errors import ExpressionError
from dspex.pipelines.expressions.functions import FUNCTIONS, contains
from dspex.pipelines.expressions.nodes import (
    BoolOp,
    Call,
    Compare,
    Field,
    Index,
    ListExpr,
    Literal,
    Name,
    Node,
    Operation,
    Root,
    Unary,
)
from dspex.pipelines.expressions.values import (
    MAX_ITEMS,
    MAX_TEXT,
    Failure,
    check_size,
    is_number,
    read_field,
    read_index,
    type_name,
)

__all__ = ["evaluate"]

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def evaluate(node: Node, names: Mapping[str, Any], root: Any = None) -> Any:
    """The value of ``node``; bare names come from ``names``, ``$`` is ``root``.

    Raises :class:`ExpressionError` (without the source text; the caller attaches it).
    """
    return _Evaluator(names, root).run(node)


class _Evaluator:
    def __init__(self, names: Mapping[str, Any], root: Any) -> None:
        self.names = names
        self.root = root

    def run(self, node: Node) -> Any:
        try:
            return self.value(node)
        except _Located as located:
            raise ExpressionError(located.reason, position=located.position) from None

    def value(self, node: Node) -> Any:
        try:
            return self._value(node)
        except Failure as failure:
            raise _Located(str(failure), node.position) from None

    def _value(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Name):
            if node.name not in self.names:
                raise Failure(f"unknown name {node.name!r}")
            return self.names[node.name]
        if isinstance(node, Root):
            return self.root
        if isinstance(node, Field):
            return read_field(self.value(node.base), node.name)
        if isinstance(node, Index):
            return read_index(self.value(node.base), self.value(node.index))
        if isinstance(node, ListExpr):
            return [self.value(item) for item in node.items]
        if isinstance(node, Call):
            args = [self.value(arg) for arg in node.args]
            return check_size(FUNCTIONS[node.function].implementation(*args))
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Operation):
            return check_size(self.operation(node.op, self.value(node.left), self.value(node.right)))
        if isinstance(node, BoolOp):
            return self.bool_op(node)
        if isinstance(node, Compare):
            return self.compare(node)
        raise Failure(f"unsupported expression node {type(node).__name__}")  # pragma: no cover

    def unary(self, node: Unary) -> Any:
        operand = self.value(node.operand)
        if node.op == "not":
            return not operand
        if not is_number(operand):
            raise Failure(f"unary {node.op} needs a number, got a {type_name(operand)}")
        return -operand if node.op == "-" else operand

    def bool_op(self, node: BoolOp) -> Any:
        result: Any = None
        for operand in node.operands:
            result = self.value(operand)
            if node.op == "and" and not result:
                return result
            if node.op == "or" and result:
                return result
        return result

    def compare(self, node: Compare) -> bool:
        left = self.value(node.operands[0])
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            right = self.value(operand)
            try:
                if not self.compare_pair(op, left, right):
                    return False
            except Failure as failure:
                raise _Located(str(failure), operand.position) from None
            left = right
        return True

    @staticmethod
    def compare_pair(op: str, left: Any, right: Any) -> bool:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == "in":
            return contains(right, left)
        if op == "not in":
            return not contains(right, left)
        if (is_number(left) and is_number(right)) or (isinstance(left, str) and isinstance(right, str)):
            return _ORDER[op](left, right)
        raise Failure(f"cannot compare a {type_name(left)} with a {type_name(right)} using {op}")

    @staticmethod
    def operation(op: str, left: Any, right: Any) -> Any:
        if is_number(left) and is_number(right):
            if op == "+":
                return left + right
            if op == "-":
                return left - right
            if op == "*":
                both_int = isinstance(left, int) and isinstance(right, int)
                if both_int and left.bit_length() + right.bit_length() > 1100:
                    raise Failure("number is too large")
                return left * right
            if right == 0:
                raise Failure("division by zero")
            return left / right
        if op == "+":
            if isinstance(left, str) and isinstance(right, str):
                if len(left) + len(right) > MAX_TEXT:
                    raise Failure(f"text result is too long (more than {MAX_TEXT} characters)")
                return left + right
            if isinstance(left, list) and isinstance(right, list):
                if len(left) + len(right) > MAX_ITEMS:
                    raise Failure(f"list result is too long (more than {MAX_ITEMS} items)")
                return left + right
        if op == "*":
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, str | list) and isinstance(count, int) and not isinstance(count, bool):
                limit = MAX_TEXT if isinstance(sequence, str) else MAX_ITEMS
                if count > 0 and len(sequence) * count > limit:
                    raise Failure(f"repetition result is too long (more than {limit})")
                return sequence * count
        raise Failure(f"cannot apply {op} to a {type_name(left)} and a {type_name(right)}")


class _Located(Exception):
    def __init__(self, reason: str, position: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
