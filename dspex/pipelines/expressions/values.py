"""What expressions can read and produce: plain data only, with size limits.

Values are ``None``, ``bool``, ``int``, ``float``, ``str``, lists and mappings (step outputs are
mappings; :class:`~dspex.primitives.Example`/``Prediction`` and pydantic models are read as their
fields). Reading a field is a key lookup, never attribute access on a Python object.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic

from dspex.primitives.example import Example

__all__ = [
    "MAX_INT_BITS",
    "MAX_ITEMS",
    "MAX_TEXT",
    "Failure",
    "as_mapping",
    "check_size",
    "is_number",
    "read_field",
    "read_index",
    "to_text",
    "type_name",
]

MAX_TEXT = 1_000_000
MAX_ITEMS = 100_000
MAX_INT_BITS = 1024


class Failure(Exception):
    """Raised by value helpers; the evaluator turns it into an ``ExpressionError`` at a position."""


def type_name(value: Any) -> str:
    """The expression language's name for the type of ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    if as_mapping(value) is not None:
        return "object"
    return type(value).__name__


def is_number(value: Any) -> bool:
    """Numbers are ints and floats, not bools."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_mapping(value: Any) -> Mapping[str, Any] | None:
    """The fields of an object-like value (mapping, Example/Prediction, pydantic model), else None."""
    if isinstance(value, Mapping):
        return value
    if isinstance(value, Example):
        return value._store
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump()
    return None


def read_field(value: Any, name: str) -> Any:
    """``value.name`` — a key lookup on an object-like value."""
    fields = as_mapping(value)
    if fields is None:
        raise Failure(f"cannot read field {name!r} of a {type_name(value)}")
    if name not in fields:
        known = ", ".join(sorted(str(k) for k in fields)[:20]) or "none"
        raise Failure(f"no field {name!r} (fields: {known})")
    return fields[name]


def read_index(value: Any, index: Any) -> Any:
    """``value[index]``: lists and strings by integer position, objects by string key."""
    if isinstance(value, list | tuple | str):
        if not isinstance(index, int) or isinstance(index, bool):
            raise Failure(f"a {type_name(value)} index must be an integer, got a {type_name(index)}")
        if not -len(value) <= index < len(value):
            raise Failure(f"index {index} is out of range for a {type_name(value)} of length {len(value)}")
        return value[index]
    if as_mapping(value) is not None:
        if not isinstance(index, str):
            raise Failure(f"an object key must be a string, got a {type_name(index)}")
        return read_field(value, index)
    raise Failure(f"cannot index a {type_name(value)}")


T = TypeVar("T")


def check_size(value: T) -> T:
    """``value`` when it is within the limits for text, list and integer sizes (and, for a
    float, finite)."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise Failure(f"text result is too long (more than {MAX_TEXT} characters)")
    if isinstance(value, list) and len(value) > MAX_ITEMS:
        raise Failure(f"list result is too long (more than {MAX_ITEMS} items)")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise Failure(f"number is too large (more than {MAX_INT_BITS} bits)")
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no Infinity or NaN: such a value could be neither stored nor sent.
        raise Failure(f"the result is not a finite number ({value})")
    return value


def to_text(value: Any) -> str:
    """``str(value)`` in the language's spelling: ``true``/``false``/``null``, JSON for containers."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return str(value)
    from dspex.adapters.formatting import jsonable

    return json.dumps(jsonable(value), ensure_ascii=False)
