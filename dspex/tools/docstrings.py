"""Read a function's docstring: the summary and per-argument descriptions.

Understands Google style (``Args:`` / ``Arguments:`` / ``Parameters:`` sections), NumPy style
(``Parameters`` underlined with dashes) and Sphinx fields (``:param x: ...``).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

__all__ = ["ParsedDocstring", "parse_docstring"]

_GOOGLE_ARGS = re.compile(r"^(args|arguments|parameters|params|keyword args|keyword arguments):\s*$", re.I)
_GOOGLE_OTHER = re.compile(
    r"^(returns?|yields?|raises?|examples?|notes?|attributes|see also|references|warnings?|todo):\s*$", re.I
)
_GOOGLE_ITEM = re.compile(r"^\*{0,2}(\w+)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
_NUMPY_HEADER = re.compile(r"^-{3,}\s*$")
_NUMPY_ITEM = re.compile(r"^\*{0,2}(\w+)\s*(?::\s*(.*))?$")
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")
_SPHINX_FIELD = re.compile(r"^:\w+")


@dataclass
class ParsedDocstring:
    """``summary``: the text before the first section; ``args``: argument name -> description."""

    summary: str = ""
    args: dict[str, str] = field(default_factory=dict)
    has_sections: bool = False


def parse_docstring(doc: str | None) -> ParsedDocstring:
    """Split ``doc`` into a summary and argument descriptions (empty when there are none)."""
    if not doc:
        return ParsedDocstring()
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    args: dict[str, str] = {}
    has_sections = False
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _GOOGLE_ARGS.match(stripped):
            has_sections = True
            index = _read_google_args(lines, index + 1, args)
            continue
        if _GOOGLE_OTHER.match(stripped):
            has_sections = True
            index = _skip_indented(lines, index + 1)
            continue
        if index + 1 < len(lines) and _NUMPY_HEADER.match(lines[index + 1].strip()) and stripped:
            has_sections = True
            if stripped.lower() in ("parameters", "params", "arguments", "args", "other parameters"):
                index = _read_numpy_args(lines, index + 2, args)
            else:
                index = _skip_numpy_section(lines, index + 2)
            continue
        sphinx = _SPHINX_PARAM.match(stripped)
        if sphinx:
            has_sections = True
            index = _read_continuation(lines, index, sphinx.group(1), sphinx.group(2), args)
            continue
        if _SPHINX_FIELD.match(stripped):
            has_sections = True
            index += 1
            continue
        if not has_sections:
            summary.append(line)
        index += 1
    return ParsedDocstring("\n".join(summary).strip(), args, has_sections)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _skip_indented(lines: list[str], index: int) -> int:
    while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > 0):
        index += 1
    return index


def _read_google_args(lines: list[str], index: int, args: dict[str, str]) -> int:
    item_indent: int | None = None
    current: str | None = None
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        indent = _indent(line)
        if indent == 0:
            break
        if item_indent is None:
            item_indent = indent
        match = _GOOGLE_ITEM.match(line.strip())
        if indent <= item_indent and match:
            current = match.group(1)
            args[current] = match.group(3).strip()
        elif current is not None:
            args[current] = f"{args[current]} {line.strip()}".strip()
        index += 1
    return index


def _read_numpy_args(lines: list[str], index: int, args: dict[str, str]) -> int:
    current: str | None = None
    while index < len(lines):
        line = lines[index]
        if index + 1 < len(lines) and _NUMPY_HEADER.match(lines[index + 1].strip()) and line.strip():
            break  # the next section starts
        if not line.strip():
            index += 1
            continue
        if _indent(line) == 0:
            match = _NUMPY_ITEM.match(line.strip())
            current = match.group(1) if match else None
            if current is not None:
                args[current] = ""
        elif current is not None:
            args[current] = f"{args[current]} {line.strip()}".strip()
        index += 1
    return index


def _skip_numpy_section(lines: list[str], index: int) -> int:
    while index < len(lines):
        if index + 1 < len(lines) and _NUMPY_HEADER.match(lines[index + 1].strip()) and lines[index].strip():
            break
        index += 1
    return index


def _read_continuation(lines: list[str], index: int, name: str, text: str, args: dict[str, str]) -> int:
    parts = [text.strip()]
    index += 1
    while index < len(lines) and lines[index].strip() and _indent(lines[index]) > 0:
        parts.append(lines[index].strip())
        index += 1
    args[name] = " ".join(p for p in parts if p)
    return index
