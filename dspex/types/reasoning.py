"""``Reasoning``: the LM's reasoning, a str-like output (native reasoning when the LM has it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydantic

from dspex.types.base import Type

__all__ = ["Reasoning"]


class Reasoning(Type):
    """Reasoning text (``content``) that behaves as a ``str``: it compares equal to its text,
    and string methods, ``len``, indexing, ``in`` and ``+`` work on the text. Adapters write
    and name it as a ``str`` field."""

    content: str

    def format(self) -> str:
        return self.content

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if isinstance(data, str):
            return {"content": data}
        if isinstance(data, dict):
            if "content" not in data:
                raise ValueError("`content` field is required for `dspy.Reasoning`")
            if not isinstance(data["content"], str):
                raise ValueError(
                    f"`content` field must be a string, but received type: {type(data['content'])}"
                )
            return {"content": data["content"]}
        raise ValueError(f"Received invalid value for `dspy.Reasoning`: {data}")

    @classmethod
    def adapt_to_native_lm_feature(
        cls, signature: Any, field_name: str, lm: Any, lm_kwargs: dict[str, Any]
    ) -> Any:
        """With an LM that reasons natively, drop the field from the prompt and ask for
        ``reasoning_effort`` (the call's, else the LM's, else ``"low"``; ``None`` turns it off)."""
        lm_defaults = getattr(lm, "kwargs", {}) or {}
        if "reasoning_effort" in lm_kwargs:
            effort = lm_kwargs["reasoning_effort"]
        else:
            effort = lm_defaults.get("reasoning_effort", "low")
        if effort is None or not getattr(lm, "supports_reasoning", False):
            return signature
        if "gpt-5" in str(getattr(lm, "model", "")) and getattr(lm, "model_type", "chat") == "chat":
            return signature  # the chat API does not return GPT-5's reasoning text
        lm_kwargs["reasoning_effort"] = effort
        return signature.delete(field_name)

    @classmethod
    def parse_lm_response(cls, response: str | dict[str, Any]) -> Reasoning | None:
        if isinstance(response, dict) and response.get("reasoning_content") is not None:
            return cls(content=response["reasoning_content"])
        return None

    @classmethod
    def parse_stream_chunk(cls, chunk: Any) -> Any:
        try:
            choices = getattr(chunk, "choices", None)
            return getattr(choices[0].delta, "reasoning_content", None) if choices else None
        except Exception:
            return None

    @classmethod
    def is_streamable(cls) -> bool:
        return True

    def __repr__(self) -> str:
        return repr(self.content)

    def __str__(self) -> str:
        return self.content

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Reasoning):
            return self.content == other.content
        if isinstance(other, str):
            return self.content == other
        return False

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __len__(self) -> int:
        return len(self.content)

    def __getitem__(self, key: Any) -> str:
        return self.content[key]

    def __contains__(self, item: str) -> bool:
        return item in self.content

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        return iter(self.content)

    def __add__(self, other: Any) -> Any:
        if isinstance(other, Reasoning):
            return Reasoning(content=self.content + other.content)
        if isinstance(other, str):
            return self.content + other
        return NotImplemented

    def __radd__(self, other: Any) -> Any:
        if isinstance(other, str):
            return other + self.content
        return NotImplemented

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_") and hasattr(str, name):
            return getattr(self.content, name)
        raise AttributeError(
            f"`{type(self).__name__}` object has no attribute '{name}'. The 'reasoning' field of "
            "ChainOfThought is a `Reasoning` object: str(reasoning) or reasoning.content gives its text."
        )
