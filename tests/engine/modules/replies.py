"""Build ChatAdapter-format completions for scripted stub replies."""

from __future__ import annotations

import json
from typing import Any


def chat(**fields: Any) -> str:
    """``[[ ## name ## ]]`` sections for ``fields`` (dicts/lists as JSON), then the completed marker."""
    parts = []
    for name, value in fields.items():
        text = json.dumps(value) if isinstance(value, dict | list) else str(value)
        parts.append(f"[[ ## {name} ## ]]\n{text}")
    return "\n\n".join(parts) + "\n\n[[ ## completed ## ]]"


def user_message(request: Any) -> str:
    """The last user message of a recorded chat completion request."""
    return [m for m in request.json["messages"] if m["role"] == "user"][-1]["content"]


def system_message(request: Any) -> str:
    return request.json["messages"][0]["content"]
