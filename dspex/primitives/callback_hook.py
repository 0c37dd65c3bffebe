"""The call hook that tells callbacks about module calls (``on_module_start`` / ``on_module_end``).

It is registered only once callbacks are enabled (:func:`dspex.callbacks.when_callbacks_enabled`):
until a callback is configured or given to an object, module calls do not go through it at all.
It runs outermost (``order = 0``), as DSPy's callbacks wrap the whole ``Module.__call__``.
"""

from __future__ import annotations

import inspect
from typing import Any

from dspex.callbacks import active_callbacks, aobserve, enable_callbacks, observe, when_callbacks_enabled
from dspex.primitives.hooks import CallHook, Proceed, ProceedAsync, register_call_hook, unregister_call_hook
from dspex.primitives.module import Module

__all__ = ["CALLBACK_HOOK", "CallbackHook"]


def _inputs(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The call's arguments by the names ``forward`` gives them (``**kwargs`` flattened in)."""
    if not args:
        return dict(kwargs)
    try:
        signature = inspect.signature(module.forward)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return {**{f"arg{i}": value for i, value in enumerate(args)}, **kwargs}
    inputs = dict(bound.arguments)
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and name in inputs:
            inputs.update(inputs.pop(name))
    return inputs


class CallbackHook(CallHook):
    """Module start and end events for the active callbacks (the configured ones and the
    module's own ``callbacks``)."""

    order = 0

    def call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: Proceed) -> Any:
        callbacks = active_callbacks(module)
        if not callbacks:
            return proceed(module, args, kwargs)
        return observe(
            "module", callbacks, module, _inputs(module, args, kwargs), lambda: proceed(module, args, kwargs)
        )

    async def acall(
        self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: ProceedAsync
    ) -> Any:
        callbacks = active_callbacks(module)
        if not callbacks:
            return await proceed(module, args, kwargs)
        return await aobserve(
            "module", callbacks, module, _inputs(module, args, kwargs), lambda: proceed(module, args, kwargs)
        )


CALLBACK_HOOK = CallbackHook()


def _install() -> None:
    register_call_hook(CALLBACK_HOOK)


def _uninstall() -> None:
    unregister_call_hook(CALLBACK_HOOK)


when_callbacks_enabled(_install, _uninstall)
Module._callbacks_given = staticmethod(enable_callbacks)
