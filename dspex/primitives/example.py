"""``Example``: one data point, with some keys marked as inputs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Example"]


_HIDDEN_PREFIX = "dspy_"


def _visible(key: str) -> bool:
    return not key.startswith(_HIDDEN_PREFIX)


class Example:
    """A dict-like record whose keys are readable as attributes.

    ``Example({"question": ...})``, ``Example(question=...)`` or ``Example(other, answer=...)``
    (``Example(base=other, ...)`` as in DSPy). ``with_inputs("question")`` marks which keys are
    inputs; ``inputs()`` and ``labels()`` split the record accordingly. Keys starting with
    ``dspy_`` are bookkeeping: readable, but left out of ``len``, ``keys()``, ``values()``,
    ``items()`` and ``repr`` (``include_dspy=True`` lists them).
    """

    __slots__ = ("_input_keys", "_store")
    _store: dict[str, Any]
    _input_keys: frozenset[str] | None

    def __init__(self, base: Mapping[str, Any] | Example | None = None, /, **kwargs: Any):
        # ``base`` is positional-only so that a field may be called "base".
        store: dict[str, Any] = {}
        input_keys: frozenset[str] | None = None
        if base is None and isinstance(kwargs.get("base"), Example | Mapping):
            base = kwargs.pop("base")  # DSPy's keyword spelling of the base record
        if isinstance(base, Example):
            store.update(base._store)
            input_keys = base._input_keys
        elif base is not None:
            store.update(base)
        store.update(kwargs)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_input_keys", input_keys)

    # -- mapping protocol -------------------------------------------------------------------
    def __getattr__(self, key: str) -> Any:
        if key.startswith("__") and key.endswith("__"):
            raise AttributeError(key)
        try:
            return self._store[key]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {key!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        if key.startswith("_") and hasattr(type(self), key):  # a slot of this class or a subclass
            object.__setattr__(self, key, value)
        else:
            self._store[key] = value

    def __getitem__(self, key: str) -> Any:
        return self._store[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._store[key] = value

    def __delitem__(self, key: str) -> None:
        del self._store[key]

    def __contains__(self, key: object) -> bool:
        return key in self._store

    def __len__(self) -> int:
        return sum(1 for key in self._store if _visible(key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._store)

    def __eq__(self, other: object) -> bool:
        """Equal to an Example with the same fields, or to a plain mapping of them (a loaded
        demo compares equal to the dict it was saved from)."""
        if isinstance(other, Example):
            return self._store == other._store
        if isinstance(other, Mapping):
            return self._store == dict(other)
        return False

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self._store.items())))

    def __repr__(self) -> str:
        shown = {k: v for k, v in self._store.items() if _visible(k)}
        inputs = set(self._input_keys) if self._input_keys is not None else None
        return f"{type(self).__name__}({shown!r}) (input_keys={inputs!r})"

    def keys(self, include_dspy: bool = False) -> list[str]:
        """The field names, in insertion order (``dspy_*`` ones only with ``include_dspy``)."""
        return [k for k in self._store if include_dspy or _visible(k)]

    def values(self, include_dspy: bool = False) -> list[Any]:
        """The field values, in insertion order."""
        return [v for k, v in self._store.items() if include_dspy or _visible(k)]

    def items(self, include_dspy: bool = False) -> list[tuple[str, Any]]:
        """``(name, value)`` pairs, in insertion order."""
        return [(k, v) for k, v in self._store.items() if include_dspy or _visible(k)]

    def get(self, key: str, default: Any = None) -> Any:
        """The value of field ``key``, or ``default`` when there is none."""
        return self._store.get(key, default)

    # -- inputs / labels --------------------------------------------------------------------
    @property
    def input_keys(self) -> frozenset[str] | None:
        """The names marked by :meth:`with_inputs` (``None`` until then)."""
        return self._input_keys

    def with_inputs(self, *keys: str) -> Example:
        """Return a copy with ``keys`` marked as the input fields."""
        copy = self.copy()
        object.__setattr__(copy, "_input_keys", frozenset(keys))
        return copy

    def inputs(self) -> Example:
        """The input fields only (requires ``with_inputs`` first)."""
        if self._input_keys is None:
            raise ValueError("inputs() needs the input keys: call example.with_inputs('field', ...) first")
        picked = type(self)({k: v for k, v in self._store.items() if k in self._input_keys})
        object.__setattr__(picked, "_input_keys", self._input_keys)
        return picked

    def labels(self) -> Example:
        """Every field that is not an input."""
        keys = self._input_keys or frozenset()
        return type(self)({k: v for k, v in self._store.items() if k not in keys})

    def copy(self, **changes: Any) -> Example:
        """A shallow copy with ``changes`` applied; the input keys are kept."""
        copy = type(self)(self._store, **changes)
        object.__setattr__(copy, "_input_keys", self._input_keys)
        return copy

    def without(self, *keys: str) -> Example:
        """A copy without the fields ``keys`` (missing ones are ignored)."""
        copy = self.copy()
        for key in keys:
            copy._store.pop(key, None)
        return copy

    def to_dict(self) -> dict[str, Any]:
        """The fields as a new plain dict (the values themselves, not copies)."""
        return dict(self._store)

    def toDict(self) -> dict[str, Any]:
        """DSPy's ``toDict``: the fields as plain data, nested Examples and pydantic models (a
        ``History``) inside turned into dicts and lists."""
        return {k: _plain(v) for k, v in self._store.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Example):
        return value.to_dict()
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump) and not isinstance(value, type):
        return model_dump()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
