"""One registry type for the named things a deployment allow-lists.

Module types, optimizers, metrics, rewards and tools are each a :class:`Registry`: named entries,
each the dotted path of the code it stands for (Django's pluggable-backend style), so the registry
imports nothing until an entry is used (:meth:`Registry.load`). Entries come from two places:

- code: ``registry.register("key", "dotted.path", label=..., description=..., **options)``, built-ins
  at import and higher apps from ``AppConfig.ready()``;
- the registry's setting, read when asked (never at import time), in one format for every kind::

      DSPEX_<KIND> = {
          "key": "dotted.path",                                    # just the path
          "other": {"path": "dotted.path", "label": "Other", "description": "...", **options},
      }

  Setting entries win over code entries of the same key. A registry may also accept its setting's
  older form (``positional`` fields of a tuple, or ``path_list``: a list of dotted paths, each its
  own key); a malformed setting is ``ImproperlyConfigured`` naming the setting and the key.

Users only ever pick a key: a dotted path they type is refused unless an operator allow-listed it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

__all__ = ["Entry", "Named", "Registry", "UnknownName"]

# The fields every entry has; any other field of an entry type is an option of its kind.
_BASE_FIELDS = ("key", "path", "label", "description")


class Named(Protocol):
    """What a registry entry has: its key, the dotted path it names, a label and a description."""

    @property
    def key(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def description(self) -> str: ...


@dataclass(frozen=True)
class Entry:
    """An entry of a kind without options of its own (rewards, tools)."""

    key: str
    path: str
    label: str = ""
    description: str = ""


class UnknownName(KeyError):
    """A key no entry has. A ``KeyError`` whose message names the known keys and the setting."""

    def __str__(self) -> str:
        # KeyError's own str() is the repr of its argument: quotes around the whole sentence.
        return str(self.args[0])


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Named entries of one kind (``kind``: the noun in messages, e.g. ``"module type"``).

    ``entry_type`` is a frozen dataclass with at least the fields of :class:`Named`; its other
    fields are the kind's options, set by keyword in :meth:`register` and in the setting. Keys are
    identifiers when ``identifiers`` is true, else any text without whitespace.
    """

    def __init__(
        self,
        kind: str,
        *,
        setting: str,
        entry_type: type[T],
        identifiers: bool = False,
        positional: Sequence[str] = (),
        path_list: bool = False,
    ) -> None:
        fields = {f.name: f for f in dataclasses.fields(entry_type)}  # type: ignore[arg-type]
        missing = [name for name in _BASE_FIELDS if name not in fields]
        if missing:
            raise TypeError(f"{entry_type.__name__} lacks the registry field(s) {', '.join(missing)}")
        if positional and "path" not in positional:
            raise TypeError("positional fields of the older setting form must include path")
        self.kind = kind
        self.setting = setting
        self.entry_type = entry_type
        self.identifiers = identifiers
        self.positional = tuple(positional)
        self.path_list = path_list
        # Options with their defaults: the defaults' types are the types a setting must give.
        self._options = {name: f.default for name, f in fields.items() if name not in _BASE_FIELDS}
        self._registered: dict[str, T] = {}

    def __repr__(self) -> str:
        return f"<Registry of {self.kind}s ({self.setting})>"

    # -- code entries ------------------------------------------------------------------------------

    def register(self, key: str, path: str, *, label: str = "", description: str = "", **options: Any) -> T:
        """Add (or replace) the entry ``key`` naming ``path``; ``options`` are the kind's fields."""
        problem = self._key_problem(key)
        if problem:
            raise ValueError(problem)
        unknown = sorted(set(options) - set(self._options))
        if unknown:
            raise TypeError(f"{self.kind} entries take no option(s) {', '.join(unknown)}")
        entry = self._build(key, path, label, description, options)
        self._registered[key] = entry
        return entry

    def unregister(self, key: str) -> None:
        """Remove the code entry ``key`` (no error when there is none)."""
        self._registered.pop(key, None)

    # -- reading -----------------------------------------------------------------------------------

    def entries(self) -> dict[str, T]:
        """Every entry by key: code entries in the order registered, then the setting's."""
        return {**self._registered, **self.configured()}

    def names(self) -> list[str]:
        """Every key, in the order of :meth:`entries`."""
        return list(self.entries())

    def choices(self) -> list[tuple[str, str]]:
        """``(key, label)`` pairs, e.g. for a model field's ``choices`` (a callable: no migration)."""
        return [(entry.key, entry.label) for entry in self.entries().values()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.entries()

    def get(self, key: str) -> T:
        """The entry ``key``; :class:`UnknownName` naming the known keys when there is none."""
        entries = self.entries()
        try:
            return entries[key]
        except (KeyError, TypeError):  # TypeError: an unhashable key from JSON
            raise UnknownName(self.unknown_message(key, entries)) from None

    def unknown_message(self, key: object, entries: Mapping[str, T] | None = None) -> str:
        """The sentence for a key no entry has (callers that answer with a ValidationError use it)."""
        known = ", ".join(self.entries() if entries is None else entries) or "none"
        return f"unknown {self.kind} {key!r} (known: {known}; add more with the {self.setting} setting)"

    def load(self, key: str) -> Any:
        """What the entry ``key`` names, imported now (``ImportError`` when it cannot be)."""
        return import_string(self.get(key).path)

    # -- the setting -------------------------------------------------------------------------------

    def configured(self) -> dict[str, T]:
        """The entries of the setting, read now (tests and deployments change it at run time)."""
        value: Any = getattr(settings, self.setting, None)
        if not value:
            return {}
        if isinstance(value, Mapping):
            items = list(value.items())
        elif self.path_list and isinstance(value, list | tuple):
            items = [(path, path) for path in value]
        else:
            expected = "a dict {key: dotted path or {'path': ..., ...}}"
            if self.path_list:
                expected += " or a list of dotted paths"
            raise ImproperlyConfigured(f"{self.setting} must be {expected}, not {type(value).__name__}")
        return {key: self._from_setting(key, spec) for key, spec in items}

    def _from_setting(self, key: Any, spec: Any) -> T:
        where = f"{self.setting}[{key!r}]"
        problem = self._key_problem(key)
        if problem:
            raise ImproperlyConfigured(f"{where}: {problem}")
        if isinstance(spec, str):
            spec = {"path": spec}
        elif self.positional and isinstance(spec, list | tuple):
            # The older form of this setting: fields by position, e.g. ("Label", "dotted.path").
            required = self.positional.index("path") + 1
            if not required <= len(spec) <= len(self.positional):
                raise ImproperlyConfigured(
                    f"{where}: a tuple of {', '.join(self.positional)} needs {required} to "
                    f"{len(self.positional)} items, got {len(spec)}"
                )
            spec = dict(zip(self.positional, spec, strict=False))
        elif not isinstance(spec, Mapping):
            raise ImproperlyConfigured(
                f"{where}: expected a dotted path or {{'path': ..., ...}}, got {type(spec).__name__}"
            )
        allowed = [name for name in _BASE_FIELDS if name != "key"] + list(self._options)
        unknown = sorted(str(name) for name in set(spec) - set(allowed))
        if unknown:
            raise ImproperlyConfigured(
                f"{where}: unknown option(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})"
            )
        path = spec.get("path")
        if not isinstance(path, str) or "." not in path or any(ch.isspace() for ch in path):
            raise ImproperlyConfigured(f"{where}: path must be a dotted path, got {path!r}")
        for name in ("label", "description"):
            if not isinstance(spec.get(name, ""), str):
                raise ImproperlyConfigured(f"{where}: {name} must be text, got {spec[name]!r}")
        options = {name: spec[name] for name in self._options if name in spec}
        for name, given in options.items():
            default = self._options[name]
            if default is not dataclasses.MISSING and not isinstance(given, type(default)):
                raise ImproperlyConfigured(f"{where}: {name} must be {type(default).__name__}, got {given!r}")
        return self._build(key, path, spec.get("label", ""), spec.get("description", ""), options)

    # -- helpers -----------------------------------------------------------------------------------

    def _key_problem(self, key: Any) -> str:
        if not isinstance(key, str) or not key:
            return f"{self.kind} keys are non-empty text, got {key!r}"
        if self.identifiers and not key.isidentifier():
            return f"{self.kind} keys are identifiers, got {key!r}"
        if any(ch.isspace() for ch in key):
            return f"{self.kind} keys have no spaces, got {key!r}"
        return ""

    def _build(self, key: str, path: str, label: str, description: str, options: Mapping[str, Any]) -> T:
        return self.entry_type(  # type: ignore[call-arg]
            key=key, path=path, label=label or key, description=description, **options
        )
