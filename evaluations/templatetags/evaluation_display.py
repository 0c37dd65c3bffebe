"""Template filters of the evaluation admin pages."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@register.filter
def brief(value: Any) -> str:
    """Field values for a table cell: the value alone for one field, ``name: value · ...`` for
    several, JSON for non-text values; ``—`` for none."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        if len(value) == 1:
            return _text(next(iter(value.values())))
        return " · ".join(f"{name}: {_text(item)}" for name, item in value.items())
    return _text(value)
