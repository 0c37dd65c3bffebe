"""Circuit breakers, one per LM endpoint (URL + model) and credential, shared by every LM in the
process. Keying by credential (its opaque identity, ``LM.credential_id``) keeps tenants apart: one
credential's 429s open its own breaker, never the breaker of another credential on the same URL.

``closed``: requests go through. After ``failure_threshold`` consecutive failed requests of a
retryable kind (429, 5xx, timeouts, dropped connections — counted once per request, after its
retries), the breaker is ``open``: requests fail fast with :class:`CircuitOpenError` without being
sent. After ``cooldown`` seconds it is ``half_open``: one trial request goes through (others still
fail fast); its success closes the breaker, its failure opens it for another cooldown. A response
that is not a retryable failure (e.g. a 400) shows the endpoint is up and also closes it.

    dspex.lm.configure_breakers(failure_threshold=5, cooldown=30.0)
    dspex.lm.breaker_states()   # [{"endpoint", "credential", "state", "consecutive_failures", ...}]
    dspex.lm.breaker_states(credentials={lm.credential_id})   # only these credentials' breakers
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dspex.lm.errors import CircuitOpenError, LMError

__all__ = [
    "CLOSED",
    "HALF_OPEN",
    "OPEN",
    "CircuitBreaker",
    "breaker_for",
    "breaker_states",
    "configure_breakers",
    "reset_breakers",
]

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
_ENDPOINT_PATHS = ("/chat/completions", "/completions", "/messages", "/embeddings")


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    failure_threshold: int = 5
    cooldown: float = 30.0
    enabled: bool = True


_config = BreakerConfig()


def _base(url: str) -> str:
    for suffix in _ENDPOINT_PATHS:
        if url.endswith(suffix):
            return url[: -len(suffix)]
    return url


def _without_userinfo(url: str) -> str:
    """``url`` without ``user:password@`` (breaker names end up in errors and snapshots)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class CircuitBreaker:
    """The breaker of one endpoint. Thread-safe; shared by sync and async requests."""

    def __init__(self, url: str, model: str, credential: str = "") -> None:
        url = _without_userinfo(url)
        self.url = url
        self.model = model
        self.credential = credential
        self.endpoint = f"{model} at {_base(url)}"
        self._lock = threading.Lock()
        self._failures = 0
        self._opened = False
        self._opened_at = 0.0  # time.time() when it last opened
        self._retry_mono = 0.0  # time.monotonic() when a trial request is allowed
        self._probing = False
        self._last_error: str | None = None

    def _state(self, now: float) -> str:
        if not self._opened:
            return CLOSED
        return HALF_OPEN if now >= self._retry_mono else OPEN

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half_open"``."""
        with self._lock:
            return self._state(time.monotonic())

    def acquire(self) -> None:
        """Let a request through, or raise :class:`CircuitOpenError` (nothing is sent then)."""
        if not self._opened or not _config.enabled:  # the common case, without the lock
            return
        with self._lock:
            now = time.monotonic()
            state = self._state(now)
            if state == CLOSED:
                return
            if state == HALF_OPEN and not self._probing:
                self._probing = True
                return
            raise self._open_error(now, probing=state == HALF_OPEN)

    def _open_error(self, now: float, *, probing: bool) -> CircuitOpenError:
        wait = max(0.0, self._retry_mono - now)
        retry_at = time.time() + wait
        when = datetime.fromtimestamp(retry_at, UTC).strftime("%H:%M:%S UTC")
        if probing:
            detail = "half-open: a trial request is in flight; retry when it has finished"
        else:
            detail = f"next trial request allowed at {when} (in {wait:.1f}s)"
        message = (
            f"circuit breaker open for {self.endpoint}: {self._failures} consecutive failures "
            f"(last: {self._last_error}); failing fast without sending — {detail}"
        )
        provider = self.model.split("/", 1)[0]
        return CircuitOpenError(
            message, endpoint=self.endpoint, retry_at=retry_at, provider=provider, model=self.model
        )

    def success(self) -> None:
        """The endpoint answered: close the breaker."""
        if not self._failures and not self._opened:
            return
        with self._lock:
            self._failures = 0
            self._opened = False
            self._probing = False

    def failure(self, error: LMError) -> None:
        """A request failed for good (after its retries)."""
        if not error.retryable:
            self.success()
            return
        with self._lock:
            self._failures += 1
            self._last_error = f"{type(error).__name__}: {error.message}"[:300]
            if self._probing or self._failures >= _config.failure_threshold:
                self._opened = True
                self._opened_at = time.time()
                self._retry_mono = time.monotonic() + _config.cooldown
                self._probing = False

    def snapshot(self) -> dict[str, Any]:
        """Plain data: endpoint, state, consecutive failures, when it opened and will retry."""
        with self._lock:
            now = time.monotonic()
            state = self._state(now)
            retry_at = time.time() + max(0.0, self._retry_mono - now) if self._opened else None
            return {
                "endpoint": self.endpoint,
                "url": self.url,
                "model": self.model,
                "credential": self.credential,
                "state": state,
                "consecutive_failures": self._failures,
                "opened_at": self._opened_at if self._opened else None,
                "retry_at": retry_at,
                "last_error": self._last_error,
            }


_lock = threading.Lock()
_breakers: dict[tuple[str, str, str], CircuitBreaker] = {}


def breaker_for(url: str, model: str, credential: str = "") -> CircuitBreaker:
    """The breaker of endpoint ``url`` for ``model`` and the credential identity ``credential``
    (created closed on first use)."""
    key = (url, model, credential)
    found = _breakers.get(key)
    if found is None:
        with _lock:
            found = _breakers.setdefault(key, CircuitBreaker(url, model, credential))
    return found


def breaker_states(credentials: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """A snapshot of every breaker (see :meth:`CircuitBreaker.snapshot`), or only of those of the
    credential identities in ``credentials``."""
    wanted = None if credentials is None else set(credentials)
    with _lock:
        breakers = [b for b in _breakers.values() if wanted is None or b.credential in wanted]
    return [b.snapshot() for b in breakers]


def configure_breakers(
    *, failure_threshold: int | None = None, cooldown: float | None = None, enabled: bool | None = None
) -> None:
    """Change the process-wide breaker settings (defaults: 5 failures, 30 s cooldown, enabled)."""
    global _config
    if failure_threshold is not None and failure_threshold < 1:
        raise ValueError(f"failure_threshold must be at least 1, got {failure_threshold}")
    if cooldown is not None and cooldown < 0:
        raise ValueError(f"cooldown must not be negative, got {cooldown}")
    _config = BreakerConfig(
        failure_threshold if failure_threshold is not None else _config.failure_threshold,
        cooldown if cooldown is not None else _config.cooldown,
        enabled if enabled is not None else _config.enabled,
    )


def reset_breakers() -> None:
    """Forget every breaker and restore the default settings (tests)."""
    global _config
    with _lock:
        _breakers.clear()
    _config = BreakerConfig()
