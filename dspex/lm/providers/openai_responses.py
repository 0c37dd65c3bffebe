"""OpenAI's Responses API (``model_type="responses"``): chat requests in, chat results out.

:func:`chat_to_responses_request` turns a Chat Completions request (``model``, ``messages``,
parameters) into a ``POST /responses`` body: each message becomes an ``input`` item whose content
parts are typed the Responses way (``input_text`` for what the user or system said,
``output_text`` for what the assistant said, ``input_image``, ``input_file``), ``max_tokens``
becomes ``max_output_tokens`` and ``reasoning_effort`` becomes ``reasoning``. :func:`parse_response`
reads the text of the ``message`` output items back (one output, several texts joined).
"""

from __future__ import annotations

from typing import Any

from dspex.lm.errors import LMError
from dspex.lm.providers.base import Parsed
from dspex.lm.response import Usage

__all__ = ["chat_to_responses_request", "parse_response"]

_TEXT_TYPES = ("text", "input_text", "output_text")


def _part(part: Any, text_type: str) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": text_type, "text": part}
    if not isinstance(part, dict):
        return {"type": text_type, "text": str(part)}
    kind = part.get("type")
    if kind in _TEXT_TYPES:
        return {"type": text_type, "text": part.get("text", "")}
    if kind == "image_url":
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        converted: dict[str, Any] = {"type": "input_image", "image_url": url}
        if isinstance(image, dict) and image.get("detail"):
            converted["detail"] = image["detail"]
        return converted
    if kind == "file":
        file = part.get("file") or {}
        converted = {"type": "input_file"}
        for key in ("file_data", "file_id", "filename"):
            if file.get(key) is not None:
                converted[key] = file[key]
        return converted
    return dict(part)  # already a Responses part (input_image, input_file, ...)


def _item(message: dict[str, Any]) -> dict[str, Any]:
    role = message.get("role", "user")
    text_type = "output_text" if role == "assistant" else "input_text"
    content = message.get("content")
    parts = content if isinstance(content, list) else [] if content is None else [content]
    return {"role": role, "content": [_part(part, text_type) for part in parts]}


def chat_to_responses_request(request: dict[str, Any]) -> dict[str, Any]:
    """A Responses API body for the Chat Completions ``request`` (see the module doc)."""
    body = {key: value for key, value in request.items() if key not in ("messages", "n")}
    body["input"] = [_item(message) for message in request.get("messages") or []]
    for budget in ("max_completion_tokens", "max_tokens"):
        if budget in body:
            value = body.pop(budget)
            if value is not None:
                body["max_output_tokens"] = value
    effort = body.pop("reasoning_effort", None)
    if effort is not None and "reasoning" not in body:
        body["reasoning"] = {"effort": effort, "summary": "auto"}
    return body


def parse_response(data: Any) -> Parsed:
    """The text, finish reason, usage and model of a Responses API result."""
    try:
        texts = [
            part.get("text") or ""
            for item in data.get("output") or []
            if item.get("type") == "message"
            for part in item.get("content") or []
            if part.get("type") == "output_text"
        ]
        usage_block = data.get("usage") or {}
        details = usage_block.get("input_tokens_details") or {}
        usage = Usage(
            int(usage_block.get("input_tokens") or 0),
            int(usage_block.get("output_tokens") or 0),
            int(details.get("cached_tokens") or 0),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise LMError(f"unexpected response shape ({exc!r}): {str(data)[:300]}") from exc
    if data.get("status") not in (None, "completed", "incomplete"):
        raise LMError(f"the response ended with status {data.get('status')!r}: {str(data)[:300]}")
    reason = "length" if data.get("status") == "incomplete" else "stop"
    return Parsed(["".join(texts)], [reason], usage, data.get("model"))
