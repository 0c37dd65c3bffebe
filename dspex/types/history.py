"""``History``: earlier turns of a conversation, formatted as chat messages before the request."""

from __future__ import annotations

from typing import Any

import pydantic

from dspex.types.base import without_description

__all__ = ["History"]


class History(pydantic.BaseModel):
    """The turns of a conversation so far: one dict per turn, keyed by the signature's field
    names (``{"question": ..., "answer": ...}``).

    An input field of this type is not written as a section: the adapters turn each turn into a
    user message (its input fields) and an assistant message (its output fields), placed after
    the demos and before the request.
    """

    messages: list[dict[str, Any]]

    model_config = pydantic.ConfigDict(
        frozen=True,
        str_strip_whitespace=True,
        validate_assignment=True,
        extra="forbid",
        json_schema_extra=without_description,
    )
