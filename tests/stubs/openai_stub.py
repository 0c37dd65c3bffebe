"""An OpenAI-compatible stub: chat/text completions (with SSE streaming), embeddings, models.

Run it in a subprocess for benchmarks::

    python -m tests.stubs.openai_stub --port 8765 [--latency 0.0] [--no-record]
"""

from __future__ import annotations

import hashlib
import struct
import sys
import time
from typing import Any

from tests.stubs.server import (
    RecordedRequest,
    Reply,
    Response,
    StubServer,
    apply_stop,
    dumps,
    json_response,
    run_cli,
    word_count,
)

__all__ = ["OpenAIStub", "fake_embedding", "main"]

EMBEDDING_DIM = 16


def fake_embedding(text: str, dim: int = EMBEDDING_DIM) -> list[float]:
    """A deterministic unit-free vector in [-1, 1) derived from the text's hash."""
    digest = hashlib.sha256(text.encode()).digest()
    while len(digest) < dim * 2:
        digest += hashlib.sha256(digest).digest()
    return [v / 32768.0 for v in struct.unpack(f"<{dim}h", digest[: dim * 2])]


class OpenAIStub(StubServer):
    """``/v1/chat/completions`` (also ``/chat/completions``), ``/v1/completions``,
    ``/v1/embeddings`` and ``/v1/models``."""

    api_prefix = "/v1"

    def routes(self) -> dict[tuple[str, str], Any]:
        return {
            ("POST", "/v1/chat/completions"): self.chat_completions,
            ("POST", "/chat/completions"): self.chat_completions,
            ("POST", "/v1/completions"): self.text_completions,
            ("POST", "/completions"): self.text_completions,
            ("POST", "/v1/responses"): self.responses,
            ("POST", "/responses"): self.responses,
            ("POST", "/v1/embeddings"): self.embeddings,
            ("POST", "/embeddings"): self.embeddings,
            ("GET", "/v1/models"): self.models,
            ("GET", "/models"): self.models,
        }

    def error_body(self, status: int) -> Any:
        kind = {401: "invalid_request_error", 429: "rate_limit_exceeded"}.get(status, "server_error")
        return {"error": {"message": f"stub error {status}", "type": kind, "code": None}}

    def _choices(self, reply: Reply, request: dict[str, Any]) -> list[tuple[str, str]]:
        n = int(request.get("n") or 1)
        content = reply.content if reply.content is not None else ""
        texts = list(content) if isinstance(content, list) else [content] * n
        choices = []
        for text in texts:
            text, _ = apply_stop(text, request.get("stop"))
            choices.append((text, reply.finish_reason or "stop"))
        return choices

    def _usage(self, reply: Reply, prompt_tokens: int, texts: list[str]) -> dict[str, Any]:
        if reply.usage is not None:
            return reply.usage
        completion = word_count(texts)
        return {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion,
        }

    def _complete(self, recorded: RecordedRequest, chat: bool) -> Response:
        reply = self.next_reply(recorded)
        special = self.special(reply)
        if special is not None:
            return special
        request = recorded.json or {}
        choices = self._choices(reply, request)
        if chat:
            prompt_tokens = word_count(m.get("content") for m in request.get("messages") or [])
        else:
            prompt_tokens = word_count([request.get("prompt", "")])
        usage = self._usage(reply, prompt_tokens, [text for text, _ in choices])
        model = request.get("model", "stub-model")
        created = int(time.time())
        if request.get("stream"):
            events = self._stream_events(choices, usage, model, created, chat, request)
            return Response(
                events=events,
                content_type="text/event-stream",
                delay=self.latency_for(reply),
                chunk_delay=reply.chunk_delay,
                headers=reply.headers,
            )
        if chat:
            body_choices = [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": reason,
                    "logprobs": None,
                }
                for i, (text, reason) in enumerate(choices)
            ]
        else:
            body_choices = [
                {"index": i, "text": text, "finish_reason": reason, "logprobs": None}
                for i, (text, reason) in enumerate(choices)
            ]
        body = {
            "id": f"chatcmpl-stub-{len(self.requests)}",
            "object": "chat.completion" if chat else "text_completion",
            "created": created,
            "model": model,
            "choices": body_choices,
            "usage": usage,
        }
        return Response(body=dumps(body), headers=reply.headers, delay=self.latency_for(reply))

    def _stream_events(
        self,
        choices: list[tuple[str, str]],
        usage: dict[str, Any],
        model: str,
        created: int,
        chat: bool,
        request: dict[str, Any],
    ) -> list[bytes]:
        base = {"id": "chatcmpl-stub-stream", "object": "chat.completion.chunk", "created": created}
        base["model"] = model
        events = []
        for index, (text, reason) in enumerate(choices):
            pieces = [text[i : i + 8] for i in range(0, len(text), 8)] or [""]
            for piece in pieces:
                delta = {"content": piece} if chat else None
                choice = {"index": index, "finish_reason": None}
                choice.update({"delta": delta} if chat else {"text": piece})
                events.append(b"data: " + dumps({**base, "choices": [choice]}) + b"\n\n")
            final = {"index": index, "finish_reason": reason}
            final.update({"delta": {}} if chat else {"text": ""})
            events.append(b"data: " + dumps({**base, "choices": [final]}) + b"\n\n")
        if (request.get("stream_options") or {}).get("include_usage"):
            events.append(b"data: " + dumps({**base, "choices": [], "usage": usage}) + b"\n\n")
        events.append(b"data: [DONE]\n\n")
        return events

    def chat_completions(self, recorded: RecordedRequest) -> Response:
        return self._complete(recorded, chat=True)

    def text_completions(self, recorded: RecordedRequest) -> Response:
        return self._complete(recorded, chat=False)

    def responses(self, recorded: RecordedRequest) -> Response:
        """The Responses API: one ``message`` output item per scripted text (no streaming)."""
        reply = self.next_reply(recorded)
        special = self.special(reply)
        if special is not None:
            return special
        request = recorded.json or {}
        texts = [text for text, _ in self._choices(reply, {})]
        prompt_tokens = word_count(
            part.get("text", "")
            for item in request.get("input") or []
            for part in (item.get("content") if isinstance(item.get("content"), list) else [])
        )
        counted = self._usage(reply, prompt_tokens, texts)
        usage = {
            "input_tokens": counted.get("prompt_tokens", counted.get("input_tokens", 0)),
            "output_tokens": counted.get("completion_tokens", counted.get("output_tokens", 0)),
            "total_tokens": counted.get("total_tokens", 0),
        }
        body = {
            "id": f"resp-stub-{len(self.requests)}",
            "object": "response",
            "status": "completed",
            "model": request.get("model", "stub-model"),
            "output": [
                {
                    "type": "message",
                    "role": "assistant",
                    "status": "completed",
                    "content": [{"type": "output_text", "text": text, "annotations": []}],
                }
                for text in texts
            ],
            "usage": usage,
        }
        return Response(body=dumps(body), headers=reply.headers, delay=self.latency_for(reply))

    def embeddings(self, recorded: RecordedRequest) -> Response:
        request = recorded.json or {}
        inputs = request.get("input", [])
        if isinstance(inputs, str):
            inputs = [inputs]
        data = [
            {"object": "embedding", "index": i, "embedding": fake_embedding(str(text))}
            for i, text in enumerate(inputs)
        ]
        tokens = word_count(inputs)
        body = {
            "object": "list",
            "data": data,
            "model": request.get("model", "stub-embedding"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return Response(body=dumps(body), delay=self._latency)

    def models(self, recorded: RecordedRequest) -> Response:
        return json_response({"object": "list", "data": [{"id": "stub-model", "object": "model"}]})


def main(argv: list[str] | None = None) -> int:
    return run_cli(OpenAIStub, argv)


if __name__ == "__main__":
    sys.exit(main())
