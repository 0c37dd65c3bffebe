"""Errors of the pipeline expression language."""

from __future__ import annotations

__all__ = ["ExpressionError"]


class ExpressionError(ValueError):
    """An expression is malformed, refers to something unknown, or failed while evaluating.

    ``position`` is the 0-based character offset in ``expression`` where the problem is
    (``None`` when it concerns the whole expression), ``reason`` says what is wrong. ``budget``
    names the budget that would have been exceeded (``max_elements``, ``max_work``, ...; see
    :mod:`dspex.pipelines.expressions.budget`), ``None`` for every other problem.
    """

    def __init__(
        self,
        reason: str,
        *,
        expression: str | None = None,
        position: int | None = None,
        budget: str | None = None,
    ):
        self.reason = reason
        self.expression = expression
        self.position = position
        self.budget = budget
        super().__init__(self._render())

    def _render(self) -> str:
        if self.expression is None:
            return self.reason
        shown = self.expression if len(self.expression) <= 200 else self.expression[:200] + "..."
        where = f" at position {self.position}" if self.position is not None else ""
        message = f"Invalid expression {shown!r}{where}: {self.reason}"
        if self.position is not None and self.position <= 200 and "\n" not in shown:
            message += f"\n    {shown}\n    {' ' * self.position}^"
        return message

    def located(self, expression: str) -> ExpressionError:
        """This error with ``expression`` attached (when it has none yet)."""
        if self.expression is not None:
            return self
        return ExpressionError(self.reason, expression=expression, position=self.position, budget=self.budget)
