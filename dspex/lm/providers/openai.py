"""OpenAI Chat Completions (and any server that speaks it: vLLM, llama.cpp, Ollama, ...)."""

from __future__ import annotations

import re
from typing import Any

from dspex.lm import _json
from dspex.lm.errors import LMError
from dspex.lm.providers.base import Parsed, Provider, StreamState
from dspex.lm.providers.openai_responses import chat_to_responses_request, parse_response
from dspex.lm.response import Usage

__all__ = ["OpenAIProvider"]

# Reasoning models take max_completion_tokens instead of max_tokens.
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5(?!-chat))")
_NOT_SENT = ("rollout_id",)


def _usage(block: dict[str, Any] | None) -> Usage:
    if not block:
        return Usage()
    details = block.get("prompt_tokens_details") or {}
    return Usage(
        block.get("prompt_tokens") or 0,
        block.get("completion_tokens") or 0,
        details.get("cached_tokens") or 0,
    )


def _prompt_from_messages(messages: list[dict[str, Any]]) -> str:
    parts = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        parts.append(content or "")
    return "\n\n".join(parts)


class OpenAIStreamState(StreamState):
    """Chat (``delta.content``) and text (``text``) completion chunks."""

    def feed(self, event: str | None, data: str) -> str | None:
        if data == "[DONE]":
            self.done = True
            return None
        chunk = _json.loads(data)
        if "error" in chunk:
            error = chunk["error"]
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise LMError(f"stream error: {message}")
        if chunk.get("usage"):
            self.usage = _usage(chunk["usage"])
        self.model = chunk.get("model") or self.model
        first = None
        for choice in chunk.get("choices") or ():
            index = choice.get("index", 0)
            delta = choice.get("delta")
            text = (delta.get("content") if delta else choice.get("text")) or ""
            if text:
                self._append(index, text)
                if index == 0:
                    first = text
            if choice.get("finish_reason") is not None:
                self.finish_reasons[index] = choice["finish_reason"]
        return first


class OpenAIProvider(Provider):
    """``POST {base_url}/chat/completions`` with a bearer key."""

    name = "openai"
    key_env: str | None = "OPENAI_API_KEY"
    default_base_url = "https://api.openai.com/v1"

    def url(self, base_url: str, model_type: str) -> str:
        if model_type == "text":
            return base_url + "/completions"
        if model_type == "responses":
            return base_url + "/responses"
        return base_url + "/chat/completions"

    def headers(self, api_key: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + api_key, "Content-Type": "application/json"}

    def payload(
        self,
        model_name: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        model_type: str,
        stream: bool = False,
    ) -> dict[str, Any]:
        if model_type == "text":
            body: dict[str, Any] = {"model": model_name, "prompt": _prompt_from_messages(messages)}
        else:
            body = {"model": model_name, "messages": messages}
        for key, value in params.items():
            if value is not None:  # a reasoning model's unset temperature / max_completion_tokens
                body[key] = value
        for key in _NOT_SENT:
            body.pop(key, None)
        if "max_tokens" in body and _REASONING_MODEL.match(model_name):
            body["max_completion_tokens"] = body.pop("max_tokens")
        if model_type == "responses":
            if stream:
                raise LMError("the Responses API is not streamed by dspex: use model_type='chat' to stream")
            return chat_to_responses_request(body)
        if stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    def parse(self, data: Any, model_type: str) -> Parsed:
        if model_type == "responses":
            return parse_response(data)
        try:
            choices = data["choices"]
            if model_type == "text":
                outputs = [c.get("text") or "" for c in choices]
            else:
                outputs = [(c.get("message") or {}).get("content") or "" for c in choices]
            reasons = [c.get("finish_reason") for c in choices]
            usage = _usage(data.get("usage"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise LMError(f"unexpected response shape ({exc!r}): {str(data)[:300]}") from exc
        if not outputs:
            raise LMError(f"response has no choices: {str(data)[:300]}")
        return Parsed(outputs, reasons, usage, data.get("model"))

    def stream_state(self, model_type: str) -> StreamState:
        return OpenAIStreamState()
