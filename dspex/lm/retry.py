"""When and how long to wait before retrying a failed request."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from dspex.lm.errors import LMError

__all__ = ["RetryPolicy", "parse_retry_after"]


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring the server's ``Retry-After``.

    Only errors marked ``retryable`` (429, 5xx, timeouts, connection failures) are retried.
    A ``Retry-After`` longer than ``max_retry_after`` is not waited for: the error is raised.
    """

    num_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, error: LMError) -> float | None:
        """Seconds to sleep before attempt ``attempt + 1``, or ``None`` to give up."""
        if not error.retryable or attempt >= self.num_retries:
            return None
        jitter = random.uniform(0.0, min(self.max_backoff, self.backoff * (2**attempt)))
        hint = error.retry_after
        if hint is None:
            return jitter
        if hint > self.max_retry_after:
            return None
        return max(hint, jitter)
