"""Evaluate a syntax tree over plain data. No ``eval``, no attribute access on Python objects.

Every value an operation builds is sized first, from its operands' sizes, and refused when it
would not fit the budget (:mod:`dspex.pipelines.expressions.budget`); each node and each element
touched is charged to the evaluation's work budget, and the wall clock is checked as it goes.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from dspex.pipelines.expressions.budget import Budget, Meter, scalar_size
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


def evaluate(node: Node, names: Mapping[str, Any], root: Any = None, budget: Budget | None = None) -> Any:
    """The value of ``node``; bare names come from ``names``, ``$`` is ``root``.

    ``budget`` is the run's budget (a fresh one with the default limits when not given).
    Raises :class:`ExpressionError` (without the source text; the caller attaches it); one
    raised for a budget has the budget's name in ``budget``.
    """
    meter = (budget or Budget()).meter()
    result = _Evaluator(names, root, meter).run(node)
    meter.finish(result)
    return result


class _Evaluator:
    def __init__(self, names: Mapping[str, Any], root: Any, meter: Meter) -> None:
        self.names = names
        self.root = root
        self.meter = meter

    def run(self, node: Node) -> Any:
        try:
            value = self.value(node)
            try:
                self.meter.size(value)  # the result must fit, also when it is an input passed on
            except Failure as failure:
                raise _Located(str(failure), node.position, getattr(failure, "budget", None)) from None
            return value
        except _Located as located:
            raise ExpressionError(located.reason, position=located.position, budget=located.budget) from None

    def value(self, node: Node) -> Any:
        try:
            meter = self.meter
            meter.work += 1
            if meter.work >= meter.next_check:
                meter.check()
            return self._value(node)
        except Failure as failure:
            raise _Located(str(failure), node.position, getattr(failure, "budget", None)) from None
        except ExpressionError:  # pragma: no cover - functions raise Failure, not this
            raise
        except (OverflowError, ValueError) as exc:  # float/int conversions at the edge of range
            raise _Located(f"number is out of range ({exc})", node.position, None) from None
        except RecursionError:  # pragma: no cover - values are measured (max_depth) first
            raise _Located("the value is nested too deeply", node.position, "max_depth") from None

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
            return self.list_of([self.value(item) for item in node.items])
        if isinstance(node, Call):
            args = [self.value(arg) for arg in node.args]
            function = FUNCTIONS[node.function]
            if function.cost is not None:
                self.meter.charge(function.cost(self.meter, *args))
            return check_size(function.implementation(*args))
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Operation):
            return check_size(self.operation(node.op, self.value(node.left), self.value(node.right)))
        if isinstance(node, BoolOp):
            return self.bool_op(node)
        if isinstance(node, Compare):
            return self.compare(node)
        raise Failure(f"unsupported expression node {type(node).__name__}")  # pragma: no cover

    def list_of(self, items: list[Any]) -> list[Any]:
        elements, chars, height = 1, 2 + max(len(items) - 1, 0), 0
        for item in items:
            size = self.meter.measure(item)
            elements += size[0]
            chars += size[1]
            height = max(height, size[2])
        self.meter.admit(elements, chars, "the list", height + 1)
        self.meter.remember(items, elements, chars, height + 1)
        return items

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
                self.charge_comparison(op, left, right)
                if not self.compare_pair(op, left, right):
                    return False
            except Failure as failure:
                raise _Located(str(failure), operand.position, getattr(failure, "budget", None)) from None
            left = right
        return True

    def charge_comparison(self, op: str, left: Any, right: Any) -> None:
        """Comparing containers or searching one touches (at most) every element."""
        if op in ("in", "not in"):
            if scalar_size(right) is None:
                self.meter.charge(self.meter.size(right)[0])
            elif isinstance(right, str):
                self.meter.charge(len(right) // 64)
        elif scalar_size(left) is None and scalar_size(right) is None:
            self.meter.charge(min(self.meter.size(left)[0], self.meter.size(right)[0]))

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

    def operation(self, op: str, left: Any, right: Any) -> Any:
        if is_number(left) and is_number(right):
            return _arithmetic(op, left, right)
        if op == "+":
            if isinstance(left, str) and isinstance(right, str):
                if len(left) + len(right) > MAX_TEXT:
                    raise Failure(f"text result is too long (more than {MAX_TEXT} characters)")
                self.meter.admit(1, len(left) + len(right) + 2, "the text")
                self.meter.charge((len(left) + len(right)) // 64)
                return left + right
            if isinstance(left, list) and isinstance(right, list):
                if len(left) + len(right) > MAX_ITEMS:
                    raise Failure(f"list result is too long (more than {MAX_ITEMS} items)")
                (le, lc, lh), (re, rc, rh) = self.meter.measure(left), self.meter.measure(right)
                elements, chars, height = le + re - 1, lc + rc - 1, max(lh, rh)
                self.meter.admit(elements, chars, "the list", height)
                self.meter.charge(len(left) + len(right))
                result = left + right
                self.meter.remember(result, elements, chars, height)
                return result
        if op == "*":
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, str | list) and isinstance(count, int) and not isinstance(count, bool):
                return self.repeat(sequence, count)
        raise Failure(f"cannot apply {op} to a {type_name(left)} and a {type_name(right)}")

    def repeat(self, sequence: str | list[Any], count: int) -> str | list[Any]:
        """``sequence * count``, sized from the operand before anything is allocated."""
        limit = MAX_TEXT if isinstance(sequence, str) else MAX_ITEMS
        if count > 0 and len(sequence) * count > limit:
            raise Failure(f"repetition result is too long (more than {limit})")
        count = max(count, 0)
        if isinstance(sequence, str):
            self.meter.admit(1, len(sequence) * count + 2, "the repeated text")
            self.meter.charge(len(sequence) * count // 64)
            return sequence * count
        elements, chars, height = self.meter.measure(sequence)
        total_elements = 1 + count * (elements - 1)
        total_chars = count * (chars - 1) + 1 if count and sequence else 2  # k items' text + commas
        self.meter.admit(total_elements, total_chars, "the repeated list")
        self.meter.charge(len(sequence) * count)
        result = sequence * count
        self.meter.remember(result, total_elements, total_chars, height)
        return result


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    if op == "*":
        both_int = isinstance(left, int) and isinstance(right, int)
        if both_int and left.bit_length() + right.bit_length() > 1100:
            raise Failure("number is too large")
        result = left * right
    elif op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    else:
        if right == 0:
            raise Failure("division by zero")
        result = left / right
    if isinstance(result, float) and not math.isfinite(result):
        raise Failure(f"the result of {op} is not a finite number ({result})")
    return result


class _Located(Exception):
    def __init__(self, reason: str, position: int, budget: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
        self.budget = budget
