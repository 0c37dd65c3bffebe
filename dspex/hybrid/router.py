"""The router: the call hook that runs each module call on the backend :func:`decide` picks, with
fallback, attempts and telemetry.

Preference, most specific first::

    program(..., backend="dspy")          # this call (also applies inside a composite program)
    module.backend = "dspy"               # this instance
    dspex.configure(overrides={"chain_of_thought": "dspy"})   # this type
    dspex.configure(backend="auto")       # everything (or ``with dspex.context(backend=...)``)

(the rules are in :mod:`dspex.hybrid.routing`). Routed units are the registered module types
(``predict``, ``chain_of_thought``, ...); a composite program runs its own ``forward`` and each
unit inside it is routed. With ``fallback=True``, a native failure that is not a user error is
retried on dspy; both attempts are recorded.

One planning step (:func:`plan`) serves both executors; :meth:`Router.call` and
:meth:`Router.acall` differ only where they await. The commonest call (a native unit with no
preference of its own, under settings already planned as native without fallback) takes a
shortcut past :func:`plan`: the unit remembers the settings objects it was planned under
(:meth:`dspex.settings.Settings.layers`), and any change of them sends the next call through
:func:`plan` again. ``dspex.hybrid`` registers :data:`ROUTER` on
the module call chain (:mod:`dspex.primitives.hooks`).
"""

from __future__ import annotations

import contextvars
from typing import Any

from dspex.hybrid import telemetry
from dspex.hybrid.attempts import Attempt, publish_attempts
from dspex.hybrid.dspy_bridge import acall_mapped, arun_on_dspy, call_mapped, run_on_dspy
from dspex.hybrid.errors import BackendUnavailable
from dspex.hybrid.registry import capability_of, native_unit_of, unit_named
from dspex.hybrid.routing import (
    PREFERENCES,
    Decision,
    check_preference,
    decide,
    pick_backend,
    resolve_preference,
)
from dspex.hybrid.telemetry import finished, started, succeeded
from dspex.lm.errors import AuthenticationError, CircuitOpenError
from dspex.modules.errors import NoLMConfiguredError
from dspex.primitives.hooks import CallHook, Proceed, ProceedAsync, aforward, forward
from dspex.settings import settings
from dspex.signatures.errors import FieldValidationError, SignatureError

__all__ = [
    "PREFERENCES",
    "ROUTER",
    "Plan",
    "Router",
    "acall",
    "call",
    "check_preference",
    "choose_backend",
    "enter_bridge",
    "exit_bridge",
    "is_user_error",
    "plan",
    "preference_for",
]


class _Route:
    """What the calls made inside the current one must know (a context variable)."""

    __slots__ = ("bridge", "call_backend", "inside_unit")

    def __init__(
        self, inside_unit: bool = False, call_backend: str | None = None, bridge: dict[int, Any] | None = None
    ) -> None:
        self.inside_unit = inside_unit  # running a routed unit natively: its inner modules just run
        self.call_backend = call_backend  # a preference given to an enclosing call
        self.bridge = bridge  # native predictor id -> dspy predictor (dspy optimizers)


_route: contextvars.ContextVar[_Route | None] = contextvars.ContextVar("dspex_hybrid_route", default=None)
_INSIDE = _Route(inside_unit=True)

# Errors that are the caller's: never retried on the other backend.
USER_ERRORS: tuple[type[BaseException], ...] = (
    SignatureError,
    FieldValidationError,
    TypeError,
    NoLMConfiguredError,
    BackendUnavailable,
    AuthenticationError,
    CircuitOpenError,
)


def is_user_error(error: BaseException) -> bool:
    """Whether a failed attempt is the caller's fault (validation, bad input, missing LM or key,
    open breaker) rather than the backend's: only the latter falls back."""
    return not isinstance(error, Exception) or isinstance(error, USER_ERRORS)


def preference_for(type_name: str, *, explicit: str | None = None, instance: str | None = None) -> str:
    """The effective preference for one call of ``type_name`` (see :mod:`dspex.hybrid.routing`)."""
    state = _route.get()
    overrides = settings.get("overrides") or {}
    return resolve_preference(
        explicit=explicit,
        enclosing=state.call_backend if state is not None else None,
        instance=instance,
        override=overrides.get(type_name),
        default=settings.get("backend") or "auto",
    )


def _windows(type_name: str, operation: str) -> Any:
    return lambda backend: telemetry.window_of(type_name, backend, operation)


def choose_backend(type_name: str, preference: str, *, kind: str = "module") -> str:
    """The backend (``"native"`` or ``"dspy"``) that runs ``type_name`` under ``preference``."""
    return pick_backend(
        type_name,
        preference,
        capability_of(type_name, kind=kind),
        kind=kind,
        windows=_windows(type_name, "call" if kind == "module" else "compile"),
        min_samples=int(settings.get("adaptive_min_samples") or 1),
    )


# -- planning: the one step both executors share ---------------------------------------------------
PASS, SCOPE, MAPPED, ROUTED = "pass", "scope", "mapped", "routed"


class Plan:
    """How one module call runs: ``kind`` is

    - ``pass``: the rest of the chain runs it as it is (a module inside a routed unit, or a
      composite program with no preference of its own);
    - ``scope``: the same, with ``route`` (a preference given to this composite call) visible to
      the modules inside;
    - ``mapped``: a dspy optimizer's stand-in predictor ``twin`` runs it;
    - ``routed``: a routed unit ``type_name`` runs per ``decision`` (``dspy_backed``: the module is
      a dspy module behind the dspex API, whose own ``forward`` is the dspy attempt).
    """

    __slots__ = ("decision", "dspy_backed", "fast", "kind", "route", "twin", "type_name")

    def __init__(
        self,
        kind: str,
        *,
        type_name: str = "",
        decision: Decision | None = None,
        dspy_backed: bool = False,
        route: _Route | None = None,
        twin: Any = None,
    ) -> None:
        self.kind = kind
        self.type_name = type_name
        self.decision = decision
        self.dspy_backed = dspy_backed
        self.route = route
        self.twin = twin
        self.fast = False  # a lasting native decision without fallback (see Router.call)


_PASS = Plan(PASS)
_NONE_DONE: list[Attempt] = []  # started() of a first attempt: nothing done yet (never appended to)


def _pop_backend(module: Any, kwargs: dict[str, Any]) -> Any:
    """Take the ``backend=`` keyword, unless the module has an input field of that name (``None``
    when there is none; the value as given, checked when the call is decided)."""
    if "backend" not in kwargs:
        return None
    signature = module.__dict__.get("signature")
    if signature is None:
        predict = module.__dict__.get("predict")
        signature = getattr(predict, "signature", None)
    if signature is not None and "backend" in getattr(signature, "input_fields", {}):
        return None
    return kwargs.pop("backend")


def plan(module: Any, kwargs: dict[str, Any]) -> Plan:
    """Plan one call of ``module`` (``kwargs`` loses a ``backend=`` preference, if it has one)."""
    state = _route.get()
    if state is not None:
        if state.bridge is not None:
            _pop_backend(module, kwargs)
            twin = state.bridge.get(id(module))
            return Plan(MAPPED, twin=twin) if twin is not None else _PASS
        if state.inside_unit:
            _pop_backend(module, kwargs)
            return _PASS
    explicit = _pop_backend(module, kwargs) if "backend" in kwargs else None
    instance = module.__dict__.get("backend")
    unit = native_unit_of(type(module))
    dspy_backed = unit is None
    if unit is None:
        type_name = getattr(module, "_hybrid_dspy_type", None)
        if type_name is None:  # a composite program: it is not routed, the units inside it are
            preference = explicit if explicit is not None else instance
            if preference is None:
                return _PASS
            return Plan(SCOPE, route=_Route(call_backend=check_preference(preference)))
        unit = unit_named(type_name)
    enclosing = state.call_backend if state is not None else None
    overrides, default, fallback = _routing_settings()
    override = overrides.get(unit.type_name) if overrides else None
    # Same inputs, same decision (unless it read the recent record): decide once per combination.
    # The unit's cache goes with the unit when the registry changes.
    plain = explicit is None and enclosing is None and instance is None and override is None
    if plain:
        key: tuple[Any, ...] = (default, fallback, dspy_backed)
    else:
        key = (explicit, enclosing, instance, override, default, fallback, dspy_backed)
    found: Plan | None = unit.plans.get(key)
    if found is None:
        found = _decided(unit, key, dspy_backed, explicit, enclosing, instance, override, default, fallback)
    if plain and not dspy_backed and state is None and found.fast:
        unit.fast = _layers()  # these settings run this type natively: the shortcut may skip plan()
    return found


def _decided(
    unit: Any,
    key: tuple[Any, ...],
    dspy_backed: bool,
    explicit: str | None,
    enclosing: str | None,
    instance: str | None,
    override: str | None,
    default: str | None,
    fallback: Any,
) -> Plan:
    decision = decide(
        unit.type_name,
        unit.capability,
        explicit=explicit,
        enclosing=enclosing,
        instance=instance,
        override=override,
        default=default or "auto",
        fallback=bool(fallback),
        dspy_only=dspy_backed,
        windows=_windows(unit.type_name, "call"),
        min_samples=int(settings.get("adaptive_min_samples") or 1),
    )
    found = Plan(ROUTED, type_name=unit.type_name, decision=decision, dspy_backed=dspy_backed)
    found.fast = decision.lasting and decision.backend == "native" and not decision.fallback
    if decision.lasting:
        if len(unit.plans) >= _PLANS_KEPT:
            unit.plans.clear()
        unit.plans[key] = found
    return found


_routing_settings = settings.reader("overrides", "backend", "fallback")
_layers = settings.layers
_PLANS_KEPT = 256  # per type


def _falls_back(decision: Decision, error: BaseException) -> bool:
    return decision.fallback and not is_user_error(error)


# -- the executors ---------------------------------------------------------------------------------
class Router(CallHook):
    """The call hook of the hybrid router (inside the assertion scope, so a retry is routed again).

    Both executors: plan; a call that is not a routed unit runs on (with its preference visible
    to the modules inside, or on a dspy optimizer's stand-in); a routed unit runs natively (the
    modules inside it just run) and, when that fails and the decision allows, on dspy. Every
    attempt is timed, counted and published on the prediction.
    """

    order = 100

    # The shortcut: a native unit called with no preference of its own, outside any routed call,
    # under settings that plan() last found to run its type natively with no fallback (the unit
    # keeps those settings' identity). Such a call is planned already: run it, record the one
    # attempt. Everything else goes through plan().
    def call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: Proceed) -> Any:
        if "backend" not in kwargs and _route.get() is None and "backend" not in module.__dict__:
            unit = native_unit_of(type(module))
            fast = unit.fast if unit is not None else None
            if fast is not None:
                layers = _layers()
                if fast[0] is layers[0] and fast[1] is layers[1]:
                    assert unit is not None
                    type_name = unit.type_name
                    start = started("call", "native", type_name, _NONE_DONE)
                    token = _route.set(_INSIDE)
                    try:
                        if proceed is forward:
                            result = module.forward(*args, **kwargs)
                        else:
                            result = proceed(module, args, kwargs)
                    except BaseException as error:
                        done: list[Attempt] = []
                        finished("call", "native", type_name, start, done, error)
                        publish_attempts(done)
                        raise
                    finally:
                        _route.reset(token)
                    succeeded("native", type_name, start, result)
                    return result
        return self._call(module, args, kwargs, proceed)

    def _call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: Proceed) -> Any:
        how = plan(module, kwargs)
        kind = how.kind
        if kind is not ROUTED:
            if kind is PASS:
                return proceed(module, args, kwargs)
            if kind is MAPPED:
                return call_mapped(module, how.twin, kwargs)
            token = _route.set(how.route)
            try:
                return proceed(module, args, kwargs)
            finally:
                _route.reset(token)
        decision, type_name = how.decision, how.type_name
        assert decision is not None  # a routed plan has one
        done: list[Attempt] = []
        result = None
        try:
            if decision.backend == "native":
                start = started("call", "native", type_name, done)
                token = _route.set(_INSIDE)
                try:
                    if proceed is forward:  # the innermost hook, as registered: one frame less
                        result = module.forward(*args, **kwargs)
                    else:  # (a copy: a fallback attempt needs the kwargs as they came)
                        result = proceed(module, args, dict(kwargs) if decision.fallback else kwargs)
                except BaseException as error:
                    finished("call", "native", type_name, start, done, error)
                    if not _falls_back(decision, error):
                        raise
                else:
                    finished("call", "native", type_name, start, done)
                    return result
                finally:
                    _route.reset(token)
            start = started("call", "dspy", type_name, done)
            try:
                if how.dspy_backed:
                    result = proceed(module, args, kwargs)
                else:
                    result = run_on_dspy(module, type_name, kwargs)
            except BaseException as error:
                finished("call", "dspy", type_name, start, done, error)
                raise
            finished("call", "dspy", type_name, start, done)
            return result
        finally:
            publish_attempts(done, result)

    async def acall(
        self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: ProceedAsync
    ) -> Any:
        if "backend" not in kwargs and _route.get() is None and "backend" not in module.__dict__:
            unit = native_unit_of(type(module))
            fast = unit.fast if unit is not None else None
            if fast is not None:
                layers = _layers()
                if fast[0] is layers[0] and fast[1] is layers[1]:
                    assert unit is not None
                    type_name = unit.type_name
                    start = started("call", "native", type_name, _NONE_DONE)
                    token = _route.set(_INSIDE)
                    try:
                        if proceed is aforward:
                            result = await module.aforward(*args, **kwargs)
                        else:
                            result = await proceed(module, args, kwargs)
                    except BaseException as error:
                        done: list[Attempt] = []
                        finished("call", "native", type_name, start, done, error)
                        publish_attempts(done)
                        raise
                    finally:
                        _route.reset(token)
                    succeeded("native", type_name, start, result)
                    return result
        return await self._acall(module, args, kwargs, proceed)

    async def _acall(
        self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], proceed: ProceedAsync
    ) -> Any:
        how = plan(module, kwargs)
        kind = how.kind
        if kind is not ROUTED:
            if kind is PASS:
                return await proceed(module, args, kwargs)
            if kind is MAPPED:
                return await acall_mapped(module, how.twin, kwargs)
            token = _route.set(how.route)
            try:
                return await proceed(module, args, kwargs)
            finally:
                _route.reset(token)
        decision, type_name = how.decision, how.type_name
        assert decision is not None  # a routed plan has one
        done: list[Attempt] = []
        result = None
        try:
            if decision.backend == "native":
                start = started("call", "native", type_name, done)
                token = _route.set(_INSIDE)
                try:
                    if proceed is aforward:
                        result = await module.aforward(*args, **kwargs)
                    else:
                        result = await proceed(module, args, dict(kwargs) if decision.fallback else kwargs)
                except BaseException as error:
                    finished("call", "native", type_name, start, done, error)
                    if not _falls_back(decision, error):
                        raise
                else:
                    finished("call", "native", type_name, start, done)
                    return result
                finally:
                    _route.reset(token)
            start = started("call", "dspy", type_name, done)
            try:
                if how.dspy_backed:
                    result = await proceed(module, args, kwargs)
                else:
                    result = await arun_on_dspy(module, type_name, kwargs)
            except BaseException as error:
                finished("call", "dspy", type_name, start, done, error)
                raise
            finished("call", "dspy", type_name, start, done)
            return result
        finally:
            publish_attempts(done, result)


ROUTER = Router()


def call(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` through the router alone (no other call hooks)."""
    return ROUTER.call(module, args, kwargs, proceed=forward)


async def acall(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``await module.acall(*args, **kwargs)`` through the router alone."""
    return await ROUTER.acall(module, args, kwargs, proceed=aforward)


# -- dspy optimizers running a dspex program ------------------------------------------------------
def enter_bridge(mapping: dict[int, Any]) -> contextvars.Token[_Route | None]:
    """Route the predictors in ``mapping`` (by id) to their dspy stand-ins in this context."""
    return _route.set(_Route(bridge=mapping))


def exit_bridge(token: contextvars.Token[_Route | None]) -> None:
    _route.reset(token)
