"""The rate limit of program executions, shared with the REST API.

Same scope (``execute``), same rate (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["execute"]``, read on
every request) and the same cache key as DRF's scoped throttle, so REST and GraphQL executions
draw on one budget per user.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

__all__ = ["ExecuteThrottle", "throttle_wait"]


class ExecuteThrottle(SimpleRateThrottle):
    scope = "execute"

    def get_rate(self) -> str | None:
        return (api_settings.DEFAULT_THROTTLE_RATES or {}).get(self.scope)

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle_wait(request: Any) -> float | None:
    """``None`` when ``request`` may execute now; otherwise the seconds to wait (and the request
    is not counted)."""
    throttle = ExecuteThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 0.0
