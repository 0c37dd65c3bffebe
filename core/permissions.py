"""Permission and throttle classes shared by the REST API.

Ownership is not a permission class here: every viewset starts from a selector that returns only
the rows the user may see (``OwnedQuerySet.visible_to``), so another user's object is a 404, never
a 403 that would confirm it exists.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

__all__ = ["SettingsScopedRateThrottle", "throttle_rates"]


def throttle_rates() -> dict[str, str | None]:
    """``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` as it is now (``{}`` when unset)."""
    # The stubs type the rates as numbers; DRF's are "N/period" text (or None: no limit).
    rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES or {}  # type: ignore[assignment]
    return rates


class SettingsScopedRateThrottle(ScopedRateThrottle):
    """``ScopedRateThrottle`` that reads ``DEFAULT_THROTTLE_RATES`` on every request.

    DRF binds the rates when the throttle class is imported, so a changed setting (a test's
    ``settings`` fixture, ``override_settings``) would otherwise be ignored. A scope missing from
    the setting falls back to the view's ``throttle_default_rate`` (``None``: not throttled).
    """

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.THROTTLE_RATES = throttle_rates()
        self._default_rate = getattr(view, "throttle_default_rate", None)
        return super().allow_request(request, view)

    def get_rate(self) -> str | None:
        if self.scope not in self.THROTTLE_RATES:
            return self._default_rate
        return self.THROTTLE_RATES[self.scope]
