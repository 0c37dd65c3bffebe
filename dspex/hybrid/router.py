"""The router: which backend runs a module call, with fallback, attempts and telemetry.

Preference, most specific first::

    program(..., backend="dspy")          # this call (also applies inside a composite program)
    module.backend = "dspy"               # this instance
    dspex.configure(overrides={"chain_of_thought": "dspy"})   # this type
    dspex.configure(backend="auto")       # everything (or ``with dspex.context(backend=...)``)

``auto`` runs natively where a native implementation exists, ``native``/``dspy`` insist (and
raise :class:`BackendUnavailable` when the type cannot run there), ``adaptive`` picks the backend
with the better recent record (error rate, then p50 latency) once both have
``adaptive_min_samples`` calls, else behaves like ``auto``.

Routed units are the registered module types (``predict``, ``chain_of_thought``, ...); a composite
program runs its own ``forward`` and each unit inside it is routed. With ``fallback=True``, a
native failure that is not a user error is retried on dspy; both attempts are recorded.
"""

from __future__ import annotations

import contextvars
import math
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from dspex.hybrid import telemetry
from dspex.hybrid.attempts import Attempt, publish_attempts
from dspex.hybrid.errors import BackendUnavailable
from dspex.hybrid.registry import BACKENDS, available_backends, dspy_installed, implementation, native_type_of
from dspex.settings import settings

__all__ = ["PREFERENCES", "acall", "call", "check_preference", "choose_backend", "preference_for"]

PREFERENCES = ("auto", "native", "dspy", "adaptive")


@dataclass(frozen=True, slots=True)
class _Route:
    inside_unit: bool = False  # running a routed unit natively: its inner modules just run
    call_backend: str | None = None  # a preference given to an enclosing call
    bridge: dict[int, Any] | None = None  # native predictor id -> dspy predictor (dspy optimizers)


_route: contextvars.ContextVar[_Route | None] = contextvars.ContextVar("dspex_hybrid_route", default=None)
_INSIDE = _Route(inside_unit=True)


def check_preference(value: Any) -> str:
    """``value`` when it is a known preference, else a ``ValueError`` naming the valid ones."""
    if value not in PREFERENCES:
        raise ValueError(f"backend must be one of {', '.join(PREFERENCES)}; got {value!r}")
    return value


def preference_for(type_name: str, *, explicit: str | None = None, instance: str | None = None) -> str:
    """The effective preference for one call of ``type_name`` (see the module docstring)."""
    if explicit is not None:
        return check_preference(explicit)
    state = _route.get()
    if state is not None and state.call_backend is not None:
        return state.call_backend
    if instance is not None:
        return check_preference(instance)
    overrides = settings.get("overrides") or {}
    if type_name in overrides:
        return check_preference(overrides[type_name])
    return check_preference(settings.get("backend") or "auto")


def choose_backend(type_name: str, preference: str, *, kind: str = "module") -> str:
    """The backend (``"native"`` or ``"dspy"``) that runs ``type_name`` under ``preference``."""
    check_preference(preference)
    available = available_backends(type_name, kind=kind)
    if preference in ("native", "dspy"):
        if preference not in available:
            reason = ""
            if preference == "dspy" and implementation(type_name, "dspy", kind=kind) and not dspy_installed():
                reason = "dspy is not installed; pip install 'dspex[dspy]'"
            elif implementation(type_name, preference, kind=kind) is None and not available:
                reason = "unknown type"
            raise BackendUnavailable(type_name, preference, available, kind=kind, reason=reason)
        return preference
    if not available:
        raise BackendUnavailable(type_name, preference, available, kind=kind, reason="unknown type")
    if preference == "adaptive" and len(available) == len(BACKENDS):
        picked = _adaptive(type_name, "call" if kind == "module" else "compile")
        if picked is not None:
            return picked
    return "native" if "native" in available else available[0]


def _adaptive(type_name: str, operation: str) -> str | None:
    needed = max(1, int(settings.get("adaptive_min_samples") or 1))
    windows = {b: telemetry.window_of(type_name, b, operation) for b in BACKENDS}
    if any(w["window_count"] < needed for w in windows.values()):
        return None

    def record(backend: str) -> tuple[float, float]:
        window = windows[backend]
        return (window["error_rate"], window["p50_ms"] if window["p50_ms"] is not None else math.inf)

    return min(BACKENDS, key=record)  # ties go to native (first in BACKENDS)


def _instance_backend(module: Any) -> str | None:
    return module.__dict__.get("backend")


def _pop_backend(module: Any, kwargs: dict[str, Any]) -> str | None:
    """Take the ``backend=`` keyword, unless the module has an input field of that name."""
    if "backend" not in kwargs:
        return None
    signature = module.__dict__.get("signature")
    if signature is None:
        predict = module.__dict__.get("predict")
        signature = getattr(predict, "signature", None)
    if signature is not None and "backend" in getattr(signature, "input_fields", {}):
        return None
    return kwargs.pop("backend")


def _dspy_backed_type(module: Any) -> str | None:
    return getattr(module, "_hybrid_dspy_type", None)


def _choose_for(module: Any, type_name: str, explicit: str | None, dspy_only: bool) -> str:
    preference = preference_for(type_name, explicit=explicit, instance=_instance_backend(module))
    if dspy_only:
        if preference == "native":
            raise BackendUnavailable(
                type_name,
                "native",
                available_backends(type_name),
                kind="module",
                reason="this instance was built on dspy; create it again with backend='native'",
            )
        return "dspy"
    backend = choose_backend(type_name, preference)
    if backend == "dspy":
        impl = implementation(type_name, "native")
        if impl is not None and impl.to_dspy is None:
            raise BackendUnavailable(
                type_name,
                "dspy",
                ["native"],
                kind="module",
                reason=f"no converter from the native {type_name} to dspy is registered",
            )
    return backend


_USER_ERRORS: tuple[type[BaseException], ...] | None = None


def _user_errors() -> tuple[type[BaseException], ...]:
    global _USER_ERRORS
    if _USER_ERRORS is None:
        from dspex.lm.errors import AuthenticationError, CircuitOpenError
        from dspex.modules.predict import NoLMConfiguredError
        from dspex.signatures.errors import FieldValidationError, SignatureError

        _USER_ERRORS = (
            SignatureError,
            FieldValidationError,
            TypeError,
            NoLMConfiguredError,
            BackendUnavailable,
            AuthenticationError,
            CircuitOpenError,
        )
    return _USER_ERRORS


def may_fall_back(error: BaseException, type_name: str, kind: str = "module") -> bool:
    """Whether a failed native attempt is retried on dspy: ``fallback=True``, dspy can run the type,
    and the error is not the caller's (validation, bad input, missing LM or key, open breaker)."""
    if not settings.get("fallback") or not isinstance(error, Exception):
        return False
    if "dspy" not in available_backends(type_name, kind=kind):
        return False
    if kind == "module":
        impl = implementation(type_name, "native", kind=kind)
        if impl is None or impl.to_dspy is None:
            return False
    return not isinstance(error, _user_errors())


def _failed(
    attempts: list[Attempt], backend: str, type_name: str, start: float, error: BaseException
) -> None:
    latency = (perf_counter() - start) * 1000.0
    telemetry.record("call", type_name, backend, latency, False)
    attempts.append(Attempt(backend, "error", f"{type(error).__name__}: {error}", latency, type_name))
    telemetry.emit("exception", "call", backend, type_name, len(attempts), latency, error)


def _succeeded(attempts: list[Attempt], backend: str, type_name: str, start: float) -> None:
    latency = (perf_counter() - start) * 1000.0
    telemetry.record("call", type_name, backend, latency, True)
    attempts.append(Attempt(backend, "ok", None, latency, type_name))
    telemetry.emit("stop", "call", backend, type_name, len(attempts), latency)


# -- the call path ------------------------------------------------------------------------------
def call(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` through the router (called by ``Module.__call__``)."""
    state = _route.get()
    if state is not None:
        if state.bridge is not None:
            _pop_backend(module, kwargs)
            twin = state.bridge.get(id(module))
            if twin is not None:
                from dspex.hybrid.dspy_bridge import call_mapped

                return call_mapped(module, twin, kwargs)
            return module.forward(*args, **kwargs)
        if state.inside_unit:
            _pop_backend(module, kwargs)
            return module.forward(*args, **kwargs)
    explicit = _pop_backend(module, kwargs)
    type_name = native_type_of(module)
    dspy_type = None if type_name is not None else _dspy_backed_type(module)
    if type_name is None and dspy_type is None:
        preference = explicit if explicit is not None else _instance_backend(module)
        if preference is None:
            return module.forward(*args, **kwargs)
        token = _route.set(_Route(call_backend=check_preference(preference)))
        try:
            return module.forward(*args, **kwargs)
        finally:
            _route.reset(token)
    if dspy_type is not None:
        return _run_dspy_backed(module, dspy_type, explicit, args, kwargs)
    assert type_name is not None
    backend = _choose_for(module, type_name, explicit, dspy_only=False)
    attempts: list[Attempt] = []
    result = None
    try:
        if backend == "native":
            try:
                result = _native(module, type_name, args, dict(kwargs), attempts)
            except Exception as error:
                if not may_fall_back(error, type_name):
                    raise
                result = _dspy(module, type_name, kwargs, attempts)
        else:
            result = _dspy(module, type_name, kwargs, attempts)
    finally:
        publish_attempts(attempts, result)
    return result


def _native(
    module: Any, type_name: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempts: list
) -> Any:
    telemetry.emit("start", "call", "native", type_name, len(attempts) + 1)
    start = perf_counter()
    token = _route.set(_INSIDE)
    try:
        result = module.forward(*args, **kwargs)
    except BaseException as error:
        _failed(attempts, "native", type_name, start, error)
        raise
    finally:
        _route.reset(token)
    _succeeded(attempts, "native", type_name, start)
    return result


def _dspy(module: Any, type_name: str, kwargs: dict[str, Any], attempts: list) -> Any:
    from dspex.hybrid.dspy_bridge import run_on_dspy

    telemetry.emit("start", "call", "dspy", type_name, len(attempts) + 1)
    start = perf_counter()
    try:
        result = run_on_dspy(module, type_name, kwargs)
    except BaseException as error:
        _failed(attempts, "dspy", type_name, start, error)
        raise
    _succeeded(attempts, "dspy", type_name, start)
    return result


def _run_dspy_backed(
    module: Any, type_name: str, explicit: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    _choose_for(module, type_name, explicit, dspy_only=True)
    attempts: list[Attempt] = []
    result = None
    telemetry.emit("start", "call", "dspy", type_name, 1)
    start = perf_counter()
    try:
        result = module.forward(*args, **kwargs)
    except BaseException as error:
        _failed(attempts, "dspy", type_name, start, error)
        raise
    else:
        _succeeded(attempts, "dspy", type_name, start)
    finally:
        publish_attempts(attempts, result)
    return result


# -- async ----------------------------------------------------------------------------------------
async def acall(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``await module.acall(*args, **kwargs)`` through the router."""
    state = _route.get()
    if state is not None:
        if state.bridge is not None:
            _pop_backend(module, kwargs)
            twin = state.bridge.get(id(module))
            if twin is not None:
                from dspex.hybrid.dspy_bridge import acall_mapped

                return await acall_mapped(module, twin, kwargs)
            return await module.aforward(*args, **kwargs)
        if state.inside_unit:
            _pop_backend(module, kwargs)
            return await module.aforward(*args, **kwargs)
    explicit = _pop_backend(module, kwargs)
    type_name = native_type_of(module)
    dspy_type = None if type_name is not None else _dspy_backed_type(module)
    if type_name is None and dspy_type is None:
        preference = explicit if explicit is not None else _instance_backend(module)
        if preference is None:
            return await module.aforward(*args, **kwargs)
        token = _route.set(_Route(call_backend=check_preference(preference)))
        try:
            return await module.aforward(*args, **kwargs)
        finally:
            _route.reset(token)
    if dspy_type is not None:
        return await _arun_dspy_backed(module, dspy_type, explicit, args, kwargs)
    assert type_name is not None
    backend = _choose_for(module, type_name, explicit, dspy_only=False)
    attempts: list[Attempt] = []
    result = None
    try:
        if backend == "native":
            try:
                result = await _anative(module, type_name, args, dict(kwargs), attempts)
            except Exception as error:
                if not may_fall_back(error, type_name):
                    raise
                result = await _adspy(module, type_name, kwargs, attempts)
        else:
            result = await _adspy(module, type_name, kwargs, attempts)
    finally:
        publish_attempts(attempts, result)
    return result


async def _anative(
    module: Any, type_name: str, args: tuple[Any, ...], kwargs: dict[str, Any], attempts: list
) -> Any:
    telemetry.emit("start", "call", "native", type_name, len(attempts) + 1)
    start = perf_counter()
    token = _route.set(_INSIDE)
    try:
        result = await module.aforward(*args, **kwargs)
    except BaseException as error:
        _failed(attempts, "native", type_name, start, error)
        raise
    finally:
        _route.reset(token)
    _succeeded(attempts, "native", type_name, start)
    return result


async def _adspy(module: Any, type_name: str, kwargs: dict[str, Any], attempts: list) -> Any:
    from dspex.hybrid.dspy_bridge import arun_on_dspy

    telemetry.emit("start", "call", "dspy", type_name, len(attempts) + 1)
    start = perf_counter()
    try:
        result = await arun_on_dspy(module, type_name, kwargs)
    except BaseException as error:
        _failed(attempts, "dspy", type_name, start, error)
        raise
    _succeeded(attempts, "dspy", type_name, start)
    return result


async def _arun_dspy_backed(
    module: Any, type_name: str, explicit: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    _choose_for(module, type_name, explicit, dspy_only=True)
    attempts: list[Attempt] = []
    result = None
    telemetry.emit("start", "call", "dspy", type_name, 1)
    start = perf_counter()
    try:
        result = await module.aforward(*args, **kwargs)
    except BaseException as error:
        _failed(attempts, "dspy", type_name, start, error)
        raise
    else:
        _succeeded(attempts, "dspy", type_name, start)
    finally:
        publish_attempts(attempts, result)
    return result


# -- dspy optimizers running a dspex program ------------------------------------------------------
def enter_bridge(mapping: dict[int, Any]) -> contextvars.Token:
    """Route the predictors in ``mapping`` (by id) to their dspy stand-ins in this context."""
    return _route.set(_Route(bridge=mapping))


def exit_bridge(token: contextvars.Token) -> None:
    _route.reset(token)
