"""Language model clients: the :class:`LM` facade, its errors, results and call tracking."""

from dspex.lm.embedder import Embedder
from dspex.lm.errors import (
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    LMConnectionError,
    LMError,
    LMTimeoutError,
    RateLimitError,
    ServerError,
)
from dspex.lm.lm import LM
from dspex.lm.response import LMResponse, Usage
from dspex.lm.tracking import LMCall, track_calls

__all__ = [
    "LM",
    "AuthenticationError",
    "BadRequestError",
    "ContextWindowExceededError",
    "Embedder",
    "LMCall",
    "LMConnectionError",
    "LMError",
    "LMResponse",
    "LMTimeoutError",
    "RateLimitError",
    "ServerError",
    "Usage",
    "track_calls",
]
