"""Language model clients: the :class:`LM` facade, its errors, results and call tracking."""

from dspex.lm.breaker import breaker_states, configure_breakers, reset_breakers
from dspex.lm.credentials import CONNECTION_KEYS, Credential
from dspex.lm.embedder import Embedder
from dspex.lm.errors import (
    AuthenticationError,
    BadRequestError,
    CircuitOpenError,
    ContextWindowExceededError,
    LMConfigurationError,
    LMConnectionError,
    LMError,
    LMTimeoutError,
    LocalModelCrashed,
    MalformedResponseError,
    RateLimitError,
    ServerError,
)
from dspex.lm.lm import LM
from dspex.lm.response import LMResponse, Usage
from dspex.lm.tracking import LMCall, track_calls

__all__ = [
    "CONNECTION_KEYS",
    "LM",
    "AuthenticationError",
    "BadRequestError",
    "CircuitOpenError",
    "ContextWindowExceededError",
    "Credential",
    "Embedder",
    "LMCall",
    "LMConfigurationError",
    "LMConnectionError",
    "LMError",
    "LMResponse",
    "LMTimeoutError",
    "LocalModelCrashed",
    "MalformedResponseError",
    "RateLimitError",
    "ServerError",
    "Usage",
    "breaker_states",
    "configure_breakers",
    "reset_breakers",
    "track_calls",
]
