"""Typed errors raised by the LM layer.

Every error carries the provider, the model and (for HTTP errors) the status code. Messages never
contain credentials: the server's message is redacted before it is stored.
"""

from __future__ import annotations

import signal
from typing import Any

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "CircuitOpenError",
    "ContextWindowExceededError",
    "LMConfigurationError",
    "LMConnectionError",
    "LMError",
    "LMTimeoutError",
    "LocalModelCrashed",
    "MalformedResponseError",
    "RateLimitError",
    "ServerError",
    "error_for_status",
    "signal_name",
]

_CONTEXT_WINDOW_MARKERS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "prompt is too long",
    "too many tokens",
    "maximum context",
    "exceeds the context",
)


class LMError(Exception):
    """Base class of every LM failure."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        model: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.model = model
        self.status_code = status_code
        self.code = code
        self.retry_after = retry_after


class LMConfigurationError(LMError, ValueError):
    """An LM was configured with settings its model does not accept (raised by ``LM(...)``)."""


class RateLimitError(LMError):
    """HTTP 429: too many requests (``retry_after`` holds the server's hint, in seconds)."""

    retryable = True


class AuthenticationError(LMError):
    """HTTP 401/403, or no API key in the environment."""


class ContextWindowExceededError(LMError):
    """The prompt does not fit in the model's context window."""

    def __init__(
        self, message: str = "the prompt does not fit in the model's context window", **details: Any
    ):
        super().__init__(message, **details)


class BadRequestError(LMError):
    """Any other 4xx: the request itself is wrong and retrying cannot help."""


class ServerError(LMError):
    """HTTP 5xx: the provider failed; worth retrying."""

    retryable = True


class LMTimeoutError(LMError):
    """The request did not complete within the configured timeout."""

    retryable = True


class LMConnectionError(LMError):
    """The connection failed or was dropped before a complete response arrived."""

    retryable = True


class MalformedResponseError(LMError):
    """A success status with a body that is not JSON (a truncated or garbled reply, a proxy's
    error page): worth retrying, like a dropped connection."""

    retryable = True


class CircuitOpenError(LMError):
    """The endpoint's circuit breaker is open: the request failed fast, nothing was sent.

    ``endpoint`` names it, ``retry_at`` (epoch seconds) and ``retry_after`` (seconds from now)
    say when the breaker lets a trial request through again.
    """

    def __init__(self, message: str, *, endpoint: str, retry_at: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.endpoint = endpoint
        self.retry_at = retry_at


class LocalModelCrashed(LMError):
    """The managed local model server exited: a crash of the runtime, not of the request.

    Never retried and never counted by the circuit breaker: the cause is on this machine.
    ``returncode`` is the process's exit code (negative: killed by signal ``-returncode``),
    ``signal_name`` names that signal, ``log_path`` is the server's log and ``log_tail`` its last
    lines. ``final`` is true once the one automatic restart has been used up.
    """

    def __init__(
        self,
        message: str,
        *,
        returncode: int | None,
        log_path: str,
        log_tail: str,
        final: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.returncode = returncode
        self.log_path = log_path
        self.log_tail = log_tail
        self.final = final

    @property
    def signal_name(self) -> str | None:
        """``"SIGSEGV"`` and the like when a signal ended the process, else ``None``."""
        return signal_name(self.returncode)


def signal_name(returncode: int | None) -> str | None:
    """The signal that ended a process with ``returncode`` (``subprocess``'s negative codes)."""
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _is_context_window(message: str, code: str | None) -> bool:
    text = f"{code or ''} {message}".lower()
    return any(marker in text for marker in _CONTEXT_WINDOW_MARKERS)


def error_for_status(
    status: int,
    server_message: str,
    *,
    provider: str,
    model: str,
    code: str | None = None,
    retry_after: float | None = None,
) -> LMError:
    """Build the typed error for a non-2xx response."""
    message = f"{model}: {provider} returned HTTP {status}: {server_message}"
    if status == 429:
        cls: type[LMError] = RateLimitError
    elif status in (401, 403):
        cls = AuthenticationError
    elif status >= 500:
        cls = ServerError
    elif status in (400, 413, 422) and _is_context_window(server_message, code):
        cls = ContextWindowExceededError
    else:
        cls = BadRequestError
    return cls(
        message,
        provider=provider,
        model=model,
        status_code=status,
        code=code,
        retry_after=retry_after,
    )
