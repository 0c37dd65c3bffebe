"""A safe arithmetic calculator: own tokenizer and recursive-descent parser, no ``eval``.

Numbers (``12``, ``3.5``, ``.5``, ``1e-3``, ``1_000``), ``+ - * / // % **``, parentheses, unary
``+``/``-``, the constants ``pi``, ``e``, ``tau`` and the functions ``abs``, ``round``, ``min``,
``max``, ``sqrt``, ``exp``, ``log`` (``log(x)`` or ``log(x, base)``), ``log10``, ``log2``, ``sin``,
``cos``, ``tan``, ``floor``, ``ceil``. ``**`` binds tighter than unary minus and groups to the
right, as in Python (``-2 ** 2 == -4``, ``2 ** 3 ** 2 == 512``). Results are limited in size so
that ``9 ** 9 ** 9`` is an error, not a hung process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from dspex.tools.tool import Tool

__all__ = ["CalculatorError", "calculate", "calculator"]

MAX_EXPRESSION_LENGTH = 2_000
MAX_DEPTH = 100
MAX_INT_BITS = 4_000  # about 1200 decimal digits

Number = int | float


class CalculatorError(ValueError):
    """The expression is malformed or its value cannot be computed (division by zero, too large)."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "op", "(", ")", ",", "end"
    text: str
    position: int
    value: Number | None = None


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|//|[-+*/%^])
  | (?P<paren>[(),])
    """,
    re.VERBOSE,
)

_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def _round(x: Number, digits: Number = 0) -> Number:
    if digits == 0:
        return round(x)
    return round(x, int(digits))


def _log(x: Number, base: Number | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


_FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int]] = {
    # name: (function, min args, max args)
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
    "min": (min, 1, 64),
    "max": (max, 1, 64),
    "sqrt": (math.sqrt, 1, 1),
    "exp": (math.exp, 1, 1),
    "log": (_log, 1, 2),
    "ln": (math.log, 1, 1),
    "log10": (math.log10, 1, 1),
    "log2": (math.log2, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise CalculatorError(f"unexpected character {text[position]!r} at position {position}")
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "number":
            cleaned = raw.replace("_", "")
            try:
                is_float = any(c in cleaned for c in ".eE")
                value: Number = float(cleaned) if is_float else int(cleaned)
            except ValueError:
                raise CalculatorError(f"malformed number {raw!r} at position {position}") from None
            if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
                raise CalculatorError(f"the number at position {position} is too large")
            tokens.append(_Token("number", raw, position, value))
        elif kind == "name":
            tokens.append(_Token("name", raw, position))
        elif kind == "op":
            if raw == "^":
                raise CalculatorError(f"use ** for powers (found ^ at position {position})")
            tokens.append(_Token("op", raw, position))
        elif kind == "paren":
            tokens.append(_Token(raw, raw, position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Evaluates while parsing (each rule returns the value of what it read)."""

    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str) -> _Token:
        token = self.current
        if token.kind != kind:
            found = "the end of the expression" if token.kind == "end" else repr(token.text)
            raise CalculatorError(f"expected {kind!r} at position {token.position}, found {found}")
        return self.advance()

    def parse(self) -> Number:
        if self.current.kind == "end":
            raise CalculatorError("the expression is empty")
        value = self.expression()
        if self.current.kind != "end":
            raise CalculatorError(f"unexpected {self.current.text!r} at position {self.current.position}")
        return value

    def expression(self) -> Number:
        value = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.advance().text
            right = self.term()
            value = _check(value + right if op == "+" else value - right)
        return value

    def term(self) -> Number:
        value = self.unary()
        while self.current.kind == "op" and self.current.text in ("*", "/", "//", "%"):
            op = self.advance()
            right = self.unary()
            value = _binary(op, value, right)
        return value

    def unary(self) -> Number:
        if self.current.kind == "op" and self.current.text in "+-":
            op = self.advance().text
            self._enter()
            try:
                value = self.unary()
            finally:
                self.depth -= 1
            return -value if op == "-" else value
        return self.power()

    def power(self) -> Number:
        base = self.atom()
        if self.current.kind == "op" and self.current.text == "**":
            token = self.advance()
            self._enter()
            try:
                exponent = self.unary()  # right-associative; allows 2 ** -1
            finally:
                self.depth -= 1
            return _power(base, exponent, token.position)
        return base

    def atom(self) -> Number:
        token = self.current
        if token.kind == "number":
            self.advance()
            assert token.value is not None
            return token.value
        if token.kind == "(":
            self.advance()
            self._enter()
            try:
                value = self.expression()
            finally:
                self.depth -= 1
            self.expect(")")
            return value
        if token.kind == "name":
            self.advance()
            return self.call(token) if self.current.kind == "(" else self.constant(token)
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        raise CalculatorError(f"expected a number at position {token.position}, found {found}")

    def constant(self, token: _Token) -> Number:
        if token.text in _CONSTANTS:
            return _CONSTANTS[token.text]
        if token.text in _FUNCTIONS:
            raise CalculatorError(f"{token.text} is a function: write {token.text}(...)")
        raise CalculatorError(f"unknown name {token.text!r} at position {token.position}; {_known()}")

    def call(self, token: _Token) -> Number:
        spec = _FUNCTIONS.get(token.text)
        if spec is None:
            raise CalculatorError(f"unknown function {token.text!r} at position {token.position}; {_known()}")
        function, least, most = spec
        self.expect("(")
        self._enter()
        args: list[Number] = []
        try:
            if self.current.kind != ")":
                args.append(self.expression())
                while self.current.kind == ",":
                    self.advance()
                    args.append(self.expression())
        finally:
            self.depth -= 1
        self.expect(")")
        if not least <= len(args) <= most:
            expected = str(least) if least == most else f"{least} to {most}"
            raise CalculatorError(f"{token.text}() takes {expected} argument(s), got {len(args)}")
        try:
            return _check(function(*args))
        except (ValueError, OverflowError, ZeroDivisionError) as exc:
            shown = ", ".join(_short(a) for a in args)
            raise CalculatorError(f"{token.text}({shown}): {exc}") from None

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CalculatorError(f"the expression is nested more than {MAX_DEPTH} levels deep")


def _known() -> str:
    return f"known: {', '.join(sorted(_CONSTANTS))} and {', '.join(sorted(_FUNCTIONS))}()"


def _check(value: Number) -> Number:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalculatorError(f"the result is too large (more than {MAX_INT_BITS} bits)")
    if isinstance(value, float) and math.isinf(value):
        raise CalculatorError("the result is too large (overflow)")
    return value


def _binary(op: _Token, left: Number, right: Number) -> Number:
    if right == 0 and op.text in ("/", "//", "%"):
        raise CalculatorError(f"division by zero at position {op.position}")
    try:
        if op.text == "*":
            both_ints = isinstance(left, int) and isinstance(right, int)
            if both_ints and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:  # type: ignore[union-attr]
                raise CalculatorError(f"the result is too large (more than {MAX_INT_BITS} bits)")
            return _check(left * right)
        if op.text == "/":
            return _check(left / right)
        if op.text == "//":
            return _check(left // right)
        return _check(left % right)
    except OverflowError:
        raise CalculatorError("the result is too large (overflow)") from None


def _power(base: Number, exponent: Number, position: int) -> Number:
    if base == 0 and exponent < 0:
        raise CalculatorError(f"zero cannot be raised to a negative power (position {position})")
    magnitude = abs(base)
    if magnitude > 1 and exponent > 0:
        # bits of the result ~ exponent * log2(|base|); refuse before computing it
        bits = exponent * math.log2(magnitude)
        if bits > MAX_INT_BITS:
            raise CalculatorError(
                f"the exponent is too large: {_short(base)} ** {_short(exponent)} would have about "
                f"{int(bits * 0.30103) + 1} digits (the limit is {int(MAX_INT_BITS * 0.30103)})"
            )
    try:
        result = base**exponent
    except OverflowError:
        raise CalculatorError("the result is too large (overflow)") from None
    if isinstance(result, complex):
        raise CalculatorError(
            f"{_short(base)} ** {_short(exponent)} is not a real number (negative base, fractional power)"
        )
    return _check(result)


def _short(value: Number) -> str:
    text = repr(value)
    text = text if len(text) <= 30 else text[:27] + "..."
    return f"({text})" if value < 0 else text


def calculate(expression: str) -> Number:
    """The value of an arithmetic ``expression``; :class:`CalculatorError` explains bad input."""
    if not isinstance(expression, str):
        raise CalculatorError(f"the expression must be a string, got {type(expression).__name__}")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise CalculatorError(f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters")
    return _Parser(expression).parse()


def _calculator(expression: str) -> Number:
    """Evaluate an arithmetic expression and return its value.

    Args:
        expression: The expression, e.g. "(3 + 4) * 2" or "sqrt(2) ** 2". Supports + - * / // % **,
            parentheses, pi, e and the functions abs, round, min, max, sqrt, exp, log, log10, log2,
            sin, cos, tan, floor, ceil.
    """
    return calculate(expression)


calculator = Tool(_calculator, name="calculator")
