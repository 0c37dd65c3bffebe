"""Middleware refusing request bodies too large for any endpoint, before anything reads them.

Django caps form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not uploaded files, and the CSRF check
reads a POST's whole form to find its token; so a body larger than the largest upload plus the
largest form (``DSPEX_MAX_UPLOAD_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE``) is answered 413 here, judged
from ``Content-Length`` alone. Tighter per-endpoint limits apply after this one (see the parsers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from core.parsers import max_body_bytes, max_upload_bytes

__all__ = ["RequestSizeLimitMiddleware"]


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_upload_bytes() + max_body_bytes()
        if length > limit:
            message = (
                f"The request body is {length} bytes; the most accepted is {limit} bytes (files up to "
                f"{max_upload_bytes()} bytes, DSPEX_MAX_UPLOAD_BYTES, plus other fields up to "
                f"{max_body_bytes()} bytes, DATA_UPLOAD_MAX_MEMORY_SIZE)."
            )
            body: dict[str, Any]
            if request.path.startswith("/graphql"):
                body = {"errors": [{"message": message, "extensions": {"code": "REQUEST_TOO_LARGE"}}]}
            else:
                body = {"detail": message}
            return HttpResponse(json.dumps(body), status=413, content_type="application/json")
        return self.get_response(request)
