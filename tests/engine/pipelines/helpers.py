"""Read what a pipeline step sent to the stub, and build chat-format replies."""

from __future__ import annotations

import re
from typing import Any

_FIRST_OUTPUT = re.compile(r"starting with the field `\[\[ ## (\w+) ## \]\]`")
_SECTION = re.compile(r"^\[\[ ## (\w+) ## \]\]$", re.MULTILINE)


def reply(**fields: object) -> str:
    """A completion in the chat format with ``fields`` in order."""
    body = "\n\n".join(f"[[ ## {name} ## ]]\n{value}" for name, value in fields.items())
    return body + "\n\n[[ ## completed ## ]]"


def last_user(request: Any) -> str:
    return request.json["messages"][-1]["content"]


def first_output(request: Any) -> str:
    """The first output field the request asks for (``reasoning`` for ChainOfThought)."""
    match = _FIRST_OUTPUT.search(last_user(request))
    assert match, last_user(request)
    return match.group(1)


def sent_inputs(request: Any) -> dict[str, str]:
    """The input sections of the request's last user message."""
    text = last_user(request).split("Respond with the corresponding output fields")[0]
    parts = _SECTION.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
