"""Call hooks: the chain every ``Module.__call__`` / ``acall`` runs through.

The base class does not know who wraps its calls. Higher layers register a :class:`CallHook`
(the hybrid router, the assertion scope, your own tracing) and the module call runs through
every hook that applies to the module's class, outermost first::

    class Timing(dspex.primitives.CallHook):
        order = 10  # lower runs further out

        def call(self, module, args, kwargs, proceed):
            start = time.perf_counter()
            try:
                return proceed(module, args, kwargs)
            finally:
                print(type(module).__name__, time.perf_counter() - start)

    dspex.primitives.register_call_hook(Timing())

``proceed(module, args, kwargs)`` (passed by keyword) runs the rest of the chain and finally
``module.forward`` (``await proceed(...)`` and ``aforward`` in :meth:`CallHook.acall`). A hook
may call it more than once (the assertion scope retries), change the arguments, or not call it
at all (the router runs some calls on dspy).

The chain of a class is built once and cached; registering or removing a hook drops the cache.
A class that no hook applies to pays one dictionary look-up per call.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = [
    "CallHook",
    "Chain",
    "Proceed",
    "ProceedAsync",
    "aforward",
    "call_hooks",
    "chain_for",
    "forward",
    "register_call_hook",
    "unregister_call_hook",
]

Proceed = Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]
ProceedAsync = Callable[[Any, tuple[Any, ...], dict[str, Any]], Awaitable[Any]]


class CallHook:
    """One link of the call chain. Override :meth:`call` and :meth:`acall` (both: a module may
    be called either way), and :meth:`applies_to` to skip classes the hook has nothing to do
    for. ``order``: hooks with lower values run further out; ties keep registration order."""

    order: int = 100

    def applies_to(self, cls: type) -> bool:
        """Whether calls of modules of class ``cls`` go through this hook (asked once per class)."""
        return True

    def call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: Proceed) -> Any:
        """Wrap one synchronous call; ``proceed(module, args, kwargs)`` runs the rest."""
        return proceed(module, args, kwargs)

    async def acall(
        self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: ProceedAsync
    ) -> Any:
        """Wrap one asynchronous call; ``await proceed(module, args, kwargs)`` runs the rest."""
        return await proceed(module, args, kwargs)


class Chain:
    """The composed hooks of one class: ``run`` / ``arun`` are ``None`` when no hook applies.

    ``head`` / ``ahead`` are the outermost hook's ``call`` / ``acall`` and ``rest`` / ``arest``
    what they proceed to: ``head(module, args, kwargs, rest)`` is ``run(module, args, kwargs)``
    without the keyword argument a partial would pass (the module call path uses it)."""

    __slots__ = ("ahead", "arest", "arun", "head", "hooks", "rest", "run")

    def __init__(self, hooks: tuple[CallHook, ...]) -> None:
        self.hooks = hooks
        self.run: Proceed | None = None
        self.arun: ProceedAsync | None = None
        self.head: Callable[[Any, tuple[Any, ...], dict[str, Any], Proceed], Any] | None = None
        self.ahead: Callable[[Any, tuple[Any, ...], dict[str, Any], ProceedAsync], Awaitable[Any]] | None = (
            None
        )
        self.rest: Proceed = forward
        self.arest: ProceedAsync = aforward
        if not hooks:
            return
        run: Proceed = forward
        arun: ProceedAsync = aforward
        for hook in reversed(hooks):
            self.rest, self.arest = run, arun
            # A C-level partial per link: no Python frame of its own between two hooks.
            run = functools.partial(hook.call, proceed=run)
            arun = functools.partial(hook.acall, proceed=arun)
        self.run = run
        self.arun = arun
        self.head = hooks[0].call
        self.ahead = hooks[0].acall


def forward(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The end of every sync chain: ``module.forward(*args, **kwargs)``."""
    return module.forward(*args, **kwargs)


async def aforward(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The end of every async chain: ``await module.aforward(*args, **kwargs)``."""
    return await module.aforward(*args, **kwargs)


_lock = threading.Lock()
_hooks: tuple[CallHook, ...] = ()
_version = 0
# class -> its chain. Read without the lock on every call; replaced (never mutated) on change.
CHAINS: dict[type, Chain] = {}


def register_call_hook(hook: CallHook) -> CallHook:
    """Add ``hook`` to every later module call it applies to. Registering it again is a no-op."""
    global _hooks, _version, CHAINS
    if not isinstance(hook, CallHook):
        raise TypeError(f"register_call_hook() needs a CallHook, got {type(hook).__name__}")
    with _lock:
        if hook in _hooks:
            return hook
        _hooks = tuple(sorted((*_hooks, hook), key=lambda h: h.order))
        _version += 1
        CHAINS = {}
    return hook


def unregister_call_hook(hook: CallHook) -> bool:
    """Remove ``hook``; ``False`` when it was not registered."""
    global _hooks, _version, CHAINS
    with _lock:
        if hook not in _hooks:
            return False
        _hooks = tuple(h for h in _hooks if h is not hook)
        _version += 1
        CHAINS = {}
    return True


def call_hooks() -> tuple[CallHook, ...]:
    """The registered hooks, outermost first."""
    return _hooks


def chain_for(cls: type) -> Chain:
    """The (cached) chain of the hooks that apply to ``cls``."""
    found = CHAINS.get(cls)
    if found is not None:
        return found
    version, hooks = _version, _hooks
    chain = Chain(tuple(h for h in hooks if h.applies_to(cls)))
    with _lock:
        if version == _version:  # a hook registered meanwhile: don't cache a stale chain
            CHAINS[cls] = chain
    return chain
