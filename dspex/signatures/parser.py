"""Parser for the string signature syntax: ``"context: list[str], question -> answer: int"``.

A small tokenizer and recursive-descent parser (no ``eval``, no ``ast``) so every error can name
the character position and the reason.
"""

from __future__ import annotations

import keyword
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Optional, Union

from dspex.signatures.errors import SignatureError

__all__ = ["BUILTIN_TYPE_NAMES", "UNKNOWN_TYPE", "ParsedField", "parse_signature"]

UNKNOWN_TYPE = "unknown type"  # how a SignatureError about an unresolved type name begins

_BUILTIN_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "bytes": bytes,
    "list": list,
    "dict": dict,
    "tuple": tuple,
    "set": set,
    "frozenset": frozenset,
    "List": typing.List,  # noqa: UP006 - the typing aliases, as DSPy resolves them
    "Dict": typing.Dict,  # noqa: UP006
    "Tuple": typing.Tuple,  # noqa: UP006
    "Set": typing.Set,  # noqa: UP006
    "Any": Any,
    "Optional": Optional,
    "Union": Union,
    "Literal": Literal,
    "None": type(None),
    "NoneType": type(None),
}
BUILTIN_TYPE_NAMES = frozenset(_BUILTIN_TYPES)
"""Type names every signature string may use without ``custom_types``."""
_GENERIC_ARITY = {list: 1, set: 1, frozenset: 1, dict: 2}
# Special forms that are not types on their own (pydantic cannot validate a bare ``Optional``).
_NEEDS_ARGUMENTS: dict[Any, str] = {
    Literal: "Literal['a', 'b']",
    Optional: "Optional[int]",
    Union: "Union[int, str]",
}


@dataclass(frozen=True)
class ParsedField:
    """One field of a parsed signature string; ``type_undefined`` when written without a type."""

    name: str
    annotation: Any
    type_undefined: bool
    side: str  # "input" | "output"


@dataclass(frozen=True)
class _Token:
    kind: str  # NAME STRING NUMBER OP ARROW END
    text: str
    pos: int
    value: Any = None


_SINGLE_OPS = "[],:|()"


def _tokenize(spec: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(spec)
    while i < n:
        ch = spec[i]
        if ch.isspace():
            i += 1
        elif spec.startswith("...", i):
            tokens.append(_Token("ELLIPSIS", "...", i, Ellipsis))
            i += 3
        elif spec.startswith("->", i):
            tokens.append(_Token("ARROW", "->", i))
            i += 2
        elif ch in _SINGLE_OPS:
            tokens.append(_Token("OP", ch, i))
            i += 1
        elif ch in "'\"":
            end = i + 1
            chars: list[str] = []
            while end < n and spec[end] != ch:
                if spec[end] == "\\" and end + 1 < n:
                    end += 1
                chars.append(spec[end])
                end += 1
            if end >= n:
                raise SignatureError("unterminated string literal", spec=spec, position=i)
            tokens.append(_Token("STRING", spec[i : end + 1], i, "".join(chars)))
            i = end + 1
        elif ch.isdigit() or (ch == "-" and i + 1 < n and spec[i + 1].isdigit()):
            end = i + 1
            while end < n and (spec[end].isdigit() or spec[end] == "."):
                end += 1
            text = spec[i:end]
            try:
                value: Any = float(text) if "." in text else int(text)
            except ValueError:
                raise SignatureError(f"invalid number {text!r}", spec=spec, position=i) from None
            tokens.append(_Token("NUMBER", text, i, value))
            i = end
        elif ch.isalpha() or ch == "_":
            end = i + 1
            while end < n and (spec[end].isalnum() or spec[end] in "_."):
                end += 1
            tokens.append(_Token("NAME", spec[i:end], i))
            i = end
        else:
            raise SignatureError(f"unexpected character {ch!r}", spec=spec, position=i)
    tokens.append(_Token("END", "", n))
    return tokens


class _Parser:
    def __init__(self, spec: str, names: Mapping[str, Any]):
        self.spec = spec
        self.names = names
        self.tokens = _tokenize(spec)
        self.index = 0

    # -- helpers -------------------------------------------------------------------------
    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, reason: str, position: int | None = None) -> SignatureError:
        return SignatureError(
            reason, spec=self.spec, position=self.current.pos if position is None else position
        )

    def expect_op(self, op: str, context: str) -> _Token:
        if self.current.kind == "OP" and self.current.text == op:
            return self.advance()
        found = self.current.text or "end of string"
        return_reason = f"expected '{op}' {context}, found {found!r}"
        raise self.fail(return_reason)

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> list[ParsedField]:
        arrows = [t for t in self.tokens if t.kind == "ARROW"]
        if not arrows:
            raise SignatureError(
                "missing '->' between input and output fields", spec=self.spec, position=len(self.spec)
            )
        if len(arrows) > 1:
            raise SignatureError(
                "more than one '->' (a signature has exactly one)", spec=self.spec, position=arrows[1].pos
            )
        inputs = self.parse_fields("input", stop="ARROW")
        self.advance()  # the arrow
        outputs = self.parse_fields("output", stop="END")
        if not outputs:
            raise self.fail("a signature needs at least one output field")
        self.check_names(inputs, outputs)
        return inputs + outputs

    def parse_fields(self, side: str, stop: str) -> list[ParsedField]:
        fields: list[ParsedField] = []
        if self.current.kind == stop:
            return fields
        while True:
            fields.append(self.parse_field(side))
            if self.current.kind == stop:
                return fields
            if self.current.kind == "OP" and self.current.text == ",":
                self.advance()
                if self.current.kind == stop:
                    raise self.fail("empty field name after ','")
                continue
            if self.current.kind == "OP" and self.current.text == "]":
                raise self.fail("unbalanced ']' with no matching '['")
            raise self.fail(f"expected ',' or '->' after a field, found {self.current.text!r}")

    def parse_field(self, side: str) -> ParsedField:
        token = self.current
        if token.kind != "NAME":
            what = "empty field name" if token.text in (",", ":", "->", "") else "invalid field name"
            raise self.fail(f"{what} (found {token.text or 'end of string'!r})")
        name = token.text
        if "." in name or not name.isidentifier() or keyword.iskeyword(name):
            raise self.fail(f"invalid field name {name!r}: must be a Python identifier")
        self.advance()
        if self.current.kind == "OP" and self.current.text == ":":
            self.advance()
            return ParsedField(name, self.parse_complete_type(), False, side)
        return ParsedField(name, str, True, side)

    def parse_complete_type(self) -> Any:
        """A type that can annotate a value: not a bare ``Literal``/``Optional``/``Union``."""
        first = self.current
        annotation = self.parse_type()
        example = next((ex for form, ex in _NEEDS_ARGUMENTS.items() if annotation is form), None)
        if example is not None:
            raise self.fail(f"{first.text} needs type arguments, e.g. {example}", first.pos)
        return annotation

    def parse_type(self) -> Any:
        start = self.current.pos
        left = self.parse_atom()
        while self.current.kind == "OP" and self.current.text == "|":
            bar = self.advance()
            right = self.parse_atom()
            try:
                if right is type(None):
                    left = Optional[left]  # noqa: UP045 - build the typing form DSPy builds
                elif left is type(None):
                    left = Optional[right]  # noqa: UP045
                else:
                    left = Union[left, right]  # noqa: UP007
            except TypeError as exc:
                raise self.fail(f"invalid union with '|': {exc}", bar.pos) from None
        if self.current.kind == "OP" and self.current.text in ":[":
            raise self.fail(f"unexpected {self.current.text!r} in the type starting at {start}")
        return left

    def parse_atom(self) -> Any:
        token = self.current
        if token.kind == "OP" and token.text == "(":  # a parenthesised type: str | (int | float)
            self.advance()
            inner = self.parse_type()
            self.expect_op(")", f"to close the '(' at position {token.pos}")
            return inner
        if token.kind == "STRING" or token.kind == "NUMBER":
            raise self.fail(f"a literal value {token.text} is only allowed inside Literal[...]")
        if token.kind != "NAME":
            raise self.fail(f"expected a type, found {token.text or 'end of string'!r}")
        self.advance()
        base = self.resolve(token)
        if self.current.kind == "OP" and self.current.text == "[":
            open_bracket = self.advance()
            if base is Literal:
                args = self.parse_literal_args(open_bracket)
                return Literal[args]
            args = self.parse_type_args(open_bracket, allow_bare_forms=base in (Optional, Union))
            return self.apply(base, args, token)
        return base

    def parse_type_args(self, open_bracket: _Token, allow_bare_forms: bool) -> tuple[Any, ...]:
        args: list[Any] = []
        while True:
            if self.current.kind == "END":
                raise self.fail("unbalanced '[': no matching ']'", open_bracket.pos)
            if self.current.kind == "ELLIPSIS" and args:  # tuple[int, ...]
                args.append(self.advance().value)
            elif allow_bare_forms:  # typing itself rejects Union[int, Optional]; see apply()
                args.append(self.parse_type())
            else:
                args.append(self.parse_complete_type())
            if self.current.kind == "OP" and self.current.text == ",":
                self.advance()
                continue
            if self.current.kind == "OP" and self.current.text == "]":
                self.advance()
                return tuple(args)
            raise self.fail("unbalanced '[': no matching ']'", open_bracket.pos)

    def parse_literal_args(self, open_bracket: _Token) -> tuple[Any, ...]:
        values: list[Any] = []
        while True:
            token = self.current
            if token.kind == "END":
                raise self.fail("unbalanced '[': no matching ']'", open_bracket.pos)
            if token.kind in ("STRING", "NUMBER"):
                values.append(token.value)
            elif token.kind == "NAME" and token.text in ("True", "False", "None"):
                values.append({"True": True, "False": False, "None": None}[token.text])
            else:
                raise self.fail(
                    f"Literal values must be strings, numbers, True, False or None, found {token.text!r}"
                )
            self.advance()
            if self.current.kind == "OP" and self.current.text == ",":
                self.advance()
                continue
            if self.current.kind == "OP" and self.current.text == "]":
                self.advance()
                return tuple(values)
            raise self.fail("unbalanced '[': no matching ']'", open_bracket.pos)

    def resolve(self, token: _Token) -> Any:
        name = token.text
        if name in self.names:
            return self.names[name]
        if "." in name:
            head, _, rest = name.partition(".")
            obj = self.names.get(head)
            if obj is None and head == "typing":
                obj = typing
            for part in rest.split("."):
                obj = getattr(obj, part, None) if obj is not None else None
            if obj is not None:
                return obj
        raise self.fail(
            f"{UNKNOWN_TYPE} {name!r} (known: str, int, float, bool, list, dict, tuple, Literal, "
            "Optional, Union, Any; pass other types with custom_types={...})",
            token.pos,
        )

    def apply(self, base: Any, args: tuple[Any, ...], token: _Token) -> Any:
        if Ellipsis in args and base not in (tuple, typing.Tuple):  # noqa: UP006
            raise self.fail("'...' is only allowed in tuple[T, ...]", token.pos)
        if base is Optional and len(args) != 1:
            raise self.fail("Optional takes exactly one type", token.pos)
        arity = _GENERIC_ARITY.get(typing.get_origin(base) or base)
        if arity is not None and len(args) != arity:
            raise self.fail(f"{token.text}[...] takes {arity} type argument(s), got {len(args)}", token.pos)
        try:
            if base is Optional:
                return Optional[args[0]]  # noqa: UP045
            if base is Union:
                return Union[args]  # noqa: UP007
            if base is tuple:
                return types.GenericAlias(tuple, args)
            return base[args if len(args) > 1 else args[0]]
        except TypeError as exc:
            if base is Optional or base is Union:
                raise self.fail(f"invalid {token.text}[...]: {exc}", token.pos) from None
            raise self.fail(f"{token.text} does not take type arguments", token.pos) from None

    def check_names(self, inputs: list[ParsedField], outputs: list[ParsedField]) -> None:
        seen: set[str] = set()
        for parsed in inputs + outputs:
            if parsed.name in seen:
                both = any(f.name == parsed.name for f in inputs) and any(
                    f.name == parsed.name for f in outputs
                )
                reason = (
                    f"field {parsed.name!r} is on both sides of '->' (inputs and outputs need distinct names)"
                    if both
                    else f"duplicate field {parsed.name!r}"
                )
                raise SignatureError(reason, spec=self.spec, position=self._position_of(parsed.name))
            seen.add(parsed.name)

    def _position_of(self, name: str) -> int:
        positions = [t.pos for t in self.tokens if t.kind == "NAME" and t.text == name]
        return positions[1] if len(positions) > 1 else positions[0]


@lru_cache(maxsize=1024)
def _parse_cached(spec: str) -> tuple[ParsedField, ...]:
    return tuple(_Parser(spec, _BUILTIN_TYPES).parse())


def parse_signature(spec: str, custom_types: Mapping[str, Any] | None = None) -> list[ParsedField]:
    """Parse a signature string into fields. Raises :class:`SignatureError` with a position.

    Results for strings without custom types are cached: parsing the same string twice is a
    dictionary lookup.
    """
    if not isinstance(spec, str):
        raise SignatureError(f"a signature string was expected, got {type(spec).__name__}")
    if not custom_types:
        return list(_parse_cached(spec))
    return _Parser(spec, {**_BUILTIN_TYPES, **custom_types}).parse()


parse_signature.cache_info = _parse_cached.cache_info  # type: ignore[attr-defined]
