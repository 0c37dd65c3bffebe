"""A server that records every request it receives (any path, any body) and answers like the
OpenAI stub: the stand-in for an attacker's server in the exfiltration tests."""

from __future__ import annotations

import time
from typing import Any

from tests.stubs.openai_stub import OpenAIStub
from tests.stubs.server import RecordedRequest, Response, json_response

__all__ = ["RecordingServer"]


class RecordingServer(OpenAIStub):
    """Every request is kept in ``requests``, with its headers, before any routing."""

    def _dispatch(self, request: Any) -> Response:
        recorded = RecordedRequest(
            request.method, request.path, dict(request.headers), None, time.monotonic()
        )
        self.requests.append(recorded)
        if (request.method, request.path.split("?", 1)[0]) not in self._routes:
            return json_response({"error": {"message": "recorded"}}, 404)
        self.requests.pop()  # the stub records routed requests itself
        return super()._dispatch(request)

    def header_values(self) -> str:
        """Every header value of every request, joined (to search for a leaked secret)."""
        return "\n".join(value for request in self.requests for value in request.headers.values())
