"""``local/<model>``: the bundled llama.cpp model, spoken to over the OpenAI API.

Gemma is a base model here, so generation needs explicit stops: unless overridden, requests use
``temperature=0``, ``max_tokens=256`` and stop at DSPy's completion marker or Gemma's end of turn.
llama.cpp's ``gemma`` chat format keeps only string ``user``/``assistant`` turns and silently drops
system messages, so messages are rewritten first: system text is prepended to the first user turn,
content parts are flattened to text and other roles become user turns. The server only knows the
``json_object`` response format (with an optional ``schema`` it turns into a grammar), so OpenAI's
``json_schema`` format is translated to it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from dspex.lm import local
from dspex.lm.providers.openai import OpenAIProvider

if TYPE_CHECKING:
    import httpx

    from dspex.lm.errors import LMError

__all__ = ["DEFAULT_STOP", "LocalProvider", "gemma_messages", "llama_response_format"]

DEFAULT_STOP = ["[[ ## completed ## ]]", "<end_of_turn>"]
DEFAULT_MAX_TOKENS = 256


def _flatten(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict) and part.get("type", "text") == "text":
                texts.append(part.get("text", ""))
            else:
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ValueError(f"the local model accepts text only, got a {kind!r} content part")
        return "\n".join(texts)
    return str(content)


def llama_response_format(response_format: Any) -> Any:
    """OpenAI's ``{"type": "json_schema", "json_schema": {"schema": ...}}`` as llama.cpp's
    ``{"type": "json_object", "schema": ...}``; other formats pass through."""
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        translated: dict[str, Any] = {"type": "json_object"}
        if schema is not None:
            translated["schema"] = schema
        return translated
    return response_format


def gemma_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Rewrite OpenAI-style messages so that llama.cpp's gemma format keeps all of their text."""
    system: list[str] = []
    turns: list[dict[str, str]] = []
    for message in messages:
        role = message.get("role")
        text = _flatten(message.get("content"))
        if role == "system":
            system.append(text)
        else:
            turns.append({"role": "assistant" if role == "assistant" else "user", "content": text})
    if system:
        preamble = "\n\n".join(system)
        if turns and turns[0]["role"] == "user":
            turns[0] = {"role": "user", "content": preamble + "\n\n" + turns[0]["content"]}
        else:
            turns.insert(0, {"role": "user", "content": preamble})
    return turns


class LocalProvider(OpenAIProvider):
    """The managed llama.cpp server (or ``$DSPEX_LOCAL_LM_BASE_URL``)."""

    name = "local"
    key_env = None
    default_base_url = ""
    # llama_cpp.server computes one request at a time; the others would wait there, against the
    # client's timeout (see dspex.lm.slots).
    max_concurrency = 1
    # A request waits for its slot in the client, so the timeout covers only its own run; with a
    # JSON grammar the model can be ~3 tokens/s on 2 cores, so max_tokens=256 can take 90 s.
    default_timeout = 600.0

    def default_params(self, params: dict[str, Any]) -> dict[str, Any]:
        params.setdefault("temperature", 0.0)
        params.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
        params.setdefault("stop", list(DEFAULT_STOP))
        return params

    def resolve_base_url(self, base_url: str | None, model_name: str) -> str:
        if base_url:
            return base_url.rstrip("/")
        return local.ensure_server(model_name)

    def diagnose(self, url: httpx.URL) -> LMError | None:
        return local.diagnose(str(url))

    async def aresolve_base_url(self, base_url: str | None, model_name: str) -> str:
        if base_url or local.server_ready(model_name):
            return self.resolve_base_url(base_url, model_name)
        return await asyncio.to_thread(local.ensure_server, model_name)

    def payload(
        self,
        model_name: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        model_type: str,
        stream: bool = False,
    ) -> dict[str, Any]:
        body = super().payload(model_name, gemma_messages(messages), params, model_type, stream)
        if "response_format" in body:
            body["response_format"] = llama_response_format(body["response_format"])
        return body
