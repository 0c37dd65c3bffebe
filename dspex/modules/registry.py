"""Module types by name, for programs described as data (pipeline steps, platform programs).

Registering a type is one line::

    register_module("chain_of_thought", ChainOfThought, extra_outputs=("reasoning",))

A factory is called as ``factory(signature, **config)`` (plus ``tools=[...]`` when it takes tools)
and returns a :class:`dspex.Module`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dspex.modules.chain_of_thought import ChainOfThought
from dspex.modules.predict import Predict

__all__ = [
    "ModuleType",
    "UnknownModuleError",
    "get_module",
    "get_module_type",
    "module_names",
    "register_module",
    "unregister_module",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class UnknownModuleError(LookupError):
    """No module type is registered under the name asked for."""

    def __init__(self, name: str):
        self.name = name
        known = ", ".join(module_names()) or "none"
        super().__init__(f"unknown module type {name!r} (known: {known})")


@dataclass(frozen=True, slots=True)
class ModuleType:
    """A registered module type.

    ``takes_tools``: the factory accepts ``tools=[...]``. ``extra_outputs``: output fields the
    module adds to its signature's outputs (``reasoning`` for ChainOfThought).
    """

    name: str
    factory: Callable[..., Any]
    takes_tools: bool = False
    extra_outputs: tuple[str, ...] = ()


_registry: dict[str, ModuleType] = {}


def register_module(
    name: str,
    factory: Callable[..., Any],
    *,
    takes_tools: bool = False,
    extra_outputs: tuple[str, ...] = (),
    replace: bool = False,
) -> ModuleType:
    """Make ``factory`` available as module type ``name`` (snake_case)."""
    if not _NAME.match(name):
        raise ValueError(f"module type names are snake_case identifiers, got {name!r}")
    if name in _registry and not replace and _registry[name].factory is not factory:
        raise ValueError(f"module type {name!r} is already registered (pass replace=True to override)")
    entry = ModuleType(name, factory, takes_tools, tuple(extra_outputs))
    _registry[name] = entry
    return entry


def unregister_module(name: str) -> None:
    """Remove module type ``name`` (no error when it is not registered)."""
    _registry.pop(name, None)


def get_module_type(name: str) -> ModuleType:
    """The registration of ``name``; :class:`UnknownModuleError` when there is none."""
    try:
        return _registry[name]
    except (KeyError, TypeError):
        raise UnknownModuleError(name) from None


def get_module(name: str) -> Callable[..., Any]:
    """The factory (usually the class) registered as ``name``."""
    return get_module_type(name).factory


def module_names() -> list[str]:
    """Every registered module type name, sorted."""
    return sorted(_registry)


register_module("predict", Predict)
register_module("chain_of_thought", ChainOfThought, extra_outputs=("reasoning",))


def _register_reasoning_modules() -> None:
    from dspex.modules.multi_chain_comparison import MultiChainComparison
    from dspex.modules.program_of_thought import ProgramOfThought
    from dspex.modules.react import ReAct

    register_module("react", ReAct, takes_tools=True, extra_outputs=("trajectory",))
    register_module("multi_chain_comparison", MultiChainComparison, extra_outputs=("rationale",))
    register_module("program_of_thought", ProgramOfThought)


_register_reasoning_modules()
