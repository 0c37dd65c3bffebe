"""Readable transcripts of recorded LM calls (``LM.inspect_history``)."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

__all__ = [
    "GLOBAL_HISTORY",
    "MAX_GLOBAL_HISTORY",
    "format_history",
    "inspect_history",
    "pretty_print_history",
    "record_global",
    "set_global_history_size",
    "utc_timestamp",
]

MAX_GLOBAL_HISTORY = 10_000

GLOBAL_HISTORY: list[dict[str, Any]] = []
"""The last :data:`MAX_GLOBAL_HISTORY` calls of every LM in this process, oldest first (the same
entries as each LM's ``history``). It lives in memory only and holds prompts and answers: do not
expose it to users who may not see each other's calls."""


_global_size = MAX_GLOBAL_HISTORY


def set_global_history_size(size: int) -> None:
    """Keep the last ``size`` calls in :data:`GLOBAL_HISTORY` (0: keep none). A server that runs
    many users' programs in one process sets 0: it records its own traces, and a process-wide
    list of everyone's prompts is memory it never reads."""
    global _global_size
    if size < 0:
        raise ValueError(f"the global history size must be 0 or more, got {size}")
    _global_size = size
    if size == 0:
        GLOBAL_HISTORY.clear()
    elif len(GLOBAL_HISTORY) > size:
        del GLOBAL_HISTORY[:-size]


def record_global(entry: dict[str, Any]) -> None:
    """Append one call to :data:`GLOBAL_HISTORY` (dropping the oldest beyond the limit)."""
    size = _global_size
    if not size:
        return
    history = GLOBAL_HISTORY
    history.append(entry)
    if len(history) > size + 1000:
        del history[:-size]


# (second, its ISO 8601 text): every call in the same second shares the expensive part.
_second: tuple[int, str] = (-1, "")


def utc_timestamp() -> str:
    """Now as ``datetime.now(UTC).isoformat()`` writes it (``2026-12-07T15:44:00.123456+00:00``,
    no fraction when the microseconds are 0), at a fraction of its cost: it is on every call's path.
    """
    global _second
    now = time.time()
    second = int(now)
    micro = int((now - second) * 1_000_000)
    cached, text = _second
    if cached != second:
        text = datetime.fromtimestamp(second, UTC).isoformat()[:-6]  # without "+00:00"
        _second = (second, text)
    if micro:
        return f"{text}.{micro:06d}+00:00"
    return text + "+00:00"


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict):
                parts.append(str(part))
            elif part.get("type") == "text":
                parts.append(str(part.get("text", "")).strip())
            elif part.get("type") == "image_url":
                url = part["image_url"]["url"] if isinstance(part["image_url"], dict) else ""
                parts.append(f"<image: {url[:40]}{'...' if len(url) > 40 else ''}>")
            else:
                parts.append(f"<{part.get('type', 'part')}>")
        return "\n".join(parts)
    return "" if content is None else str(content)


def _arguments_text(arguments: Any) -> str:
    """Tool-call arguments as compact JSON (a JSON string given by the provider is re-dumped)."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            return str(arguments)
    try:
        return json.dumps(arguments, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(arguments)


def _tool_call_lines(calls: Any) -> list[str]:
    lines = ["Tool calls:"]
    for call in calls or []:
        if not isinstance(call, dict):
            lines.append(str(call))
            continue
        function: dict[str, Any] = call["function"] if isinstance(call.get("function"), dict) else call
        name = function.get("name", "?")
        arguments = function.get("arguments", function.get("args", {}))
        lines.append(f"{name}: {_arguments_text(arguments)}")
    return lines


def _output_lines(outputs: list[Any]) -> list[str]:
    first = outputs[0] if outputs else ""
    lines: list[str] = []
    if isinstance(first, dict):
        text = first.get("text")
        if text:
            lines += ["Response:", str(text).strip()]
        if first.get("tool_calls"):
            lines += _tool_call_lines(first["tool_calls"])
        if first.get("reasoning_content"):
            lines += ["Reasoning:", str(first["reasoning_content"]).strip()]
    else:
        lines += ["Response:", str(first).strip()]
    if len(outputs) > 1:
        lines.append(f"\t(and {len(outputs) - 1} other completions)")
    return lines


def _summary(entry: dict[str, Any]) -> str:
    usage = entry.get("usage") or {}
    cost = entry.get("cost")
    facts = [
        entry.get("model", "?"),
        f"{usage.get('prompt_tokens', 0)} prompt + {usage.get('completion_tokens', 0)} completion tokens",
        "cost " + ("unknown" if cost is None else f"${cost:.6f}"),
        f"{entry.get('latency_ms', 0.0):.1f} ms",
    ]
    if entry.get("cache_hit"):
        facts.append("cache hit")
    return " | ".join(facts)


def format_history(entries: list[dict[str, Any]]) -> str:
    """Each entry as ``[timestamp]``, its messages role by role, then the response."""
    blocks = []
    for entry in entries:
        lines = [f"[{entry.get('timestamp', '?')}] {_summary(entry)}", ""]
        for message in entry.get("messages") or []:
            lines.append(f"{str(message.get('role', '?')).capitalize()} message:")
            content = message.get("content")
            if content is not None or not message.get("tool_calls"):
                lines.append(_content_text(content))
            if message.get("tool_calls"):
                lines += _tool_call_lines(message["tool_calls"])
            lines.append("")
        lines += _output_lines(entry.get("outputs") or [""])
        blocks.append("\n".join(lines))
    return "\n\n\n".join(blocks)


def pretty_print_history(history: list[dict[str, Any]], n: int = 1, file: TextIO | None = None) -> str:
    """Print the last ``n`` entries of ``history`` role by role (to ``file`` or stdout); returns
    the text."""
    text = format_history(history[-n:] if n > 0 else [])
    print(text, file=file or sys.stdout)
    return text


def inspect_history(n: int = 1, file: TextIO | None = None) -> str:
    """Print the last ``n`` calls of any LM in this process (:data:`GLOBAL_HISTORY`)."""
    return pretty_print_history(GLOBAL_HISTORY, n, file)
