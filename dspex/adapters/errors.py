"""Adapter errors."""

from __future__ import annotations

from typing import Any

__all__ = ["AdapterParseError"]


class AdapterParseError(ValueError):
    """The LM's completion could not be parsed into the signature's output fields.

    ``lm_response`` is the raw completion text; ``parsed_result`` holds what could be parsed.
    """

    def __init__(
        self,
        *,
        adapter_name: str,
        signature: Any,
        lm_response: str,
        message: str | None = None,
        parsed_result: dict[str, Any] | None = None,
    ):
        self.adapter_name = adapter_name
        self.signature = signature
        self.lm_response = lm_response
        self.parsed_result = parsed_result
        expected = list(signature.output_fields)
        got = list(parsed_result) if parsed_result is not None else None
        text = f"Adapter {adapter_name} failed to parse the LM response."
        if message:
            text += f" {message}"
        text += f"\n\nExpected output fields: {expected}"
        if got is not None:
            text += f"\nParsed fields: {got}"
        shown = lm_response if len(lm_response) <= 2000 else lm_response[:2000] + "..."
        text += f"\n\nLM response:\n{shown}"
        super().__init__(text)
