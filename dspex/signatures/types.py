"""Type helpers shared by signatures and adapters: names, validators, JSON schemas, and values
made JSON-compatible (:func:`jsonable`)."""

from __future__ import annotations

import enum
import inspect
import types
from functools import lru_cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic
from pydantic import TypeAdapter

__all__ = [
    "allows_none",
    "annotation_name",
    "is_enum",
    "json_schema_of",
    "jsonable",
    "type_adapter",
]

_SCALARS = (str, int, float, bool)


def annotation_name(annotation: Any) -> str:
    """Name a type the way DSPy writes it in prompts (``list[str]``, ``Literal['a', 'b']``,
    ``Union[int, NoneType]``)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is types.UnionType:
        origin = Union
    if origin is None:
        return getattr(annotation, "__name__", None) or str(annotation)
    if origin is Literal:
        rendered = ", ".join(_quote(a) if isinstance(a, str) else annotation_name(a) for a in args)
        return f"{annotation_name(origin)}[{rendered}]"
    rendered = ", ".join(annotation_name(a) for a in args)
    return f"{annotation_name(origin)}[{rendered}]"


def _quote(value: str) -> str:
    if "'" in value and '"' not in value:
        return f'"{value}"'
    if "'" in value:
        return "'" + value.replace("'", "\\'") + "'"
    return f"'{value}'"


def allows_none(annotation: Any) -> bool:
    """Whether ``None`` is an accepted value (``Optional[T]``, ``T | None``)."""
    if annotation is None or annotation is type(None):
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return allows_none(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(allows_none(a) for a in get_args(annotation))
    return False


def is_enum(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, enum.Enum)


@lru_cache(maxsize=4096)
def _adapter_cached(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def type_adapter(annotation: Any) -> TypeAdapter[Any]:
    """A cached pydantic ``TypeAdapter`` (building one costs ~100 µs; reuse it)."""
    try:
        return _adapter_cached(annotation)
    except TypeError:  # unhashable annotation (e.g. Annotated with a dict)
        return TypeAdapter(annotation)


def json_schema_of(annotation: Any) -> dict[str, Any]:
    """JSON schema of a type with ``type`` first, then keys sorted (how DSPy shows schemas)."""
    schema: dict[str, Any] = _type_first(type_adapter(annotation).json_schema())
    return schema


def _type_first(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _type_first(v) for k, v in sorted(value.items(), key=lambda kv: (kv[0] != "type", kv[0]))}
    if isinstance(value, list):
        return [_type_first(v) for v in value]
    return value


def is_pydantic_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, pydantic.BaseModel)


def jsonable(value: Any) -> Any:
    """A JSON-compatible form of ``value`` (pydantic's JSON mode, unknown leaves as ``str``)."""
    if type(value) in _SCALARS or value is None:
        return value
    try:
        return type_adapter(type(value)).dump_python(value, mode="json", fallback=str)
    except Exception:
        return str(value)
