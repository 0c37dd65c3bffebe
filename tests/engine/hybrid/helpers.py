"""Shared helpers of the hybrid tests: the chat-format reply for given outputs, request bodies."""

from __future__ import annotations

from typing import Any


def reply(**fields: Any) -> str:
    """A completion in the ``[[ ## field ## ]]`` format with ``fields`` in order."""
    body = "\n\n".join(f"[[ ## {name} ## ]]\n{value}" for name, value in fields.items())
    return body + "\n\n[[ ## completed ## ]]"


def token_limit(body: dict[str, Any]) -> Any:
    """dspy sends ``max_completion_tokens`` to OpenAI, dspex ``max_tokens``: the same limit."""
    return body.get("max_tokens", body.get("max_completion_tokens"))


def requests_by_backend(stub: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two recorded request bodies of a native call followed by a dspy call."""
    native, theirs = (r.json for r in stub.completion_requests()[-2:])
    return native, theirs
