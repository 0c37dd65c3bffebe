"""Result types of one LM request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["LMResponse", "Usage"]


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
