"""Tools that programs may call (ReAct, pipeline steps), by name.

A tool is allow-listed by name -> dotted path of a *factory* ``factory(program)`` that returns the
callable (or ``dspex.Tool``) for that program, so a tool can be scoped to the program's owner.
Built in: ``calculator`` and ``search_examples``. Add more with the ``DSPEX_TOOLS`` setting::

    DSPEX_TOOLS = {"weather": "myproject.tools.weather_tool"}

A program names its tools in ``module_config``: ``{"tools": ["calculator"]}`` (ReAct) or in a
pipeline step's ``"tools"`` list. Unknown names are a validation error when the program is saved.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.module_loading import import_string

__all__ = ["calculator_tool", "resolve_tool", "search_examples_tool", "tool_names"]

BUILTIN_TOOLS = {
    "calculator": "programs.tools.calculator_tool",
    "search_examples": "programs.tools.search_examples_tool",
}


def _tools() -> dict[str, str]:
    return {**BUILTIN_TOOLS, **getattr(settings, "DSPEX_TOOLS", {})}


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


def _off_the_event_loop(work: Callable[[], Any]) -> Any:
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


_WORDS = re.compile(r"\w+")


def search_examples_tool(program: Any) -> Callable[..., list[dict[str, Any]]]:
    """``search_examples(query, dataset, k)`` over the datasets the program's owner may see."""
    owner = program.owner

    def search_examples(query: str, dataset: str, k: int = 3) -> list[dict[str, Any]]:
        """Find the examples of a dataset that share the most words with the query.

        Args:
            query: Words to look for.
            dataset: The name of the dataset to search.
            k: How many examples to return (1 to 20).
        """
        from datasets.models import Dataset

        wanted = set(_WORDS.findall(query.lower()))
        limit = max(1, min(int(k), 20))

        def work() -> list[dict[str, Any]]:
            datasets = (
                Dataset.objects.filter(owner=None) if owner is None else Dataset.objects.visible_to(owner)
            )
            found = datasets.filter(name=dataset).first()
            if found is None or found.latest_version is None:
                raise ValueError(f"no dataset named {dataset!r} with examples")
            scored = []
            for row in found.latest_version.examples.all()[:5000]:
                text = " ".join(str(v) for v in {**row.inputs, **row.labels}.values()).lower()
                overlap = len(wanted & set(_WORDS.findall(text)))
                if overlap:
                    scored.append((-overlap, row.position, {**row.inputs, **row.labels}))
            return [values for _, _, values in sorted(scored, key=lambda item: item[:2])[:limit]]

        return _off_the_event_loop(work)

    return search_examples
