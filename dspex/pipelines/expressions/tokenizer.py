"""Split an expression into tokens (numbers, strings, names, keywords, operators)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from dspex.pipelines.expressions.errors import ExpressionError

__all__ = ["KEYWORDS", "MAX_LENGTH", "Token", "tokenize"]

MAX_LENGTH = 2000
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null", "True", "False", "None"})
_OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",", ".", "$")
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_HINTS = {
    "=": "use == to compare",
    "&": "use `and`",
    "|": "use `or`",
    "!": "use `not` (or != to compare)",
    "*": "there is no ** operator",
    "%": "there is no % operator",
    "{": "object literals are not supported",
    "`": "backticks are not supported",
}


@dataclass(frozen=True, slots=True)
class Token:
    """``kind`` is ``number``, ``string``, ``name``, ``keyword``, ``op`` or ``end``."""

    kind: str
    value: object
    position: int


def tokenize(source: str) -> list[Token]:
    """The tokens of ``source``, ending with an ``end`` token. Raises :class:`ExpressionError`."""
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be a string, got {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(source)} characters, at most {MAX_LENGTH})",
            expression=source,
        )
    tokens: list[Token] = []
    index, size = 0, len(source)
    while index < size:
        char = source[index]
        if char.isspace():
            index += 1
            continue
        if char.isdigit() or (char == "." and index + 1 < size and source[index + 1].isdigit()):
            index = _number(source, index, tokens)
        elif char in "'\"":
            index = _string(source, index, tokens)
        elif char.isalpha() or char == "_":
            match = _NAME.match(source, index)
            assert match is not None
            name = match.group()
            if name.startswith("__"):
                raise ExpressionError(
                    f"names starting with '__' are not allowed ({name!r})", expression=source, position=index
                )
            tokens.append(Token("keyword" if name in KEYWORDS else "name", name, index))
            index = match.end()
        else:
            index = _operator(source, index, tokens)
    tokens.append(Token("end", None, size))
    return tokens


def _number(source: str, index: int, tokens: list[Token]) -> int:
    match = _NUMBER.match(source, index)
    assert match is not None
    text = match.group()
    end = match.end()
    if end < len(source) and (source[end].isalpha() or source[end] == "_"):
        raise ExpressionError(
            f"malformed number {source[index : end + 1]!r}", expression=source, position=index
        )
    value: int | float
    if any(c in text for c in ".eE"):
        value = float(text)
        if math.isinf(value):
            raise ExpressionError(f"number {text!r} is out of range", expression=source, position=index)
    else:
        if len(text) > 100:
            raise ExpressionError("number literal is too long", expression=source, position=index)
        value = int(text)
    tokens.append(Token("number", value, index))
    return end


def _string(source: str, index: int, tokens: list[Token]) -> int:
    quote = source[index]
    chars: list[str] = []
    position = index + 1
    while position < len(source):
        char = source[position]
        if char == quote:
            tokens.append(Token("string", "".join(chars), index))
            return position + 1
        if char == "\\":
            if position + 1 >= len(source):
                break
            escaped = source[position + 1]
            if escaped == "u":
                digits = source[position + 2 : position + 6]
                if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise ExpressionError(
                        "\\u must be followed by 4 hex digits", expression=source, position=position
                    )
                chars.append(chr(int(digits, 16)))
                position += 6
                continue
            if escaped not in _ESCAPES:
                raise ExpressionError(
                    f"unknown escape \\{escaped} in string", expression=source, position=position
                )
            chars.append(_ESCAPES[escaped])
            position += 2
            continue
        chars.append(char)
        position += 1
    raise ExpressionError("unterminated string", expression=source, position=index)


def _operator(source: str, index: int, tokens: list[Token]) -> int:
    for op in _OPERATORS:
        if source.startswith(op, index):
            if op == "*" and source.startswith("**", index):
                break
            tokens.append(Token("op", op, index))
            return index + len(op)
    char = source[index]
    hint = _HINTS.get(char)
    reason = f"unexpected character {char!r}" + (f" ({hint})" if hint else "")
    raise ExpressionError(reason, expression=source, position=index)
