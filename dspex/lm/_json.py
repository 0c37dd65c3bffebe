"""JSON encoding for request bodies and cache keys.

Uses ``orjson`` when it is installed and the standard library otherwise. Both produce the same
bytes for ``dumps_canonical`` (compact separators, sorted keys, UTF-8), so cache keys do not
depend on which one is available; the one exception is floats that need an exponent (``1e-07``
vs ``1e-7``), which can only cause a cache miss, never a wrong hit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["dumps", "dumps_canonical", "loads", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Fallback conversion for values the JSON encoders do not know (pydantic models, sets)."""
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        return value.model_json_schema()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


_compact = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=to_jsonable
).encode
_canonical = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False, default=to_jsonable
).encode


def stdlib_dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON bytes (standard library)."""
    return _compact(obj).encode()


def stdlib_dumps_canonical(obj: Any) -> bytes:
    """Deterministic JSON bytes with sorted keys (standard library)."""
    return _canonical(obj).encode()


# orjson's and the standard library's signatures differ; both take what the callers pass.
loads: Callable[[bytes | str], Any]

try:
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    dumps = stdlib_dumps
    dumps_canonical = stdlib_dumps_canonical
    loads = json.loads
else:

    def dumps(obj: Any) -> bytes:
        """Compact UTF-8 JSON bytes."""
        return orjson.dumps(obj, default=to_jsonable)

    def dumps_canonical(obj: Any) -> bytes:
        """Deterministic JSON bytes with sorted keys, used for cache keys."""
        return orjson.dumps(obj, default=to_jsonable, option=orjson.OPT_SORT_KEYS)

    loads = orjson.loads
