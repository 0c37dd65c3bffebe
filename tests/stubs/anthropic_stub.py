"""An Anthropic Messages API stub: ``POST /v1/messages`` (JSON or SSE events).

python -m tests.stubs.anthropic_stub --port 8766
"""

from __future__ import annotations

import sys
from typing import Any

from tests.stubs.server import (
    RecordedRequest,
    Response,
    StubServer,
    apply_stop,
    dumps,
    run_cli,
    word_count,
)

__all__ = ["AnthropicStub", "main"]


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + dumps({"type": kind, **data}) + b"\n\n"


class AnthropicStub(StubServer):
    """Anthropic-shaped replies; ``base_url`` has no ``/v1`` (the client appends ``/v1/messages``)."""

    api_prefix = ""

    def routes(self) -> dict[tuple[str, str], Any]:
        return {("POST", "/v1/messages"): self.messages}

    def error_body(self, status: int) -> Any:
        kind = {
            401: "authentication_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {"type": "error", "error": {"type": kind, "message": f"stub error {status}"}}

    def messages(self, recorded: RecordedRequest) -> Response:
        reply = self.next_reply(recorded)
        special = self.special(reply)
        if special is not None:
            return special
        request = recorded.json or {}
        content = reply.content if reply.content is not None else ""
        text = content[0] if isinstance(content, list) else content
        text, stopped = apply_stop(text, request.get("stop_sequences"))
        reason = reply.finish_reason or ("stop_sequence" if stopped else "end_turn")
        prompt = [request.get("system") or ""]
        prompt += [m.get("content") for m in request.get("messages") or []]
        usage = reply.usage or {
            "input_tokens": word_count(prompt),
            "output_tokens": word_count([text]),
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        }
        model = request.get("model", "claude-stub")
        message = {
            "id": "msg_stub",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": reason,
            "stop_sequence": None,
            "usage": usage,
        }
        delay = self.latency_for(reply)
        if not request.get("stream"):
            return Response(body=dumps(message), headers=reply.headers, delay=delay)
        start = {**message, "content": [], "stop_reason": None}
        start["usage"] = {**usage, "output_tokens": 1}
        events = [
            _event("message_start", {"message": start}),
            _event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
            _event("ping", {}),
        ]
        for i in range(0, len(text), 8):
            delta = {"type": "text_delta", "text": text[i : i + 8]}
            events.append(_event("content_block_delta", {"index": 0, "delta": delta}))
        events += [
            _event("content_block_stop", {"index": 0}),
            _event(
                "message_delta",
                {
                    "delta": {"stop_reason": reason, "stop_sequence": None},
                    "usage": {"output_tokens": usage.get("output_tokens", 0)},
                },
            ),
            _event("message_stop", {}),
        ]
        return Response(
            events=events,
            content_type="text/event-stream",
            delay=delay,
            chunk_delay=reply.chunk_delay,
            headers=reply.headers,
        )


def main(argv: list[str] | None = None) -> int:
    return run_cli(AnthropicStub, argv)


if __name__ == "__main__":
    sys.exit(main())
