"""A general request cache in DSPy's shape: ``Cache``, ``request_cache``, ``configure_cache``.

:class:`Cache` maps a *request* (a dict) to any value: an in-memory LRU in front of a sharded
SQLite store on disk. The key is the SHA-256 of the request as canonical JSON (Pydantic models
as their data, Pydantic classes as their schema, functions by qualified name). It is what
``dspy.cache`` is, and what :func:`request_cache` (a decorator caching a function's results by its
arguments) uses.

Unlike DSPy's, **nothing is ever unpickled**: the disk holds JSON. On the way to disk a value is
written as JSON with type tags (tuples, bytes, NumPy arrays, dataclasses and Pydantic models as
their fields); on the way back a dataclass or model comes back as its class only when that class
was registered (``safe_types=[...]``); otherwise it comes back as a read-only attribute bag
(:class:`CachedObject`) or, with ``restrict_pickle=True``, not at all (a miss). A value JSON cannot
hold stays in memory only. ``save_memory_cache`` writes JSON the same way and
``load_memory_cache`` reads only that JSON (``allow_pickle`` is accepted and never unpickles).

The LM response cache (:mod:`dspex.lm.cache`) is separate: its keys carry the LM's credential
identity, so one tenant's answers are never served to another; :func:`configure_cache` sets
both up.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import functools
import hashlib
import inspect
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pydantic

__all__ = [
    "Cache",
    "CachedObject",
    "configure_cache",
    "current_cache",
    "default_cache_directory",
    "request_cache",
    "restore_cache",
    "set_cache",
]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

_TAG = "__dspex_cache__"
_FORMAT = "dspex-request-cache/1"
DEFAULT_IGNORED_ARGS = ("api_key", "api_base", "base_url")


def default_cache_directory() -> Path:
    """``$DSPEX_CACHEDIR/requests``, else ``~/.cache/dspex/requests``. Never dspy's
    ``$DSPY_CACHEDIR``: dspy writes pickles there, and the two must not share entries."""
    base = os.environ.get("DSPEX_CACHEDIR")
    if base:
        return Path(base).expanduser() / "requests"
    return Path.home() / ".cache" / "dspex" / "requests"


# -- keys ----------------------------------------------------------------------------------


def _key_value(value: Any) -> Any:
    if isinstance(value, type) and issubclass(value, pydantic.BaseModel):
        return value.model_json_schema()
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__dataclass__": type(value).__qualname__, **dataclasses.asdict(value)}
    if callable(value) and hasattr(value, "__qualname__"):
        return f"<callable {getattr(value, '__module__', '?')}.{value.__qualname__}>"
    if isinstance(value, Mapping):
        return {str(k): _key_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_key_value(v) for v in value]
    return value


# -- values on disk ------------------------------------------------------------------------


class CachedObject:
    """A dataclass or model read back from disk whose class was not registered: its fields as
    attributes (``obj.message``), and ``cache_hit``. Equal to another with the same fields."""

    _type_name: str

    def __init__(self, type_name: str, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)
        object.__setattr__(self, "_type_name", type_name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CachedObject):
            return vars(self) == vars(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "_type_name")
        return f"CachedObject[{self._type_name}]({fields})"


class _Unreadable(Exception):
    """A stored value that may not or cannot be rebuilt (a miss)."""


def _type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _encode(value: Any) -> Any:
    """``value`` as JSON-ready data with type tags; ``TypeError`` when it cannot be."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {_TAG: "tuple", "items": [_encode(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and _TAG not in value:
            return {k: _encode(v) for k, v in value.items()}
        return {_TAG: "dict", "items": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, bytes):
        return {_TAG: "bytes", "data": base64.b64encode(value).decode()}
    if isinstance(value, pydantic.BaseModel):
        return {_TAG: "object", "type": _type_name(type(value)), "fields": _encode(value.model_dump())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return {_TAG: "object", "type": _type_name(type(value)), "fields": _encode(fields)}
    tolist = getattr(value, "tolist", None)
    dtype = getattr(value, "dtype", None)
    if callable(tolist) and dtype is not None and type(value).__module__.startswith("numpy"):
        return {_TAG: "ndarray", "dtype": str(dtype), "data": tolist()}
    if isinstance(value, CachedObject):
        fields = {k: v for k, v in vars(value).items() if k not in ("_type_name", "cache_hit")}
        return {_TAG: "object", "type": value._type_name, "fields": _encode(fields)}
    raise TypeError(f"a {type(value).__name__} cannot be stored as JSON")


def _decode(data: Any, safe: Mapping[str, type], restricted: bool) -> Any:
    if isinstance(data, list):
        return [_decode(v, safe, restricted) for v in data]
    if not isinstance(data, dict):
        return data
    tag = data.get(_TAG)
    if tag is None:
        return {k: _decode(v, safe, restricted) for k, v in data.items()}
    if tag == "tuple":
        return tuple(_decode(v, safe, restricted) for v in data["items"])
    if tag == "dict":
        return {_decode(k, safe, restricted): _decode(v, safe, restricted) for k, v in data["items"]}
    if tag == "bytes":
        return base64.b64decode(data["data"])
    if tag == "ndarray":
        import numpy

        return numpy.asarray(data["data"], dtype=numpy.dtype(str(data["dtype"])))
    if tag == "object":
        fields = _decode(data["fields"], safe, restricted)
        cls = safe.get(str(data["type"]))
        if cls is None:
            if restricted:
                raise _Unreadable(f"{data['type']} is not a registered safe type")
            return CachedObject(str(data["type"]), fields)
        if issubclass(cls, pydantic.BaseModel):
            return cls.model_validate(fields)
        return cls(**fields)
    raise _Unreadable(f"unknown tag {tag!r}")


class _JSONDisk:
    """The :class:`diskcache.Disk` that stores JSON text only and refuses pickled rows."""

    @staticmethod
    def make() -> type:
        import diskcache  # type: ignore[import-untyped]

        class JSONOnlyDisk(diskcache.Disk):  # type: ignore[misc]
            def get(self, key: Any, raw: bool) -> Any:
                if not raw:
                    raise _Unreadable("a pickled key is never loaded")
                return super().get(key, raw)

            def fetch(self, mode: int, filename: Any, value: Any, read: bool) -> Any:
                if mode == diskcache.core.MODE_PICKLE:
                    raise _Unreadable("a pickled value is never loaded")
                return super().fetch(mode, filename, value, read)

        return JSONOnlyDisk


@functools.cache
def _disk_class() -> type:
    return _JSONDisk.make()


class Cache:
    """A request → value cache: memory LRU (``memory_cache``) and disk (``disk_cache``).

    ``disk_size_limit_bytes`` bounds the disk store, ``memory_max_entries`` the LRU. A disabled
    tier is an empty dict. ``restrict_pickle=True`` turns unregistered dataclasses and models
    read from disk into misses (with ``False`` they come back as :class:`CachedObject`);
    ``safe_types`` registers the classes that come back as themselves.
    """

    def __init__(
        self,
        enable_disk_cache: bool,
        enable_memory_cache: bool,
        disk_cache_dir: str | os.PathLike[str] | None,
        disk_size_limit_bytes: int | None = 1024 * 1024 * 10,
        memory_max_entries: float | None = 1_000_000,
        restrict_pickle: bool = False,
        safe_types: list[type[Any]] | None = None,
    ) -> None:
        self.enable_disk_cache = enable_disk_cache
        self.enable_memory_cache = enable_memory_cache
        self.disk_cache_dir = os.fspath(disk_cache_dir) if disk_cache_dir is not None else None
        self.restrict_pickle = restrict_pickle
        self._safe: dict[str, type] = {}
        for cls in safe_types or []:
            if not isinstance(cls, type):
                raise TypeError(f"safe_types entries must be types, got {cls!r}")
            self._safe[_type_name(cls)] = cls
        self._lock = threading.RLock()
        self.memory_cache: Any
        self.disk_cache: Any
        if enable_memory_cache:
            if memory_max_entries is None:
                raise ValueError(
                    "`memory_max_entries` cannot be None. Use `math.inf` if you need an unbounded cache."
                )
            if memory_max_entries <= 0:
                raise ValueError(
                    f"`memory_max_entries` must be a positive number, but received {memory_max_entries}"
                )
            from cachetools import LRUCache

            self.memory_cache = LRUCache(maxsize=memory_max_entries)
        else:
            self.memory_cache = {}
        self.disk_cache = {}
        if enable_disk_cache:
            directory = self.disk_cache_dir or os.fspath(default_cache_directory())
            self.disk_cache_dir = directory
            try:
                from diskcache import FanoutCache

                self.disk_cache = FanoutCache(
                    directory=directory,
                    shards=16,
                    timeout=10,
                    retry=True,
                    size_limit=disk_size_limit_bytes or 2**30,
                    disk=_disk_class(),
                )
            except (OSError, ImportError, sqlite3.Error) as exc:
                logger.warning("request cache: disk cache disabled (%s); using memory only", exc)
                self.enable_disk_cache = False
                self.disk_cache = {}

    @classmethod
    def from_environment(cls) -> Cache:
        """The default cache: memory and disk in :func:`default_cache_directory` (memory only
        when that directory cannot be used), ``$DSPY_CACHE_LIMIT`` bytes on disk."""
        return cls(
            enable_disk_cache=True,
            enable_memory_cache=True,
            disk_cache_dir=os.fspath(default_cache_directory()),
            disk_size_limit_bytes=int(os.environ.get("DSPY_CACHE_LIMIT", 3 * 10**10)),
            memory_max_entries=1_000_000,
        )

    # -- keys ------------------------------------------------------------------------------
    def cache_key(self, request: dict[str, Any], ignored_args_for_cache_key: list[str] | None = None) -> str:
        """The SHA-256 (hex) of ``request`` as canonical JSON, without the ignored arguments."""
        ignored = set(ignored_args_for_cache_key or ())
        params = {k: _key_value(v) for k, v in request.items() if k not in ignored}
        return hashlib.sha256(orjson.dumps(params, option=orjson.OPT_SORT_KEYS)).hexdigest()

    # -- reads and writes ------------------------------------------------------------------
    def get(self, request: dict[str, Any], ignored_args_for_cache_key: list[str] | None = None) -> Any:
        """The value stored for ``request`` (a copy, with ``usage`` emptied and ``cache_hit`` set
        where the value has a ``usage``), or ``None``."""
        if not self.enable_memory_cache and not self.enable_disk_cache:
            return None
        try:
            key = self.cache_key(request, ignored_args_for_cache_key)
        except Exception:
            logger.debug("request cache: no key for the request")
            return None
        if self.enable_memory_cache:
            with self._lock:
                value = self.memory_cache.get(key)
            if value is not None:
                return self._prepare_cached_response(value)
        if self.enable_disk_cache:
            value = self._disk_get(key)
            if value is None:
                return None
            if self.enable_memory_cache:
                with self._lock:
                    self.memory_cache[key] = value
            return self._prepare_cached_response(value)
        return None

    def _disk_get(self, key: str) -> Any:
        try:
            text = self.disk_cache.get(key)
        except _Unreadable as exc:
            logger.warning("request cache: entry %s refused: %s", key, exc)
            return None
        except Exception as exc:
            logger.debug("request cache: entry %s unreadable: %s", key, exc)
            return None
        if text is None:
            return None
        try:
            stored = json.loads(text) if isinstance(text, str | bytes) else None
            if not isinstance(stored, dict) or stored.get("format") != _FORMAT:
                raise _Unreadable("not a dspex request-cache entry")
            return _decode(stored["value"], self._safe, self.restrict_pickle)
        except (_Unreadable, ValueError, KeyError, TypeError) as exc:
            logger.debug("request cache: entry %s unreadable: %s", key, exc)
            return None

    def put(
        self,
        request: dict[str, Any],
        value: Any,
        ignored_args_for_cache_key: list[str] | None = None,
        enable_memory_cache: bool = True,
    ) -> None:
        """Store ``value`` for ``request`` (in memory, and on disk when JSON can hold it)."""
        to_memory = self.enable_memory_cache and enable_memory_cache
        if not to_memory and not self.enable_disk_cache:
            return
        try:
            key = self.cache_key(request, ignored_args_for_cache_key)
        except Exception:
            logger.debug("request cache: no key for the request")
            return
        if to_memory:
            with self._lock:
                self.memory_cache[key] = value
        if self.enable_disk_cache:
            try:
                text = json.dumps({"format": _FORMAT, "value": _encode(value)}, ensure_ascii=False)
                self.disk_cache.set(key, text)
            except Exception as exc:
                logger.debug("request cache: value kept in memory only: %s", exc)

    @staticmethod
    def _prepare_cached_response(response: Any) -> Any:
        response = copy.deepcopy(response)
        if hasattr(response, "usage"):
            # A cache hit costs no tokens.
            try:
                response.usage = {}
            except (AttributeError, TypeError, ValueError, pydantic.ValidationError):
                object.__setattr__(response, "usage", {})
            object.__setattr__(response, "cache_hit", True)
        return response

    # -- the memory tier -------------------------------------------------------------------
    def reset_memory_cache(self) -> None:
        """Empty the memory tier (the disk keeps its entries)."""
        if self.enable_memory_cache:
            with self._lock:
                self.memory_cache.clear()

    def save_memory_cache(self, filepath: str | os.PathLike[str]) -> None:
        """Write the memory tier to ``filepath`` as JSON (values JSON cannot hold are skipped)."""
        if not self.enable_memory_cache:
            return
        entries = []
        with self._lock:
            items = list(self.memory_cache.items())
        for key, value in items:
            try:
                entries.append([key, _encode(value)])
            except TypeError:
                logger.debug("request cache: entry %s not saved (not JSON)", key)
        Path(filepath).write_text(json.dumps({"format": _FORMAT, "entries": entries}, ensure_ascii=False))

    def load_memory_cache(self, filepath: str | os.PathLike[str], allow_pickle: bool = False) -> None:
        """Read a file :meth:`save_memory_cache` wrote into the memory tier. Only that JSON is
        read: a pickle (what DSPy writes) is refused with :class:`ValueError` whatever
        ``allow_pickle`` says."""
        if not self.enable_memory_cache:
            return
        raw = Path(filepath).read_bytes()
        try:
            stored = json.loads(raw)
        except ValueError:
            stored = None
        if not isinstance(stored, dict) or stored.get("format") != _FORMAT:
            raise ValueError(
                f"{os.fspath(filepath)} is not a dspex memory-cache file (JSON); dspex never loads "
                "pickled caches"
            )
        loaded = [(key, _decode(value, self._safe, False)) for key, value in stored["entries"]]
        with self._lock:
            for key, value in loaded:
                self.memory_cache[key] = value

    def close(self) -> None:
        if self.enable_disk_cache and hasattr(self.disk_cache, "close"):
            self.disk_cache.close()

    def __repr__(self) -> str:
        return (
            f"Cache(enable_memory_cache={self.enable_memory_cache}, "
            f"enable_disk_cache={self.enable_disk_cache}, disk_cache_dir={self.disk_cache_dir!r})"
        )


# -- the process-wide cache ----------------------------------------------------------------

_current: Cache | None = None
_previous: list[Cache | None] = []
_current_lock = threading.Lock()


def current_cache() -> Cache:
    """The process-wide request cache (``dspy.cache``), created on first use."""
    global _current
    cache = _current
    if cache is None:
        with _current_lock:
            if _current is None:
                _current = Cache.from_environment()
            cache = _current
    return cache


def set_cache(cache: Cache) -> None:
    """Make ``cache`` the process-wide request cache (:func:`restore_cache` undoes it)."""
    global _current
    with _current_lock:
        _previous.append(_current)
        del _previous[:-16]  # a bounded undo stack
        _current = cache


def restore_cache() -> None:
    """Go back to the request cache that the last :func:`set_cache` replaced."""
    global _current
    with _current_lock:
        _current = _previous.pop() if _previous else None


def configure_cache(
    enable_disk_cache: bool | None = True,
    enable_memory_cache: bool | None = True,
    disk_cache_dir: str | os.PathLike[str] | None = None,
    disk_size_limit_bytes: int | None = 1024 * 1024 * 1024 * 30,
    memory_max_entries: int = 1_000_000,
    restrict_pickle: bool = False,
    safe_types: list[type[Any]] | None = None,
) -> None:
    """Replace the process-wide request cache (``dspy.configure_cache``) and apply the same
    tiers to the LM response cache: its disk tier on or off (in ``disk_cache_dir`` when given),
    its memory tier sized ``memory_max_entries`` (or off). The LM cache keeps its per-credential
    keys."""
    from dspex.lm import cache as lm_cache

    directory = disk_cache_dir if disk_cache_dir not in (None, "") else default_cache_directory()
    set_cache(
        Cache(
            enable_disk_cache=bool(enable_disk_cache),
            enable_memory_cache=bool(enable_memory_cache),
            disk_cache_dir=directory,
            disk_size_limit_bytes=disk_size_limit_bytes,
            memory_max_entries=memory_max_entries,
            restrict_pickle=restrict_pickle,
            safe_types=safe_types,
        )
    )
    lm_cache.configure_lm_cache(
        disk=bool(enable_disk_cache),
        memory=bool(enable_memory_cache),
        directory=Path(disk_cache_dir) / "lm" if disk_cache_dir not in (None, "") else None,
        maxsize=memory_max_entries,
    )


def request_cache(
    cache_arg_name: str | None = None,
    ignored_args_for_cache_key: list[str] | None = None,
    enable_memory_cache: bool = True,
    *,
    maxsize: int | None = None,
) -> Callable[[F], F]:
    """Cache a function's results in the process-wide request cache, keyed by its arguments (or
    by the one named ``cache_arg_name``) and its qualified name. Sync and async functions."""
    ignored = list(ignored_args_for_cache_key or DEFAULT_IGNORED_ARGS)

    def decorator(fn: F) -> F:
        identifier = f"{fn.__module__}.{fn.__qualname__}"

        def request_of(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
            if cache_arg_name:
                request = copy.deepcopy(kwargs[cache_arg_name])
            else:
                request = copy.deepcopy(kwargs)
                for index, arg in enumerate(args):
                    request[f"positional_arg_{index}"] = arg
            request["_fn_identifier"] = identifier
            return dict(request)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                cache = current_cache()
                request = request_of(args, kwargs)
                hit = cache.get(request, ignored)
                if hit is not None:
                    return hit
                result = await fn(*args, **kwargs)
                cache.put(request, result, ignored, enable_memory_cache)
                return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            cache = current_cache()
            request = request_of(args, kwargs)
            hit = cache.get(request, ignored)
            if hit is not None:
                return hit
            result = fn(*args, **kwargs)
            cache.put(request, result, ignored, enable_memory_cache)
            return result

        return sync_wrapper  # type: ignore[return-value]

    return decorator
