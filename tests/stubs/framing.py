"""The OpenAI stub plus routes that frame their answers in other ways, for the tests of dspex's own
HTTP/1.1 clients (:mod:`dspex.lm.aio`, :mod:`dspex.lm.blocking`)."""

from __future__ import annotations

import gzip
import json
from typing import Any

from tests.stubs.openai_stub import OpenAIStub
from tests.stubs.server import RecordedRequest, Response, json_response

ANSWER = {"answer": "x" * 3000, "n": 1}
BIG_ANSWER = {"answer": "y" * (3 * 1024 * 1024)}


class FramingStub(OpenAIStub):
    """Routes: ``/chunked`` (chunked in 700-byte pieces), ``/gzip``, ``/close`` (``Connection:
    close``), ``/echo`` (the request's headers and JSON), ``/big`` (a 3 MiB body) and
    ``/long-head`` (70 KiB of headers)."""

    def routes(self) -> dict[tuple[str, str], Any]:
        return {
            **super().routes(),
            ("POST", "/chunked"): self.chunked,
            ("POST", "/gzip"): self.gzipped,
            ("POST", "/close"): self.closing,
            ("POST", "/echo"): self.echo,
            ("POST", "/big"): self.big,
            ("POST", "/long-head"): self.long_head,
        }

    def chunked(self, request: RecordedRequest) -> Response:
        data = json.dumps(ANSWER).encode()
        return Response(events=[data[i : i + 700] for i in range(0, len(data), 700)])

    def gzipped(self, request: RecordedRequest) -> Response:
        return Response(body=gzip.compress(json.dumps(ANSWER).encode()), headers={"Content-Encoding": "gzip"})

    def closing(self, request: RecordedRequest) -> Response:
        return json_response(ANSWER, headers={"Connection": "close"})

    def echo(self, request: RecordedRequest) -> Response:
        return json_response({"headers": request.headers, "json": request.json})

    def big(self, request: RecordedRequest) -> Response:
        return json_response(BIG_ANSWER)

    def long_head(self, request: RecordedRequest) -> Response:
        return json_response(ANSWER, headers={f"X-Filler-{i}": "z" * 1000 for i in range(70)})
