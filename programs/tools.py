"""Tools that programs may call (ReAct, pipeline steps), by name.

A tool is allow-listed by name -> dotted path of a *factory* ``factory(program)`` that returns the
callable (or ``dspex.Tool``) for that program, so a tool can be scoped to the program's owner.
Built in: ``calculator``; apps add theirs with :func:`register_tool` when they are ready (the
datasets app adds ``search_examples``). Add more with the ``DSPEX_TOOLS`` setting::

    DSPEX_TOOLS = {"weather": "myproject.tools.weather_tool"}

A program names its tools in ``module_config``: ``{"tools": ["calculator"]}`` (ReAct) or in a
pipeline step's ``"tools"`` list. Unknown names are a validation error when the program is saved.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.module_loading import import_string

__all__ = ["calculator_tool", "off_the_event_loop", "register_tool", "resolve_tool", "tool_names"]

BUILTIN_TOOLS = {"calculator": "programs.tools.calculator_tool"}
_REGISTERED: dict[str, str] = {}


def register_tool(name: str, factory_path: str) -> None:
    """Allow the tool ``name``, made by the factory at ``factory_path`` (an app's ``ready()``)."""
    _REGISTERED[name] = factory_path


def _tools() -> dict[str, str]:
    return {**BUILTIN_TOOLS, **_REGISTERED, **getattr(settings, "DSPEX_TOOLS", {})}


def tool_names() -> list[str]:
    return sorted(_tools())


def resolve_tool(name: str, program: Any) -> Any:
    """The tool ``name`` for ``program`` (ValidationError on ``module_config`` when not allowed)."""
    paths = _tools()
    if not isinstance(name, str) or name not in paths:
        raise ValidationError(
            {"module_config": f"unknown tool {name!r} (allowed: {', '.join(sorted(paths))}; see DSPEX_TOOLS)"}
        )
    return import_string(paths[name])(program)


def calculator_tool(program: Any) -> Any:
    """The engine's safe arithmetic calculator."""
    return import_string("dspex.calculator")


def off_the_event_loop(work: Callable[[], Any]) -> Any:
    """Run database work here, or on a short-lived thread when this thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]
