"""Process-wide configuration with per-context overrides.

``configure()`` sets process-wide defaults (visible in every thread and task). ``context()``
overrides values for the current thread or asyncio task only, using :mod:`contextvars`, so
concurrent requests, Celery tasks and asyncio tasks never see each other's overrides.
"""

from __future__ import annotations

import contextvars
import operator
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

__all__ = ["configure", "context", "load_settings", "settings"]

_NO_PICKLED_SETTINGS = (
    "dspex does not save or load settings: DSPy pickles them (settings.save / load_settings), and "
    "pickle is never written or loaded here. Call dspex.configure(...) in code instead"
)

_DEFAULTS: dict[str, Any] = {
    "lm": None,
    "adapter": None,
    "backend": "auto",  # hybrid router: "auto" | "native" | "dspy" | "adaptive"
    "overrides": {},  # per type: {"chain_of_thought": "dspy"}
    "fallback": False,  # retry a failed native call on dspy (not for validation errors)
    "adaptive_min_samples": 20,  # calls per backend before "adaptive" compares them
    "dspy_cache_dir": None,  # dspy's disk cache (default: $DSPY_CACHEDIR or ./.dspex/dspy_cache)
    "trace": None,
    "callbacks": [],
    "async_max_workers": 8,  # dspex.utils.asyncify: programs run on worker threads at once
    "max_errors": 10,
    # Predictor inputs: False follows DSPy (warn on unknown, mistyped or missing inputs and run);
    # True makes each a FieldValidationError before any LM call.
    "strict_inputs": False,
    "max_backtracks": 2,  # dspex.Assert / Suggest retries per module call
    "allow_program_of_thought": False,  # ProgramOfThought runs LM-written code (sandboxed): opt in
    # The sandbox refuses to run where its seccomp filter cannot be installed; True allows the
    # weaker, Python-level-only mode there (docs/security-sandbox.md).
    "sandbox_allow_unconfined": False,
    # Pipeline value/work budgets: a dspex.pipelines.Limits, a dict of overrides, or None (defaults).
    "pipeline_limits": None,
}

_overrides: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "dspex_settings_overrides", default=None
)


class Settings:
    """Read-only view of the effective configuration (context overrides over globals)."""

    def __init__(self) -> None:
        self._globals: dict[str, Any] = dict(_DEFAULTS)
        self._lock = threading.Lock()
        self._watchers: dict[str, list[Callable[[Any], None]]] = {}

    def watch(self, key: str, watcher: Callable[[Any], None]) -> None:
        """Call ``watcher(value)`` whenever ``configure`` or ``context`` sets ``key`` (how a part
        that costs something on every call, such as callbacks, stays off until it is used)."""
        self._watchers.setdefault(key, []).append(watcher)

    def _notify(self, kwargs: dict[str, Any]) -> None:
        for key in self._watchers.keys() & kwargs.keys():
            for watcher in self._watchers[key]:
                watcher(kwargs[key])

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``: this context's override, else the configured value."""
        local = _overrides.get()
        if local is not None and key in local:
            return local[key]
        return self._globals.get(key, default)

    def reader(self, *keys: str) -> Callable[[], tuple[Any, ...]]:
        """A function that returns the values of ``keys`` (two or more, each with a default) as
        :meth:`get` gives them, for code on every call's path: one context look-up for all."""
        if len(keys) < 2 or any(key not in _DEFAULTS for key in keys):
            raise ValueError(f"reader() takes two or more settings that have defaults, got {keys}")
        pick = operator.itemgetter(*keys)

        def read() -> tuple[Any, ...]:
            local = _overrides.get()
            values: tuple[Any, ...] = pick({**self._globals, **local} if local else self._globals)
            return values

        return read

    def layers(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The configured values and this context's overrides, as the objects they are.

        Both are replaced, never changed in place, so the same pair (by identity) means the same
        effective settings: a cache on every call's path can check it with two ``is``.
        """
        return self._globals, _overrides.get()

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self.get(key)

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def snapshot(self) -> dict[str, Any]:
        """The effective configuration as a plain dict."""
        merged = dict(self._globals)
        merged.update(_overrides.get() or {})
        return merged

    def copy(self) -> dict[str, Any]:
        """:meth:`snapshot` (DSPy's name): ``configure(**settings.copy())`` restores it later."""
        return self.snapshot()

    def configure(self, **kwargs: Any) -> None:
        """Set process-wide values (seen by every thread and task without an override)."""
        if self._watchers:
            self._notify(kwargs)
        with self._lock:
            self._globals = {**self._globals, **kwargs}

    @contextmanager
    def context(self, **kwargs: Any) -> Iterator[None]:
        """Override values for the current thread/task (and tasks or copied contexts it starts)."""
        if self._watchers:
            self._notify(kwargs)
        token = _overrides.set({**(_overrides.get() or {}), **kwargs})
        try:
            yield
        finally:
            _overrides.reset(token)

    def push(self, **kwargs: Any) -> contextvars.Token[dict[str, Any] | None]:
        """:meth:`context` without the ``with`` block, for code on every call's path: override
        ``kwargs`` until :meth:`pop` gets the returned token (always pop, in a ``finally``)."""
        return _overrides.set({**(_overrides.get() or {}), **kwargs})

    def pop(self, token: contextvars.Token[dict[str, Any] | None]) -> None:
        """End the override :meth:`push` started."""
        _overrides.reset(token)

    def save(self, path: Any, modules_to_serialize: Any = None, exclude_keys: Any = None) -> None:
        """Refused: DSPy pickles its settings (LMs, adapters, callbacks) here, and dspex never
        writes or loads pickle. Configure in code (or from environment variables) instead."""
        raise ValueError(_NO_PICKLED_SETTINGS)

    def reset(self) -> None:
        """Restore the defaults (used by tests)."""
        with self._lock:
            self._globals = dict(_DEFAULTS)
        _overrides.set(None)


settings = Settings()


def configure(**kwargs: Any) -> None:
    """Set process-wide defaults, e.g. ``configure(lm=LM("openai/gpt-4o-mini"))``."""
    settings.configure(**kwargs)


def context(**kwargs: Any) -> AbstractContextManager[None]:
    """Override settings for the current thread/task: ``with dspex.context(lm=other): ...``."""
    return settings.context(**kwargs)


def load_settings(path: Any, allow_pickle: bool = False) -> dict[str, Any]:
    """Refused, whatever ``allow_pickle`` says (see :meth:`Settings.save`)."""
    raise ValueError(_NO_PICKLED_SETTINGS)
