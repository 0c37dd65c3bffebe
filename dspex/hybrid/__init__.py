"""The hybrid engine: one API, two implementations (native dspex and dspy).

- :func:`capabilities`, :func:`register_native`, :func:`register_dspy`: which types run where.
- The router (``dspex.configure(backend=..., overrides=..., fallback=...)``, ``module.backend``,
  ``program(..., backend=...)``) and :class:`BackendUnavailable`.
- :func:`subscribe` / :func:`unsubscribe` / :func:`stats`: telemetry; :func:`record_attempts` /
  :func:`attempts_of`: what each backend did for a call.
- :func:`module` / :func:`optimizer`: build a type on the backend the router picks.
- :func:`compile_with_dspy`, :func:`import_dspy_program`, :func:`export_dspy_program`.

dspy is imported only when something runs on it.

Registration point: importing this package puts the router (:data:`dspex.hybrid.router.ROUTER`)
on the call chain of every module (see :mod:`dspex.primitives.hooks`).
"""

from dspex.hybrid.attempts import Attempt, attempts_of, record_attempts
from dspex.hybrid.compile import DspyOptimizer, compile_with_dspy, optimizer
from dspex.hybrid.dspy_module import DspyModule, module
from dspex.hybrid.errors import BackendUnavailable
from dspex.hybrid.programs import export_dspy_program, import_dspy_program
from dspex.hybrid.registry import capabilities, register_dspy, register_native
from dspex.hybrid.router import PREFERENCES, ROUTER, choose_backend, preference_for
from dspex.hybrid.telemetry import (
    HybridEvent,
    configure_stats,
    reset_stats,
    stats,
    subscribe,
    unsubscribe,
)
from dspex.primitives.hooks import register_call_hook

register_call_hook(ROUTER)

__all__ = [
    "PREFERENCES",
    "Attempt",
    "BackendUnavailable",
    "DspyModule",
    "DspyOptimizer",
    "HybridEvent",
    "attempts_of",
    "capabilities",
    "choose_backend",
    "compile_with_dspy",
    "configure_stats",
    "export_dspy_program",
    "import_dspy_program",
    "module",
    "optimizer",
    "preference_for",
    "record_attempts",
    "register_dspy",
    "register_native",
    "reset_stats",
    "stats",
    "subscribe",
    "unsubscribe",
]
