"""Token buckets for requests-per-minute and tokens-per-minute limits.

Buckets are shared by every LM that talks to the same endpoint with the same credential and the
same limits, so copies of an LM draw from one budget while another credential (another tenant)
has its own. A bucket holds at most one second's worth of tokens, which spreads
requests evenly instead of allowing a full minute's burst. Waiting callers reserve their tokens
up front (the balance may go negative), so they are served in arrival order.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

__all__ = ["RateLimiter", "TokenBucket", "get_limiter", "reset_limiters"]


class TokenBucket:
    """A bucket refilled continuously at ``per_minute / 60`` tokens per second."""

    def __init__(self, per_minute: float) -> None:
        if per_minute <= 0:
            raise ValueError(f"rate limit must be positive, got {per_minute!r}")
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self, amount: float = 1.0) -> float:
        """Take ``amount`` tokens and return how many seconds the caller must wait first."""
        with self._lock:
            now = time.monotonic()
            tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            tokens -= amount
            self._tokens = tokens
        return 0.0 if tokens >= 0 else -tokens / self.rate


class RateLimiter:
    """Optional request and token buckets, waited on together."""

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.requests = TokenBucket(rpm) if rpm else None
        self.tokens = TokenBucket(tpm) if tpm else None

    def reserve(self, tokens: int = 0) -> float:
        """Take one request and ``tokens`` from the buckets; return the seconds to wait first
        (the caller waits however it can: :meth:`acquire` and :meth:`aacquire` are two ways)."""
        wait = self.requests.reserve(1.0) if self.requests else 0.0
        if self.tokens:
            wait = max(wait, self.tokens.reserve(float(tokens)))
        return wait

    def acquire(self, tokens: int = 0) -> float:
        """Block the thread until the request may go; returns the seconds waited."""
        wait = self.reserve(tokens)
        if wait > 0:
            time.sleep(wait)
        return wait

    async def aacquire(self, tokens: int = 0) -> float:
        """Like :meth:`acquire` without blocking the event loop."""
        wait = self.reserve(tokens)
        if wait > 0:
            await asyncio.sleep(wait)
        return wait


_limiters: dict[tuple[object, ...], RateLimiter] = {}
_registry_lock = threading.Lock()


def get_limiter(endpoint: tuple[object, ...], rpm: float | None, tpm: float | None) -> RateLimiter:
    """The limiter shared by every LM with this endpoint and these limits."""
    key = (*endpoint, rpm, tpm)
    limiter = _limiters.get(key)
    if limiter is None:
        with _registry_lock:
            limiter = _limiters.setdefault(key, RateLimiter(rpm, tpm))
    return limiter


def reset_limiters() -> None:
    """Forget every shared bucket (tests; after ``fork``)."""
    global _registry_lock
    _registry_lock = threading.Lock()
    _limiters.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reset_limiters)
