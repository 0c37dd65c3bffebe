"""Infinity and NaN at the storage boundary: JSON has neither.

Python's ``json`` writes ``Infinity``/``NaN``, which PostgreSQL's ``jsonb`` and SQLite's
``JSON_VALID`` refuse, so a run whose record holds one could not be saved. The policy:

- a run's **outputs** (its typed API result) must be finite: :func:`first_non_finite` finds the
  offending field and the run fails saying so;
- **inputs** with one are refused before anything runs (a 400 naming the field);
- **records** (step records, attempts, LM call traces: diagnostics) keep the value spelled as a
  string, ``"Infinity"``, ``"-Infinity"`` or ``"NaN"`` (:func:`marked`), so the run can still be
  recorded, whatever it produced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["first_non_finite", "marked", "spelling"]

# Deeper values are not searched (budgets keep pipeline values far shallower).
_MAX_DEPTH = 200


def spelling(number: float) -> str:
    """``"NaN"``, ``"Infinity"`` or ``"-Infinity"``."""
    if math.isnan(number):
        return "NaN"
    return "Infinity" if number > 0 else "-Infinity"


def first_non_finite(value: Any, path: str = "") -> tuple[str, float] | None:
    """``(path, number)`` of the first non-finite float in ``value`` (``answer``,
    ``items[2].score``), or ``None``."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return where or "(the value)", item
        elif depth < _MAX_DEPTH and isinstance(item, Mapping):
            stack.extend(
                (child, f"{where}.{key}" if where else str(key), depth + 1)
                for key, child in reversed(list(item.items()))
            )
        elif depth < _MAX_DEPTH and isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in reversed(list(enumerate(item))))
    return None


def marked(value: Any) -> Any:
    """A copy of JSON data with every non-finite float replaced by its :func:`spelling`
    (``value`` itself when there is none)."""
    if first_non_finite(value) is None:
        return value
    return _copy_marked(value, 0)


def _copy_marked(value: Any, depth: int) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else spelling(value)
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {key: _copy_marked(child, depth + 1) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [_copy_marked(child, depth + 1) for child in value]
    return value
