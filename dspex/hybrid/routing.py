"""The routing decision: which backend runs one call, and whether a native failure may fall back.

:func:`decide` is a pure function of what it is given — the call (its type and the preferences
that apply to it), the settings (default backend, per-type override, fallback, adaptive sample
size), what the registry can run, and (for ``adaptive`` only) the recent record of each backend.
It reads no global state, so it is tested on its own; the router (:mod:`dspex.hybrid.router`)
gathers its inputs and executes the decision.

Preference, most specific first: the call's ``backend=``, one given to an enclosing program call,
the instance's ``backend`` attribute, ``overrides[type]``, the configured ``backend``.

- ``auto``: native where a native implementation exists, else dspy.
- ``native`` / ``dspy``: that backend or :class:`BackendUnavailable`.
- ``adaptive``: the backend with the better recent record (error rate, then p50 latency, ties to
  native) once both have ``adaptive_min_samples`` calls; ``auto`` until then.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dspex.hybrid.errors import BackendUnavailable
from dspex.hybrid.registry import BACKENDS, Capability

__all__ = ["PREFERENCES", "Decision", "check_preference", "decide", "pick_backend", "resolve_preference"]

PREFERENCES = ("auto", "native", "dspy", "adaptive")

Window = Mapping[str, Any]  # a telemetry window: window_count, error_rate, p50_ms


@dataclass(frozen=True, slots=True)
class Decision:
    """Run the call on ``backend``; ``fallback``: a native failure that is not the caller's
    error is retried on dspy. ``lasting``: the decision follows from the inputs alone (no recent
    record was read), so the same inputs give it again."""

    backend: str
    fallback: bool = False
    lasting: bool = True


def check_preference(value: Any) -> str:
    """``value`` when it is a known preference, else a ``ValueError`` naming the valid ones."""
    if not isinstance(value, str) or value not in PREFERENCES:
        raise ValueError(f"backend must be one of {', '.join(PREFERENCES)}; got {value!r}")
    return value


def resolve_preference(
    *,
    explicit: str | None = None,
    enclosing: str | None = None,
    instance: str | None = None,
    override: str | None = None,
    default: str = "auto",
) -> str:
    """The preference that applies, most specific first (see the module docstring)."""
    if explicit is not None:
        return check_preference(explicit)
    if enclosing is not None:
        return enclosing  # checked when the enclosing call gave it
    if instance is not None:
        return check_preference(instance)
    if override is not None:
        return check_preference(override)
    return check_preference(default)


def pick_backend(
    type_name: str,
    preference: str,
    capability: Capability,
    *,
    kind: str = "module",
    windows: Callable[[str], Window] | None = None,
    min_samples: int = 1,
) -> str:
    """The backend that runs ``type_name`` under ``preference`` (see the module docstring).

    ``windows(backend)`` gives that backend's recent record (read for ``adaptive`` only).
    """
    check_preference(preference)
    available = capability.available
    if preference in BACKENDS:
        if preference not in available:
            reason = ""
            if preference == "dspy" and "dspy" in capability.registered:  # so: not installed
                reason = "dspy is not installed; pip install 'dspex[dspy]'"
            elif preference not in capability.registered and not available:
                reason = "unknown type"
            raise BackendUnavailable(type_name, preference, available, kind=kind, reason=reason)
        return preference
    if not available:
        raise BackendUnavailable(type_name, preference, available, kind=kind, reason="unknown type")
    if preference == "adaptive" and windows is not None and len(available) == len(BACKENDS):
        picked = _better_record(windows, max(1, min_samples))
        if picked is not None:
            return picked
    return "native" if "native" in available else available[0]


def _better_record(windows: Callable[[str], Window], needed: int) -> str | None:
    records = {backend: windows(backend) for backend in BACKENDS}
    if any(record["window_count"] < needed for record in records.values()):
        return None

    def score(backend: str) -> tuple[float, float]:
        record = records[backend]
        p50 = record["p50_ms"]
        return (record["error_rate"], p50 if p50 is not None else math.inf)

    return min(BACKENDS, key=score)  # ties go to native (first in BACKENDS)


def decide(
    type_name: str,
    capability: Capability,
    *,
    explicit: str | None = None,
    enclosing: str | None = None,
    instance: str | None = None,
    override: str | None = None,
    default: str = "auto",
    fallback: bool = False,
    dspy_only: bool = False,
    windows: Callable[[str], Window] | None = None,
    min_samples: int = 1,
) -> Decision:
    """The decision for one module call.

    ``explicit``: the call's ``backend=``; ``enclosing``: one given to an enclosing program call;
    ``instance``: the module's ``backend`` attribute; ``override``: ``overrides[type_name]``;
    ``default``: the configured ``backend``; ``fallback``: the ``fallback`` setting;
    ``dspy_only``: the instance was built on dspy (a ``DspyModule``). Raises ``ValueError`` for an
    unknown preference and :class:`BackendUnavailable` when the call cannot run as asked.
    """
    preference = resolve_preference(
        explicit=explicit, enclosing=enclosing, instance=instance, override=override, default=default
    )
    if dspy_only:
        if preference == "native":
            raise BackendUnavailable(
                type_name,
                "native",
                capability.available,
                kind="module",
                reason="this instance was built on dspy; create it again with backend='native'",
            )
        return _ON_DSPY
    lasting = preference != "adaptive"  # adaptive reads the recent record: it may change
    backend = pick_backend(
        type_name,
        preference,
        capability,
        windows=windows,
        min_samples=min_samples,
    )
    if backend == "dspy":
        if "native" in capability.registered and not capability.convertible:
            raise BackendUnavailable(
                type_name,
                "dspy",
                ["native"],
                kind="module",
                reason=f"no converter from the native {type_name} to dspy is registered",
            )
        return Decision("dspy", lasting=lasting)
    can_fall_back = fallback and capability.convertible and "dspy" in capability.available
    return Decision("native", fallback=can_fall_back, lasting=lasting)


_ON_DSPY = Decision("dspy")
