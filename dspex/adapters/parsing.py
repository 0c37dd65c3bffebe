"""Turn completion text into typed values (DSPy's rules, without eval)."""

from __future__ import annotations

import ast
import json
import re
import types
from typing import Any, Literal, Union, get_args, get_origin

from dspex.signatures.types import is_enum, type_adapter

__all__ = ["load_jsonish", "parse_value"]

_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?```$", re.DOTALL)


def load_jsonish(text: str) -> Any:
    """Best-effort structured reading of ``text``: JSON, then Python literals (safely, with
    ``ast.literal_eval``), then JSON inside a code fence. Returns ``text`` itself on failure."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    try:
        return ast.literal_eval(stripped)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    return text


def _enum_member(enum_type: Any, identifier: Any) -> Any:
    for member in enum_type:
        if member.value == identifier:
            return member
    if isinstance(identifier, str) and identifier.strip() in enum_type.__members__:
        return enum_type[identifier.strip()]
    raise ValueError(f"{identifier!r} is not a valid name or value of {enum_type.__name__}")


def parse_value(value: Any, annotation: Any) -> Any:
    """Coerce a parsed field's text to ``annotation``. Raises ``ValueError`` when it can't."""
    if annotation is str:
        return str(value)
    if is_enum(annotation):
        return _enum_member(annotation, value.strip() if isinstance(value, str) else value)
    origin = get_origin(annotation)
    if origin is Literal:
        allowed = get_args(annotation)
        if value in allowed:
            return value
        if isinstance(value, str):
            candidate = value.strip()
            if candidate.startswith(("Literal[", "str[")) and candidate.endswith("]"):
                candidate = candidate[candidate.find("[") + 1 : -1]
            if len(candidate) > 1 and candidate[0] == candidate[-1] and candidate[0] in "\"'":
                candidate = candidate[1:-1]
            if candidate in allowed:
                return candidate
            value = candidate
    adapter = type_adapter(annotation)
    if not isinstance(value, str):
        return adapter.validate_python(value)
    if (
        origin in (Union, types.UnionType)
        and type(None) in get_args(annotation)
        and str in get_args(annotation)
    ):
        return adapter.validate_python(value)
    return adapter.validate_python(load_jsonish(value))
