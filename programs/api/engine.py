"""``GET /api/engine/capabilities/``: which module and optimizer types run natively, on dspy or both;
per-backend call stats of this process; the LM endpoints' circuit breakers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import ApiViewMixin
from programs.gateway.capabilities import engine_capabilities

__all__ = ["EngineCapabilitiesView"]


class EngineCapabilitiesView(ApiViewMixin, APIView):
    """The hybrid engine's registry (``modules``/``optimizers`` -> ``native``, ``dspy``,
    ``backends``), ``stats`` (count, errors, error rate, p50/p95 latency per backend and type) and
    ``breakers`` (closed, open or half-open) of your own programs' credentials, the LM
    ``endpoints`` your programs may name (names and models; URLs for staff only), and the
    ``program_types``, ``tools`` and ``rewards`` a program may name."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(engine_capabilities(request.user))
