"""The one rule of every compatibility module: a name it does not map is reported as such."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = ["live", "unsupported"]

_PREFIX = "dspex.compat."


def unsupported(module: str) -> Callable[[str], NoReturn]:
    """A module-level ``__getattr__`` for the compatibility module named ``module``.

    Every name the module does not map raises an :class:`AttributeError` that says the name is
    not supported yet (instead of a bare "has no attribute"), naming it as dspy would.
    """
    public = module.removeprefix(_PREFIX)

    def __getattr__(name: str) -> NoReturn:
        if name.startswith("__"):
            raise AttributeError(f"module {public!r} has no attribute {name!r}")
        raise AttributeError(
            f"{public}.{name} is not supported by dspex yet (dspex.compat maps dspy's names onto the "
            "engine; see docs/dspy-compat.md for what is covered)"
        )

    return __getattr__


def live(module: str, **names: tuple[Callable[[], Any], Callable[[Any], None], Callable[[], None]]) -> None:
    """Make each of ``names`` an attribute of module ``module`` that reads, sets and deletes an
    engine value through the given (get, set, delete) functions: ``dspy.cache = c`` (or
    ``mock.patch("dspy.cache", c)``) then changes what the engine uses, not a copy."""
    target = sys.modules[module]
    properties = {name: _engine_property(*accessors) for name, accessors in names.items()}
    target.__class__ = type("LiveModule", (types.ModuleType,), properties)


def _engine_property(
    get: Callable[[], Any], put: Callable[[Any], None], drop: Callable[[], None]
) -> property:
    def read(_module: Any) -> Any:
        return get()

    def write(_module: Any, value: Any) -> None:
        put(value)

    def delete(_module: Any) -> None:
        drop()

    return property(read, write, delete)
