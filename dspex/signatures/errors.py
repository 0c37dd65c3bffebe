"""Errors raised while building or validating signatures."""

from __future__ import annotations

from typing import Any

__all__ = ["FieldDeclarationError", "FieldValidationError", "SignatureError"]


class SignatureError(ValueError):
    """A signature string or class is malformed.

    ``position`` is the 0-based character offset in ``spec`` where the problem was found
    (``None`` for class-syntax problems), ``reason`` says what is wrong.
    """

    def __init__(self, reason: str, *, spec: str | None = None, position: int | None = None):
        self.reason = reason
        self.spec = spec
        self.position = position
        super().__init__(self._render())

    def _render(self) -> str:
        if self.spec is None:
            return self.reason
        where = f" at position {self.position}" if self.position is not None else ""
        message = f"Invalid signature {self.spec!r}{where}: {self.reason}"
        if self.position is not None:
            message += f"\n    {self.spec}\n    {' ' * self.position}^"
        return message


class FieldDeclarationError(SignatureError, TypeError):
    """A signature class annotates a field without declaring it with ``InputField()`` or
    ``OutputField()``. Both a :class:`SignatureError` and (as in DSPy) a :class:`TypeError`."""


class FieldValidationError(ValueError):
    """A value does not fit the field it was given for.

    Carries the field name, the expected type (as written in signatures) and the value received.
    """

    def __init__(
        self,
        field: str,
        expected: str,
        received: Any,
        detail: str = "",
        *,
        kind: str,
        unknown: bool = False,
    ):
        self.field = field
        self.expected = expected
        self.received = received
        self.kind = kind
        self.unknown = unknown
        if unknown:
            message = f"unknown {kind.lower()} field `{field}`"
        else:
            shown = repr(received)
            if len(shown) > 200:
                shown = shown[:200] + "..."
            message = f"{kind} field `{field}` expects {expected}, got {shown}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)
