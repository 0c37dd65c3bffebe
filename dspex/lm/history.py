"""Readable transcripts of recorded LM calls (``LM.inspect_history``)."""

from __future__ import annotations

from typing import Any

__all__ = ["format_history"]


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
