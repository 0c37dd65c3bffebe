"""Anthropic Messages API: ``POST {base_url}/v1/messages``."""

from __future__ import annotations

from typing import Any

from dspex.lm import _json
from dspex.lm.errors import LMError
from dspex.lm.providers.base import Parsed, Provider, StreamState
from dspex.lm.response import Usage

__all__ = ["AnthropicProvider"]

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}
# OpenAI-only parameters with no Messages API equivalent.
_DROPPED = frozenset(
    {
        "n",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "logprobs",
        "top_logprobs",
        "logit_bias",
        "response_format",
        "rollout_id",
        "stream_options",
        "user",
    }
)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def _image_block(url: str) -> dict[str, Any]:
    if url.startswith("data:"):
        header, _, data = url.partition(",")
        media_type = header[5:].split(";", 1)[0] or "image/png"
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _content(content: Any) -> Any:
    if not isinstance(content, list):
        return content
    blocks = []
    for part in content:
        if isinstance(part, dict) and part.get("type") == "image_url":
            image = part["image_url"]
            blocks.append(_image_block(image["url"] if isinstance(image, dict) else image))
        else:
            blocks.append(part)
    return blocks


def _usage(block: dict[str, Any] | None, usage: Usage | None = None) -> Usage:
    usage = usage or Usage()
    if not block:
        return usage
    cached = block.get("cache_read_input_tokens") or 0
    created = block.get("cache_creation_input_tokens") or 0
    if "input_tokens" in block:
        usage.prompt_tokens = (block.get("input_tokens") or 0) + cached + created
        usage.cached_tokens = cached
    if "output_tokens" in block:
        usage.completion_tokens = block.get("output_tokens") or 0
    return usage


class AnthropicStreamState(StreamState):
    """``message_start`` / ``content_block_delta`` / ``message_delta`` / ``message_stop``."""

    def feed(self, event: str | None, data: str) -> str | None:
        payload = _json.loads(data)
        kind = payload.get("type", event)
        if kind == "content_block_delta":
            delta = payload.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                text: str = delta["text"]
                self._append(0, text)
                return text
        elif kind == "message_start":
            message = payload.get("message") or {}
            self.model = message.get("model")
            self.usage = _usage(message.get("usage"), self.usage)
        elif kind == "message_delta":
            reason = (payload.get("delta") or {}).get("stop_reason")
            if reason is not None:
                self.finish_reasons[0] = _FINISH.get(reason, reason)
            self.usage = _usage(payload.get("usage"), self.usage)
        elif kind == "message_stop":
            self.done = True
        elif kind == "error":
            error = payload.get("error") or {}
            raise LMError(f"stream error: {error.get('type')}: {error.get('message')}")
        return None


class AnthropicProvider(Provider):
    """System messages go to ``system``; ``stop`` becomes ``stop_sequences``."""

    name = "anthropic"
    key_env = "ANTHROPIC_API_KEY"
    default_base_url = "https://api.anthropic.com"
    supports_n = False

    def default_params(self, params: dict[str, Any]) -> dict[str, Any]:
        params.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
        return params

    def url(self, base_url: str, model_type: str) -> str:
        if base_url.endswith("/v1"):
            return base_url + "/messages"
        return base_url + "/v1/messages"

    def headers(self, api_key: str) -> dict[str, str]:
        return {
            "x-api-key": api_key,
            "anthropic-version": API_VERSION,
            "Content-Type": "application/json",
        }

    def payload(
        self,
        model_name: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        model_type: str,
        stream: bool = False,
    ) -> dict[str, Any]:
        system = []
        turns = []
        for message in messages:
            if message["role"] == "system":
                system.append(_text(message.get("content")))
            else:
                turns.append({"role": message["role"], "content": _content(message.get("content"))})
        body: dict[str, Any] = {"model": model_name, "messages": turns}
        if system:
            body["system"] = "\n\n".join(system)
        for key, value in params.items():
            if key in _DROPPED:
                continue
            if key == "stop":
                body["stop_sequences"] = [value] if isinstance(value, str) else list(value)
            else:
                body[key] = value
        body.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
        if stream:
            body["stream"] = True
        return body

    def parse(self, data: Any, model_type: str) -> Parsed:
        try:
            blocks = data["content"]
            text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
            reason = data.get("stop_reason")
            usage = _usage(data.get("usage"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise LMError(f"unexpected response shape ({exc!r}): {str(data)[:300]}") from exc
        return Parsed([text], [_FINISH.get(reason, reason)], usage, data.get("model"))

    def stream_state(self, model_type: str) -> StreamState:
        return AnthropicStreamState()
