"""Throttle scopes outside DRF views (GraphQL), shared with the REST API.

Same rates (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]``, read on every request) and the same
cache keys as DRF's scoped throttle, so one user's REST and GraphQL requests draw on one budget.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.permissions import throttle_rates

__all__ = ["ScopeThrottle", "throttle_wait"]


class ScopeThrottle(SimpleRateThrottle):
    """DRF's scoped throttle for one named scope, outside a view."""

    def __init__(self, scope: str = "execute") -> None:
        self.scope = scope
        super().__init__()

    def get_rate(self) -> str | None:
        return None if self.scope is None else throttle_rates().get(self.scope)

    def get_cache_key(self, request: Request, view: APIView | None) -> str:
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle_wait(request: HttpRequest, scope: str = "execute") -> float | None:
    """``None`` when ``request`` may go on now; otherwise the seconds to wait (not counted)."""
    throttle = ScopeThrottle(scope)
    # Outside DRF there is no view and the request is Django's own: this throttle reads only the
    # request's user and META (get_cache_key above), which both have.
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    return throttle.wait() or 0.0
