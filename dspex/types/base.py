"""``Type``: the base of values that write themselves into a message as content parts.

A custom type (an image, a file, an audio clip, a document...) is a pydantic model whose
:meth:`Type.format` returns the provider content parts it stands for (OpenAI-style
``{"type": "image_url", ...}`` dicts), or a plain string. Adapters render field values as text
first; a custom type's JSON form is a *marker*: its content parts as JSON between
:data:`CUSTOM_TYPE_START` and :data:`CUSTOM_TYPE_END`. :func:`expand_custom_type_markers` then
splits each user message holding markers into a list of content parts, so the parts land in the
message exactly where the field's value is (DSPy's layout).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, get_args, get_origin

import pydantic

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "CUSTOM_TYPE_END",
    "CUSTOM_TYPE_START",
    "Type",
    "custom_types_in",
    "expand_custom_type_markers",
    "without_description",
]

CUSTOM_TYPE_START = "<<CUSTOM-TYPE-START-IDENTIFIER>>"
CUSTOM_TYPE_END = "<<CUSTOM-TYPE-END-IDENTIFIER>>"
_MARKER = re.compile(re.escape(CUSTOM_TYPE_START) + "(.*?)" + re.escape(CUSTOM_TYPE_END), re.DOTALL)


def without_description(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of the types: their docstrings are for readers, not for the LM
    (a type's JSON schema is shown in prompts; :meth:`Type.description` is what the LM reads)."""
    schema.pop("description", None)


class Type(pydantic.BaseModel):
    """Base class of custom field types (see the module doc).

    Subclasses implement :meth:`format`; they may describe themselves to the LM
    (:meth:`description`, shown under the field in the system message) and take part in
    native LM features (:meth:`adapt_to_native_lm_feature`, :meth:`parse_lm_response`,
    :meth:`parse_stream_chunk`).
    """

    model_config = pydantic.ConfigDict(json_schema_extra=without_description)

    def format(self) -> list[dict[str, Any]] | str:
        """The content parts (or the text) this value stands for in a message."""
        raise NotImplementedError

    @classmethod
    def description(cls) -> str:
        """A sentence about the type for the field description ("" for none)."""
        return ""

    @classmethod
    def extract_custom_type_from_annotation(cls, annotation: Any) -> list[type[Type]]:
        """Every subclass of ``cls`` named in ``annotation``, however deep (``list[dict[str, X]]``)."""
        return custom_types_in(annotation, cls)

    @pydantic.model_serializer()
    def serialize_model(self) -> Any:
        """JSON form: the marker around the content parts, or the text for a text-only type."""
        formatted = self.format()
        if isinstance(formatted, list):
            return f"{CUSTOM_TYPE_START}{json.dumps(formatted, ensure_ascii=False)}{CUSTOM_TYPE_END}"
        return formatted

    @classmethod
    def adapt_to_native_lm_feature(
        cls, signature: Any, field_name: str, lm: Any, lm_kwargs: dict[str, Any]
    ) -> Any:
        """The signature to format when the LM handles this output natively (default: unchanged).

        May update ``lm_kwargs`` in place (e.g. to turn on the provider's feature)."""
        return signature

    @classmethod
    def is_streamable(cls) -> bool:
        """Whether stream chunks can carry values of this type."""
        return False

    @classmethod
    def parse_stream_chunk(cls, chunk: Any) -> Any:
        """The value a stream chunk carries for this type, or ``None``."""
        return None

    @classmethod
    def parse_lm_response(cls, response: str | dict[str, Any]) -> Self | None:
        """The value an LM output (text, or a dict with provider fields) carries, or ``None``."""
        return None


def custom_types_in(annotation: Any, base: type[Type] = Type) -> list[type[Type]]:
    """The subclasses of ``base`` named in ``annotation`` (itself or inside its arguments)."""
    try:
        if isinstance(annotation, type) and issubclass(annotation, base):
            return [annotation]
    except TypeError:  # a generic alias that passes isinstance(..., type) on some Pythons
        pass
    if get_origin(annotation) is None:
        return []
    found: list[type[Type]] = []
    for arg in get_args(annotation):
        found.extend(custom_types_in(arg, base))
    return found


def expand_custom_type_markers(message: dict[str, Any]) -> dict[str, Any]:
    """A user message whose text holds markers, as a new message with its content split into
    content parts. Other messages (and user messages without markers) come back as they are."""
    content = message.get("content")
    if message.get("role") != "user" or not isinstance(content, str) or CUSTOM_TYPE_START not in content:
        return message
    parts: list[dict[str, Any]] = []
    end = 0
    for match in _MARKER.finditer(content):
        if match.start() > end:
            parts.append({"type": "text", "text": content[end : match.start()]})
        parts.extend(_payload_parts(match.group(1).strip()))
        end = match.end()
    if end < len(content):
        parts.append({"type": "text", "text": content[end:]})
    return {**message, "content": parts}


def _payload_parts(payload: str) -> list[dict[str, Any]]:
    parsed = _load_payload(payload)
    if isinstance(parsed, list):
        return [part if isinstance(part, dict) else {"type": "text", "text": str(part)} for part in parsed]
    return [{"type": "text", "text": payload}]


def _load_payload(payload: str) -> Any:
    """The parts in a marker: JSON, or JSON escaped once more (a marker inside a JSON string,
    as in a ``list[Image]`` value)."""
    try:
        return json.loads(payload)
    except ValueError:
        pass
    try:
        return json.loads(json.loads(f'"{payload}"'))
    except ValueError:
        return None
