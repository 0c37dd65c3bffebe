"""The whitelisted functions an expression may call. Nothing else is callable."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dspex.pipelines.expressions.errors import ExpressionError
from dspex.pipelines.expressions.values import (
    MAX_ITEMS,
    MAX_TEXT,
    Failure,
    as_mapping,
    check_size,
    is_number,
    to_text,
    type_name,
)

if TYPE_CHECKING:
    from dspex.pipelines.expressions.budget import Meter

__all__ = ["FUNCTIONS", "Function", "contains"]

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Function:
    """A callable with an arity range (``max_args=None``: any number).

    ``cost(meter, *args)``, when given, runs before the call: it refuses a call whose result
    would be over budget (before anything is built) and returns the units of work to charge.
    """

    name: str
    implementation: Callable[..., Any]
    min_args: int
    max_args: int | None
    usage: str
    cost: Callable[..., int] | None = None

    def check_arity(self, count: int, source: str, position: int) -> None:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            raise ExpressionError(
                f"{self.name}() got {count} argument{'s' if count != 1 else ''}; usage: {self.usage}",
                expression=source,
                position=position,
            )


def _text(value: Any, function: str, what: str = "argument") -> str:
    if not isinstance(value, str):
        raise Failure(f"{function}() expects a string {what}, got a {type_name(value)}")
    return value


def _len(value: Any) -> int:
    if isinstance(value, str | list | tuple):
        return len(value)
    fields = as_mapping(value)
    if fields is None:
        raise Failure(f"len() expects a string, list or object, got a {type_name(value)}")
    return len(fields)


def _int(value: Any) -> int:
    if isinstance(value, bool) or is_number(value):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 100:
            raise Failure("int() argument is too long")
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise Failure(f"int() cannot read {value!r} as a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise Failure(f"int() cannot convert {value!r}") from None
            return int(number)
    raise Failure(f"int() expects a number or string, got a {type_name(value)}")


def _float(value: Any) -> float:
    if isinstance(value, bool) or is_number(value):
        return float(value)
    if isinstance(value, str):
        if len(value) > 100:
            raise Failure("float() argument is too long")
        try:
            return float(value.strip())
        except ValueError:
            raise Failure(f"float() cannot read {value!r} as a number") from None
    raise Failure(f"float() expects a number or string, got a {type_name(value)}")


def _abs(value: Any) -> Any:
    if not is_number(value):
        raise Failure(f"abs() expects a number, got a {type_name(value)}")
    return abs(value)


def _round(value: Any, digits: Any = 0) -> Any:
    if not is_number(value):
        raise Failure(f"round() expects a number, got a {type_name(value)}")
    if not isinstance(digits, int) or isinstance(digits, bool) or not -20 <= digits <= 20:
        raise Failure("round() digits must be an integer between -20 and 20")
    return round(value, digits)


def _extreme(name: str, pick: Callable[..., Any]) -> Callable[..., Any]:
    def implementation(*args: Any) -> Any:
        items = list(args[0]) if len(args) == 1 and isinstance(args[0], list | tuple) else list(args)
        if not items:
            raise Failure(f"{name}() of an empty list")
        if all(is_number(item) for item in items) or all(isinstance(item, str) for item in items):
            return pick(items)
        raise Failure(f"{name}() needs all numbers or all strings")

    return implementation


def _sum(values: Any) -> Any:
    if not isinstance(values, list | tuple) or not all(is_number(v) for v in values):
        raise Failure("sum() expects a list of numbers")
    return check_size(sum(values))


def contains(container: Any, item: Any) -> bool:
    """``item in container`` with the language's type rules."""
    if isinstance(container, str):
        if not isinstance(item, str):
            raise Failure(f"`in` a string needs a string on the left, got a {type_name(item)}")
        return item in container
    if isinstance(container, list | tuple):
        return item in container
    fields = as_mapping(container)
    if fields is not None:
        return item in fields
    raise Failure(f"cannot use `in` on a {type_name(container)}")


def _split(value: Any, separator_value: Any = None) -> list[str]:
    text = _text(value, "split")
    separator = None
    if separator_value is not None:
        separator = _text(separator_value, "split", "separator")
        if not separator:
            raise Failure("split() separator must not be empty")
    parts = text.split(separator)
    if len(parts) > MAX_ITEMS:
        raise Failure(f"split() result is too long (more than {MAX_ITEMS} items)")
    return parts


def _join(values: Any, separator_value: Any = "") -> str:
    separator = _text(separator_value, "join", "separator")
    if not isinstance(values, list | tuple):
        raise Failure(f"join() expects a list, got a {type_name(values)}")
    return check_size(separator.join(to_text(v) for v in values))


def _replace(text_value: Any, old_value: Any, new_value: Any) -> str:
    text = _text(text_value, "replace")
    old, new = _text(old_value, "replace"), _text(new_value, "replace")
    if not old:
        raise Failure("replace() needs a non-empty text to replace")
    if len(new) > len(old) and text.count(old) * (len(new) - len(old)) + len(text) > MAX_TEXT:
        raise Failure(f"replace() result is too long (more than {MAX_TEXT} characters)")
    return text.replace(old, new)


def _coalesce(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


# -- costs: checked before the call, from the arguments' sizes ------------------------------------
def _text_length(meter: Meter, value: Any) -> int:
    """Characters of ``to_text(value)`` (strings unquoted, containers as JSON), without building it."""
    if isinstance(value, str):
        return len(value)
    return meter.size(value)[1] - (2 if value is None or isinstance(value, bool) else 0)


def _str_cost(meter: Meter, value: Any) -> int:
    if isinstance(value, str) or is_number(value) or value is None or isinstance(value, bool):
        return 1
    length = _text_length(meter, value)
    if length > MAX_TEXT:
        raise Failure(f"text result is too long (more than {MAX_TEXT} characters)")
    return meter.size(value)[0]


def _join_cost(meter: Meter, values: Any, separator: Any = "") -> int:
    if not isinstance(values, list | tuple) or not isinstance(separator, str):
        return 1  # the call itself reports the wrong type
    length = len(separator) * max(len(values) - 1, 0)
    for value in values:
        length += _text_length(meter, value)
        if length > MAX_TEXT:
            raise Failure(f"text result is too long (more than {MAX_TEXT} characters)")
    return len(values) + length // 64


def _split_cost(meter: Meter, text: Any, separator: Any = None) -> int:
    if not isinstance(text, str):
        return 1
    if isinstance(separator, str) and separator:
        parts = text.count(separator) + 1
    elif separator is None:
        parts = sum(1 for _ in itertools.islice(_WORD.finditer(text), MAX_ITEMS + 1))
    else:
        return 1
    if parts > MAX_ITEMS:
        raise Failure(f"split() result is too long (more than {MAX_ITEMS} items)")
    return parts + len(text) // 64


def _scan_cost(meter: Meter, value: Any, *rest: Any) -> int:
    """Functions that read every element of their first argument once."""
    if isinstance(value, str):
        return len(value) // 64 + 1
    if isinstance(value, list | tuple):
        return len(value) + 1
    return 1


def _extreme_cost(meter: Meter, *args: Any) -> int:
    if len(args) == 1:
        return _scan_cost(meter, args[0])
    return len(args)


def _contains_cost(meter: Meter, container: Any, item: Any) -> int:
    if isinstance(container, str):
        return len(container) // 64 + 1
    return meter.size(container)[0]


def _define(
    name: str,
    implementation: Callable[..., Any],
    min_args: int,
    max_args: int | None,
    usage: str,
    cost: Callable[..., int] | None = None,
) -> tuple[str, Function]:
    return name, Function(name, implementation, min_args, max_args, usage, cost)


FUNCTIONS: dict[str, Function] = dict(
    [
        _define("len", _len, 1, 1, "len(value)"),
        _define("lower", lambda s: _text(s, "lower").lower(), 1, 1, "lower(text)", _scan_cost),
        _define("upper", lambda s: _text(s, "upper").upper(), 1, 1, "upper(text)", _scan_cost),
        _define("strip", lambda s: _text(s, "strip").strip(), 1, 1, "strip(text)", _scan_cost),
        _define("str", to_text, 1, 1, "str(value)", _str_cost),
        _define("int", _int, 1, 1, "int(value)"),
        _define("float", _float, 1, 1, "float(value)"),
        _define("bool", bool, 1, 1, "bool(value)"),
        _define("abs", _abs, 1, 1, "abs(number)"),
        _define("round", _round, 1, 2, "round(number[, digits])"),
        _define("min", _extreme("min", min), 1, None, "min(list) or min(a, b, ...)", _extreme_cost),
        _define("max", _extreme("max", max), 1, None, "max(list) or max(a, b, ...)", _extreme_cost),
        _define("sum", _sum, 1, 1, "sum(list)", _scan_cost),
        _define("contains", contains, 2, 2, "contains(container, item)", _contains_cost),
        _define(
            "startswith",
            lambda s, p: _text(s, "startswith").startswith(_text(p, "startswith")),
            2,
            2,
            "startswith(text, prefix)",
        ),
        _define(
            "endswith",
            lambda s, p: _text(s, "endswith").endswith(_text(p, "endswith")),
            2,
            2,
            "endswith(text, suffix)",
        ),
        _define("split", _split, 1, 2, "split(text[, separator])", _split_cost),
        _define("join", _join, 1, 2, "join(list[, separator])", _join_cost),
        _define("replace", _replace, 3, 3, "replace(text, old, new)", _scan_cost),
        _define("coalesce", _coalesce, 1, None, "coalesce(a, b, ...)"),
    ]
)
