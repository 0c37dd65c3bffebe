"""Provider adapters, looked up by the prefix of the model string (``openai/gpt-4o-mini``)."""

from __future__ import annotations

from dspex.lm.providers.anthropic import AnthropicProvider
from dspex.lm.providers.base import Parsed, Provider, StreamState, error_details
from dspex.lm.providers.local import LocalProvider
from dspex.lm.providers.openai import OpenAIProvider

__all__ = [
    "PROVIDERS",
    "AnthropicProvider",
    "LocalProvider",
    "OpenAIProvider",
    "Parsed",
    "Provider",
    "StreamState",
    "error_details",
    "get_provider",
]

PROVIDERS: dict[str, Provider] = {
    "openai": OpenAIProvider(),
    "anthropic": AnthropicProvider(),
    "local": LocalProvider(),
}


def get_provider(name: str) -> Provider:
    """The adapter for ``name``; raises ``ValueError`` naming the supported providers."""
    try:
        return PROVIDERS[name]
    except KeyError:
        supported = ", ".join(sorted(PROVIDERS))
        raise ValueError(
            f"unknown LM provider {name!r}: expected one of {supported} "
            "(use 'openai/<model>' with base_url= for other OpenAI-compatible servers)"
        ) from None
