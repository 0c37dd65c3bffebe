"""Per-token prices (USD per 1M tokens) and the cost of one request.

Model names match by longest prefix, so dated snapshots (``gpt-4o-mini-2024-07-18``,
``claude-3-5-haiku-20241022``) use the base model's price. Unknown models cost ``None``.
"""

from __future__ import annotations

from typing import NamedTuple

from dspex.lm.response import Usage

__all__ = ["PRICES", "Price", "cost_of", "price_for"]


class Price(NamedTuple):
    """USD per 1M tokens: fresh input, cached input, output."""

    input: float
    cached_input: float
    output: float


PRICES: dict[str, dict[str, Price]] = {
    "openai": {
        "gpt-4o-mini": Price(0.15, 0.075, 0.60),
        "gpt-4o": Price(2.50, 1.25, 10.00),
        "gpt-4.1-nano": Price(0.10, 0.025, 0.40),
        "gpt-4.1-mini": Price(0.40, 0.10, 1.60),
        "gpt-4.1": Price(2.00, 0.50, 8.00),
        "gpt-3.5-turbo": Price(0.50, 0.50, 1.50),
        "o3-mini": Price(1.10, 0.55, 4.40),
        "o4-mini": Price(1.10, 0.275, 4.40),
        "o3": Price(2.00, 0.50, 8.00),
    },
    "anthropic": {
        "claude-3-haiku": Price(0.25, 0.03, 1.25),
        "claude-3-5-haiku": Price(0.80, 0.08, 4.00),
        "claude-3-5-sonnet": Price(3.00, 0.30, 15.00),
        "claude-3-7-sonnet": Price(3.00, 0.30, 15.00),
        "claude-sonnet-4": Price(3.00, 0.30, 15.00),
        "claude-opus-4": Price(15.00, 1.50, 75.00),
    },
    "local": {},
}

_FREE = Price(0.0, 0.0, 0.0)


def price_for(provider: str, model_name: str) -> Price | None:
    """The price of ``model_name`` (without the provider prefix), ``None`` when unknown."""
    if provider == "local":
        return _FREE
    table = PRICES.get(provider, {})
    best = None
    for name, price in table.items():
        if model_name.startswith(name) and (best is None or len(name) > len(best[0])):
            best = (name, price)
    return best[1] if best else None


def cost_of(price: Price | None, usage: Usage) -> float | None:
    """USD cost of ``usage`` at ``price`` (``None`` when the price is unknown)."""
    if price is None:
        return None
    fresh = max(0, usage.prompt_tokens - usage.cached_tokens)
    return (
        fresh * price.input + usage.cached_tokens * price.cached_input
    ) / 1e6 + usage.completion_tokens * price.output / 1e6
