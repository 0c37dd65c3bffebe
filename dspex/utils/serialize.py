"""Values made JSON-friendly the way DSPy's ``serialize_object`` makes them (demos, states)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["serialize_object"]


def serialize_object(obj: Any) -> Any:
    """``obj`` with every pydantic model dumped in JSON mode (URLs, datetimes become text), walking
    into lists, tuples (kept as tuples) and dicts; anything else is returned as it is."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {key: serialize_object(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [serialize_object(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(serialize_object(item) for item in obj)
    return obj
