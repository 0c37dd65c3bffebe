"""Callbacks: observers told when modules, LMs, adapters, tools and evaluations start and end.

A callback subclasses :class:`BaseCallback` and overrides the handlers it cares about. It is
active for every call when configured (``dspex.configure(callbacks=[...])`` or
``dspex.context(callbacks=[...])``), and for one object's calls when given to it
(``MyModule(callbacks=[...])``: the object's ``callbacks`` attribute). Each call gets a fresh
``call_id``; during the call :data:`ACTIVE_CALL_ID` holds it, so a start handler that reads
:data:`ACTIVE_CALL_ID` sees the id of the enclosing call (``None`` at the top).

Where the events come from:

* ``on_module_start/end``: every ``Module.__call__`` / ``acall`` (a call hook, registered the first
  time a callback appears anywhere: before that, module calls pay nothing for callbacks), and any
  method decorated with :func:`with_callbacks`;
* ``on_lm_start/end``: ``lm(...)`` / ``await lm.acall(...)`` and every request an adapter sends;
* ``on_adapter_format_start/end`` and ``on_adapter_parse_start/end`` (one per completion);
* ``on_tool_start/end``: ``tool(...)`` / ``await tool.acall(...)``;
* ``on_evaluate_start/end``: ``Evaluate(...)(program)``.

A handler that raises is logged and ignored: observers never break the call they observe. An
exception of the call itself (even ``KeyboardInterrupt`` or a cancellation) is handed to the end
handlers as ``exception`` and then propagates.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from dspex.settings import settings

__all__ = [
    "ACTIVE_CALL_ID",
    "BaseCallback",
    "active_callbacks",
    "aobserve",
    "bind_active_call_id",
    "callbacks_enabled",
    "disable_callbacks",
    "emit_end",
    "emit_start",
    "enable_callbacks",
    "observe",
    "when_callbacks_enabled",
    "with_callbacks",
]

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ACTIVE_CALL_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("active_call_id", default=None)
"""The ``call_id`` of the call running in this context (``None`` outside any observed call)."""

_KINDS = frozenset({"module", "lm", "adapter_format", "adapter_parse", "tool", "evaluate"})


class BaseCallback:
    """The base class of callbacks: every handler does nothing until overridden.

    ``inputs`` is a dict of the call's arguments by name; ``outputs`` is what the call returned
    (``None`` when it raised); ``exception`` is what it raised (``None`` on success).
    """

    def on_module_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        """A module call starts."""

    def on_module_end(
        self, call_id: str, outputs: Any | None, exception: BaseException | None = None
    ) -> None:
        """A module call ended."""

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        """An LM call starts (``inputs``: ``prompt``, ``messages`` and the call's parameters)."""

    def on_lm_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        """An LM call ended (``outputs``: the list of output texts)."""

    def on_adapter_format_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        """An adapter starts formatting ``signature``, ``demos`` and ``inputs`` into messages."""

    def on_adapter_format_end(
        self, call_id: str, outputs: Any | None, exception: BaseException | None = None
    ) -> None:
        """An adapter formatted messages (``outputs``: the messages)."""

    def on_adapter_parse_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        """An adapter starts parsing one completion (``signature``, ``completion``)."""

    def on_adapter_parse_end(
        self, call_id: str, outputs: Any | None, exception: BaseException | None = None
    ) -> None:
        """An adapter parsed one completion (``outputs``: the field values)."""

    def on_tool_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        """A tool call starts (``inputs``: the tool's arguments)."""

    def on_tool_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        """A tool call ended."""

    def on_evaluate_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        """An evaluation starts (``inputs`` has the ``program``)."""

    def on_evaluate_end(
        self, call_id: str, outputs: Any | None, exception: BaseException | None = None
    ) -> None:
        """An evaluation ended (``outputs``: its result)."""


# -- turning callbacks on ----------------------------------------------------------------------

_enabled = False
_listeners: list[Callable[[], None]] = []
_off_listeners: list[Callable[[], None]] = []


def callbacks_enabled() -> bool:
    """Whether a callback was ever configured or given to an object in this process. Until then
    every site skips the callback machinery after this one check."""
    return _enabled


def when_callbacks_enabled(listener: Callable[[], None], off: Callable[[], None] | None = None) -> None:
    """Call ``listener()`` once callbacks are enabled (at once if they already are), and ``off()``
    when :func:`disable_callbacks` turns them off: how a higher layer installs its part (the module
    call hook) only while there is something to tell."""
    _listeners.append(listener)
    if off is not None:
        _off_listeners.append(off)
    if _enabled:
        listener()


def disable_callbacks() -> None:
    """Turn the callback sites off again until a callback next appears (for tests: callbacks
    stay enabled for the life of the process otherwise)."""
    global _enabled
    if not _enabled:
        return
    _enabled = False
    for listener in list(_off_listeners):
        listener()


def enable_callbacks() -> None:
    """Turn the callback sites on (idempotent; done by ``configure``/``context`` with callbacks
    and by objects given ``callbacks=``)."""
    global _enabled
    if _enabled:
        return
    _enabled = True
    for listener in list(_listeners):
        listener()


def _on_callbacks_setting(value: Any) -> None:
    if value:
        enable_callbacks()


settings.watch("callbacks", _on_callbacks_setting)


def active_callbacks(instance: Any = None, *, always: bool = False) -> list[Any]:
    """The callbacks observing a call on ``instance``: the configured ones, then its own
    (``[]`` at once while callbacks are not enabled, unless ``always``)."""
    if not _enabled and not always:
        return []
    configured = settings.get("callbacks") or []
    own = getattr(instance, "callbacks", None) if instance is not None else None
    if own and isinstance(own, list | tuple):
        return [*configured, *own]
    return list(configured)


# -- telling callbacks -------------------------------------------------------------------------


def emit_start(
    kind: str, callbacks: list[Any], instance: Any, inputs: dict[str, Any]
) -> tuple[str, contextvars.Token[str | None]]:
    """Tell ``callbacks`` that a call of ``kind`` starts; returns the new ``call_id`` and the token
    that :func:`emit_end` uses to restore :data:`ACTIVE_CALL_ID`."""
    call_id = uuid.uuid4().hex
    for callback in callbacks:
        handler = getattr(callback, f"on_{kind}_start", None)
        if handler is None:
            continue
        try:
            handler(call_id=call_id, instance=instance, inputs=inputs)
        except Exception as exc:
            logger.warning("callback %r failed in on_%s_start: %s", callback, kind, exc)
    # Set after the start handlers: they see the enclosing call's id.
    return call_id, ACTIVE_CALL_ID.set(call_id)


def emit_end(
    kind: str,
    callbacks: list[Any],
    started: tuple[str, contextvars.Token[str | None]],
    outputs: Any,
    exception: BaseException | None,
) -> None:
    """Tell ``callbacks`` that the call :func:`emit_start` began has ended."""
    call_id, token = started
    try:
        ACTIVE_CALL_ID.reset(token)
    except ValueError:  # ended in another context than it started in
        ACTIVE_CALL_ID.set(None)
    for callback in callbacks:
        handler = getattr(callback, f"on_{kind}_end", None)
        if handler is None:
            continue
        try:
            handler(call_id=call_id, outputs=outputs, exception=exception)
        except Exception as exc:
            logger.warning("callback %r failed in on_%s_end: %s", callback, kind, exc)


def observe(
    kind: str, callbacks: list[Any], instance: Any, inputs: dict[str, Any], run: Callable[[], Any]
) -> Any:
    """Run ``run()`` between the start and end events of a call of ``kind``."""
    started = emit_start(kind, callbacks, instance, inputs)
    try:
        result = run()
    except BaseException as exc:
        emit_end(kind, callbacks, started, None, exc)
        raise
    emit_end(kind, callbacks, started, result, None)
    return result


async def aobserve(
    kind: str, callbacks: list[Any], instance: Any, inputs: dict[str, Any], run: Callable[[], Awaitable[Any]]
) -> Any:
    """Async :func:`observe`."""
    started = emit_start(kind, callbacks, instance, inputs)
    try:
        result = await run()
    except BaseException as exc:
        emit_end(kind, callbacks, started, None, exc)
        raise
    emit_end(kind, callbacks, started, result, None)
    return result


def _kind_of(instance: Any, fn: Callable[..., Any]) -> str:
    kind = getattr(instance, "callback_kind", "module")
    if kind == "adapter":
        return "adapter_parse" if fn.__name__ == "parse" else "adapter_format"
    return kind if kind in _KINDS else "module"


def _inputs(
    fn: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The call's arguments by name (``**kwargs`` flattened in), without ``self``."""
    try:
        bound = inspect.signature(fn).bind(instance, *args, **kwargs)
    except TypeError:
        return {**{f"arg{i}": a for i, a in enumerate(args)}, **kwargs}
    inputs = dict(bound.arguments)
    inputs.pop(next(iter(inspect.signature(fn).parameters), "self"), None)
    for name, parameter in inspect.signature(fn).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and name in inputs:
            inputs.update(inputs.pop(name))
    return inputs


def with_callbacks(fn: F) -> F:
    """Decorate a method so that its calls are observed by the active callbacks (the kind of event
    follows the object's ``callback_kind``: a module's by default)."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(instance: Any, *args: Any, **kwargs: Any) -> Any:
            callbacks = active_callbacks(instance, always=True)
            if not callbacks:
                return await fn(instance, *args, **kwargs)
            return await aobserve(
                _kind_of(instance, fn),
                callbacks,
                instance,
                _inputs(fn, instance, args, kwargs),
                lambda: fn(instance, *args, **kwargs),
            )

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def sync_wrapper(instance: Any, *args: Any, **kwargs: Any) -> Any:
        callbacks = active_callbacks(instance, always=True)
        if not callbacks:
            return fn(instance, *args, **kwargs)
        return observe(
            _kind_of(instance, fn),
            callbacks,
            instance,
            _inputs(fn, instance, args, kwargs),
            lambda: fn(instance, *args, **kwargs),
        )

    return sync_wrapper  # type: ignore[return-value]


def bind_active_call_id(fn: F) -> F:
    """``fn`` bound to the current :data:`ACTIVE_CALL_ID`: each call runs with it set (and restores
    the caller's afterwards), so work handed to another thread stays a child of this call."""
    parent = ACTIVE_CALL_ID.get()

    @functools.wraps(fn)
    def bound(*args: Any, **kwargs: Any) -> Any:
        token = ACTIVE_CALL_ID.set(parent)
        try:
            return fn(*args, **kwargs)
        finally:
            ACTIVE_CALL_ID.reset(token)

    return bound  # type: ignore[return-value]
