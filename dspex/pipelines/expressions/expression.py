"""``Expression``: a parsed expression, evaluated many times."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dspex.pipelines.expressions.budget import Budget
from dspex.pipelines.expressions.errors import ExpressionError
from dspex.pipelines.expressions.evaluator import evaluate
from dspex.pipelines.expressions.nodes import Name, Node, Root, walk
from dspex.pipelines.expressions.parser import parse

__all__ = ["Expression"]


class Expression:
    """A safe expression over pipeline data, parsed once.

    Example::

        condition = Expression("draft.confidence > 0.5 and 'yes' in lower(draft.answer)")
        condition.evaluate({"draft": {"confidence": 0.8, "answer": "Yes"}})   # True

    Malformed text raises :class:`ExpressionError` with the position of the problem.
    """

    __slots__ = ("source", "tree")

    def __init__(self, source: str):
        self.source = source
        self.tree: Node = parse(source)

    def evaluate(
        self, names: Mapping[str, Any] | None = None, root: Any = None, budget: Budget | None = None
    ) -> Any:
        """The value for bare ``names`` (step outputs, loop variables) and ``$`` = ``root``.

        ``budget`` is the budget of the run this evaluation is part of (default: a fresh one
        with the default :class:`~dspex.pipelines.expressions.budget.Limits`).
        """
        try:
            return evaluate(self.tree, names or {}, root, budget)
        except ExpressionError as error:
            raise error.located(self.source) from None

    def is_constant(self) -> bool:
        """Whether the value depends on nothing (no names, no ``$``): the same on every run."""
        return not any(isinstance(node, Name | Root) for node in walk(self.tree))

    def names(self) -> set[str]:
        """The bare names this expression reads."""
        return {node.name for node in walk(self.tree) if isinstance(node, Name)}

    def error(self, reason: str, position: int | None) -> ExpressionError:
        """An :class:`ExpressionError` about this expression at ``position``."""
        return ExpressionError(reason, expression=self.source, position=position)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"
