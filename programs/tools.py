"""Tools that programs may call (ReAct, pipeline steps), by name.

A tool is allow-listed by name -> dotted path of a *factory* ``factory(program)`` that returns the
callable (or ``dspex.Tool``) for that program, so a tool can be scoped to the program's owner.
Built in: ``calculator``; apps add theirs with :func:`register_tool` when they are ready (the
datasets app adds ``search_examples``). They are the entries of :data:`tool_registry`, a
:class:`core.registry.Registry`. Add more with the ``DSPEX_TOOLS`` setting (docs/platform.md,
"Named things and their settings")::

    DSPEX_TOOLS = {"weather": "myproject.tools.weather_tool"}
    DSPEX_TOOLS = {"weather": {"path": "myproject.tools.weather_tool", "description": "..."}}

A program names its tools in ``module_config``: ``{"tools": ["calculator"]}`` (ReAct) or in a
pipeline step's ``"tools"`` list. Unknown names are a validation error when the program is saved.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.module_loading import import_string

from core.registry import Entry, Registry

if TYPE_CHECKING:
    from programs.models import Program

__all__ = [
    "calculator_tool",
    "off_the_event_loop",
    "register_tool",
    "resolve_tool",
    "tool_names",
    "tool_registry",
]

BUILTIN_TOOLS = {"calculator": "programs.tools.calculator_tool"}

tool_registry: Registry[Entry] = Registry("tool", setting="DSPEX_TOOLS", entry_type=Entry)
for _name, _path in BUILTIN_TOOLS.items():
    tool_registry.register(_name, _path)


def register_tool(name: str, factory_path: str, *, description: str = "") -> Entry:
    """Allow the tool ``name``, made by the factory at ``factory_path`` (an app's ``ready()``)."""
    return tool_registry.register(name, factory_path, description=description)


def tool_names() -> list[str]:
    """The names a program may list in its ``tools``, sorted."""
    return sorted(tool_registry.names())


def resolve_tool(name: str, program: Program) -> Any:
    """The tool ``name`` for ``program`` (ValidationError on ``module_config`` when not allowed)."""
    entries = tool_registry.entries()
    if not isinstance(name, str) or name not in entries:
        raise ValidationError({"module_config": tool_registry.unknown_message(name, entries)})
    return tool_registry.load(name)(program)


_T = TypeVar("_T")


def calculator_tool(program: Program) -> Any:
    """The engine's safe arithmetic calculator."""
    return import_string("dspex.calculator")


def off_the_event_loop(work: Callable[[], _T]) -> _T:
    """Run database work here, or on a short-lived thread when this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    values: list[_T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            values.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return values[0]
