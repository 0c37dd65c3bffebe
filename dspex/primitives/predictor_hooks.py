"""Extra inputs for predictor calls made inside a block (used by assertions and ``Refine``).

A hook is ``hook(predictor, signature, inputs) -> (signature, inputs)``: it may append input
fields to the signature of one call and give them values, e.g. ``feedback`` when an assertion
sends a predictor back, or ``hint_`` on a ``Refine`` retry. Hooks live in a context variable, so
they apply only to calls made inside ``with predictor_hook(...)`` in this thread or task.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["PredictorHook", "apply_predictor_hooks", "predictor_hook"]

PredictorHook = Callable[[Any, Any, dict[str, Any]], tuple[Any, dict[str, Any]]]

_hooks: contextvars.ContextVar[tuple[PredictorHook, ...]] = contextvars.ContextVar(
    "dspex_predictor_hooks", default=()
)


@contextmanager
def predictor_hook(hook: PredictorHook) -> Iterator[None]:
    """Apply ``hook`` to every predictor call made inside the block (after outer hooks)."""
    token = _hooks.set((*_hooks.get(), hook))
    try:
        yield
    finally:
        _hooks.reset(token)


def apply_predictor_hooks(
    predictor: Any, signature: Any, inputs: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Run the active hooks for one call of ``predictor``; unchanged when there are none."""
    for hook in _hooks.get():
        signature, inputs = hook(predictor, signature, inputs)
    return signature, inputs
