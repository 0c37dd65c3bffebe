"""``Citations`` (quotes an LM gives for its answer) and ``Document`` (a text it may cite)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import pydantic

from dspex.types.base import Type

__all__ = ["Citation", "Citations", "Document"]


class Citation(Type):
    """One quote: ``cited_text`` from document ``document_index``, between two character offsets."""

    type: str = "char_location"
    cited_text: str
    document_index: int
    document_title: str | None = None
    start_char_index: int
    end_char_index: int
    supported_text: str | None = None

    def format(self) -> dict[str, Any]:  # type: ignore[override]
        data: dict[str, Any] = {
            "type": self.type,
            "cited_text": self.cited_text,
            "document_index": self.document_index,
            "start_char_index": self.start_char_index,
            "end_char_index": self.end_char_index,
        }
        if self.document_title:
            data["document_title"] = self.document_title
        if self.supported_text:
            data["supported_text"] = self.supported_text
        return data


_Citation = Citation  # the field type below (inside the class, the name is the class attribute)


class Citations(Type):
    """The citations of an answer. With Anthropic models the provider fills this output field
    (its citations API); otherwise the LM writes it like any structured output."""

    Citation: ClassVar[type[Citation]] = Citation

    citations: list[_Citation]

    @classmethod
    def from_dict_list(cls, citations_dicts: list[dict[str, Any]]) -> Citations:
        return cls(citations=[Citation(**item) for item in citations_dicts])

    @classmethod
    def description(cls) -> str:
        return (
            "Citations with quoted text and source references. "
            "Include the exact text being cited and information about its source."
        )

    def format(self) -> list[dict[str, Any]]:
        return [citation.format() for citation in self.citations]

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if isinstance(data, list) and all(isinstance(item, dict) and "cited_text" in item for item in data):
            return {"citations": [Citation(**item) for item in data]}
        if isinstance(data, dict):
            if isinstance(data.get("citations"), list):
                return {
                    "citations": [
                        Citation(**item) if isinstance(item, dict) else item for item in data["citations"]
                    ]
                }
            if "cited_text" in data:
                return {"citations": [Citation(**data)]}
        raise ValueError(f"Received invalid value for `Citations`: {data}")

    def __iter__(self) -> Iterator[_Citation]:  # type: ignore[override]
        return iter(self.citations)

    def __len__(self) -> int:
        return len(self.citations)

    def __getitem__(self, index: int) -> _Citation:
        return self.citations[index]

    @classmethod
    def adapt_to_native_lm_feature(
        cls, signature: Any, field_name: str, lm: Any, lm_kwargs: dict[str, Any]
    ) -> Any:
        if str(getattr(lm, "model", "")).startswith("anthropic/"):
            return signature.delete(field_name)
        return signature

    @classmethod
    def is_streamable(cls) -> bool:
        return True

    @classmethod
    def parse_stream_chunk(cls, chunk: Any) -> Citations | None:
        try:
            delta = chunk.choices[0].delta
            fields = getattr(delta, "provider_specific_fields", None) or {}
            data = fields.get("citation")
            return cls.from_dict_list([data]) if data else None
        except Exception:
            return None

    @classmethod
    def parse_lm_response(cls, response: str | dict[str, Any]) -> Citations | None:
        if isinstance(response, dict) and isinstance(response.get("citations"), list):
            return cls.from_dict_list(response["citations"])
        return None


class Document(Type):
    """A document the LM may cite: its ``data`` (text, or base64 for a PDF), an optional
    ``title`` and ``context``; sent as a ``document`` content part with citations enabled."""

    data: str
    title: str | None = None
    media_type: Literal["text/plain", "application/pdf"] = "text/plain"
    context: str | None = None

    def format(self) -> list[dict[str, Any]]:
        block: dict[str, Any] = {
            "type": "document",
            "source": {
                "type": "base64" if self.media_type == "application/pdf" else "text",
                "media_type": self.media_type,
                "data": self.data,
            },
            "citations": {"enabled": True},
        }
        if self.title:
            block["title"] = self.title
        if self.context:
            block["context"] = self.context
        return [block]

    @classmethod
    def description(cls) -> str:
        return (
            "A document containing text content that can be referenced and cited. "
            "Include the full text content and optionally a title for proper referencing."
        )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, cls | dict):
            return data
        if isinstance(data, str):
            return {"data": data}
        raise ValueError(f"Received invalid value for `Document`: {data}")

    def __str__(self) -> str:
        title = f"'{self.title}': " if self.title else ""
        return f"Document({title}{len(self.data)} chars)"
