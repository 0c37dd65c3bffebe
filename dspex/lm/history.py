"""Readable transcripts of recorded LM calls (``LM.inspect_history``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

__all__ = ["format_history", "utc_timestamp"]

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
            lines.append(_content_text(message.get("content")))
            lines.append("")
        outputs = entry.get("outputs") or [""]
        lines.append("Response:")
        lines.append(str(outputs[0]).strip())
        if len(outputs) > 1:
            lines.append(f"\t(and {len(outputs) - 1} other completions)")
        blocks.append("\n".join(lines))
    return "\n\n\n".join(blocks)
