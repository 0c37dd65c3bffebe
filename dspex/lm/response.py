"""Result types of one LM request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MESSAGE_EXTRAS", "LMResponse", "Usage", "message_extras", "replayed_body"]


@dataclass(slots=True)
class Usage:
    """Token counts reported by the provider (``prompt_tokens`` includes ``cached_tokens``)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cached_tokens": self.cached_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


@dataclass(slots=True)
class LMResponse:
    """What one call to :meth:`dspex.lm.LM.request` returns.

    ``outputs`` holds one text per choice. On a cache hit ``cache_hit`` is true, ``usage`` is
    all zeros and ``cost`` is ``0.0``. ``raw`` is the provider's decoded JSON body (``None`` for
    cache hits and streams).
    """

    outputs: list[str]
    usage: Usage
    cost: float | None
    latency_ms: float
    cache_hit: bool
    model: str
    finish_reasons: list[str | None]
    provider: str = ""
    response_model: str | None = None
    raw: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The first output (``""`` when there is none)."""
        return self.outputs[0] if self.outputs else ""


MESSAGE_EXTRAS = ("tool_calls", "reasoning_content", "citations")
"""What an OpenAI-shaped message may carry besides its text, which adapters read (native tool
calls, reasoning text, citations): kept with a cached response so that a hit carries it too."""


def message_extras(raw: Any, count: int) -> tuple[dict[str, Any] | None, ...] | None:
    """Per completion of ``raw`` (an OpenAI-shaped body with ``count`` choices), its message's
    :data:`MESSAGE_EXTRAS`; ``None`` when no choice has any (the common case)."""
    choices = raw.get("choices") if isinstance(raw, dict) else None
    if not isinstance(choices, list) or len(choices) != count:
        return None
    found: list[dict[str, Any] | None] = []
    for choice in choices:
        message = choice.get("message") if isinstance(choice, dict) else None
        extra = (
            {key: message[key] for key in MESSAGE_EXTRAS if message.get(key) is not None}
            if isinstance(message, dict)
            else {}
        )
        found.append(extra or None)
    return tuple(found) if any(found) else None


def replayed_body(outputs: Any, details: tuple[dict[str, Any] | None, ...]) -> dict[str, Any]:
    """An OpenAI-shaped body holding ``outputs`` and their ``details`` (a cache hit's ``raw``)."""
    return {
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": text, **(extra or {})}}
            for i, (text, extra) in enumerate(zip(outputs, details, strict=False))
        ]
    }
