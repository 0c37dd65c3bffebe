"""Checks that keep hostile input from reaching a parser's recursion or the database's encoder.

- ``loads(text)``: ``json.loads`` that first measures how deep the text nests, with an iterative
  scan, and refuses more than ``DSPEX_MAX_JSON_DEPTH`` levels (the standard parser would recurse
  until ``RecursionError``: a 500);
- ``check_text(value)``: refuses strings (values and object keys, at any depth) holding a NUL
  character or an unpaired UTF-16 surrogate: PostgreSQL cannot store the first, UTF-8 cannot encode
  the second, and either would fail as a ``DataError``/``UnicodeEncodeError`` deep in a write;
- ``may_hold_bad_text(raw)``: whether JSON text could decode to such a string at all (only a
  ``\\u0000`` or ``\\udXXX`` escape can), so parsers walk decoded values only when it can.

Errors are :class:`InputRejected` (a ``ValueError``) carrying the path of the bad value
(``inputs.question``, ``fields[0].name``) so every surface can name the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings

__all__ = [
    "BadText",
    "InputRejected",
    "JSONTooDeep",
    "check_json_depth",
    "check_text",
    "format_path",
    "loads",
    "max_json_depth",
    "may_hold_bad_text",
    "text_problem",
]

DEFAULT_MAX_JSON_DEPTH = 64

# A JSON string (skipped whole, so brackets inside it do not count) or an opening/closing bracket.
_STR_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|([\[{])|[\]}]', re.DOTALL)
_STR_OR_BRACKET_BYTES = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|([\[{])|[\]}]', re.DOTALL)
# The only JSON escapes that decode to a NUL or to a surrogate code unit.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_SUSPECT_ESCAPE_BYTES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
# After decoding, a paired surrogate is one code point: any code unit left in this range is unpaired.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class InputRejected(ValueError):
    """Input refused before it could do harm; ``path`` locates the value (empty: the whole input)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()):
        super().__init__(message)
        self.message = message
        self.path = path


class JSONTooDeep(InputRejected):
    """JSON (or a decoded value) nested deeper than the limit."""


class BadText(InputRejected):
    """A string with a NUL character or an unpaired surrogate; ``problem`` says which, without
    the path (``contains a NUL character ...``)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = (), problem: str = ""):
        super().__init__(message, path)
        self.problem = problem or message


def max_json_depth() -> int:
    """``DSPEX_MAX_JSON_DEPTH`` (read on each call, so tests and operators can change it)."""
    return int(getattr(settings, "DSPEX_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))


def _too_deep(limit: int) -> JSONTooDeep:
    return JSONTooDeep(f"JSON nested deeper than {limit} levels (the limit is DSPEX_MAX_JSON_DEPTH)")


def check_json_depth(text: str | bytes, limit: int | None = None) -> None:
    """Raise :class:`JSONTooDeep` when ``text`` opens more than ``limit`` nested arrays/objects.

    Linear and iterative. Text with fewer brackets than the limit is passed without a scan (two
    C-speed counts), which is nearly every request.
    """
    limit = max_json_depth() if limit is None else limit
    if isinstance(text, bytes):
        if text.count(b"[") + text.count(b"{") <= limit:
            return
        matches: Iterator[re.Match[bytes] | re.Match[str]] = _STR_OR_BRACKET_BYTES.finditer(text)
    else:
        if text.count("[") + text.count("{") <= limit:
            return
        matches = _STR_OR_BRACKET.finditer(text)
    depth = 0
    for match in matches:
        if match.group(1) is not None:
            depth += 1
            if depth > limit:
                raise _too_deep(limit)
        elif match.end() - match.start() == 1:  # a closing bracket (strings are longer)
            depth -= 1


def _strict_constant(name: str) -> Any:
    # A JSONDecodeError, so that every caller's "not JSON" path handles it.
    raise json.JSONDecodeError(f"{name} is not valid JSON (numbers must be finite)", name, 0)


def loads(text: str | bytes, *, limit: int | None = None) -> Any:
    """``json.loads`` bounded in depth (``NaN``/``Infinity`` refused, as in strict JSON).

    Raises :class:`JSONTooDeep` or ``json.JSONDecodeError`` (both ``ValueError``s)."""
    check_json_depth(text, limit)
    return json.loads(text, parse_constant=_strict_constant)


def may_hold_bad_text(raw: str | bytes) -> bool:
    """Whether JSON ``raw`` text has an escape that decodes to a NUL or a surrogate."""
    if isinstance(raw, bytes):
        return b"\\u" in raw and _SUSPECT_ESCAPE_BYTES.search(raw) is not None
    return "\\u" in raw and _SUSPECT_ESCAPE.search(raw) is not None


def text_problem(text: str) -> str | None:
    """What is wrong with ``text`` for storage (``None``: nothing)."""
    match = _BAD_CHARACTER.search(text)
    if match is None:
        return None
    if match.group() == "\x00":
        return "contains a NUL character (\\u0000), which cannot be stored"
    return f"contains an unpaired surrogate (\\u{ord(match.group()):04x}), which is not valid Unicode"


def format_path(path: tuple[str | int, ...]) -> str:
    """``("inputs", "question")`` -> ``inputs.question``; ``("fields", 0, "name")`` -> ``fields[0].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # A bad key is shown escaped: the message itself must be safe to render and store.
            shown = _BAD_CHARACTER.sub(lambda m: f"\\u{ord(m.group()):04x}", str(part))
            out += f".{shown}" if out else shown
    return out


def _walk(value: Any) -> Iterator[tuple[Any, tuple[str | int, ...], int]]:
    """Every value inside ``value`` (keys as values too) with its path and depth, iteratively."""
    stack: list[tuple[Any, tuple[str | int, ...], int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        yield item, path, depth
        if isinstance(item, dict):
            for key, child in item.items():
                yield key, (*path, key) if isinstance(key, str) else path, depth + 1
                stack.append((child, (*path, key if isinstance(key, str | int) else str(key)), depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, (*path, index), depth + 1) for index, child in enumerate(item))


def check_text(value: Any, *, limit: int | None = None, path: tuple[str | int, ...] = ()) -> None:
    """Raise :class:`BadText` for the first string in ``value`` (keys included) with a NUL or an
    unpaired surrogate, and :class:`JSONTooDeep` when ``value`` nests more than ``limit`` levels
    (for values that did not come through :func:`loads`, e.g. GraphQL variables)."""
    limit = max_json_depth() if limit is None else limit
    for item, where, depth in _walk(value):
        if depth > limit:
            raise _too_deep(limit)
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                full = (*path, *where)
                name = format_path(full)
                raise BadText(f"`{name}` {problem}" if name else f"the text {problem}", full, problem)


def storable(value: Any) -> Any:
    """``value`` with NUL and lone surrogates in its strings replaced by U+FFFD.

    For text the engine produced (LM answers, error messages, traces): users' text with those
    characters is refused at the door, but an LM can answer anything, and PostgreSQL stores neither
    character. Keys and values are cleaned; other values pass through.
    """
    if isinstance(value, str):
        return _BAD_CHARACTER.sub("\ufffd", value) if _BAD_CHARACTER.search(value) else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value
