"""``ChatAdapter``: DSPy's ``[[ ## field ## ]]`` chat format, byte for byte."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.base import Adapter, complete_outputs
from dspex.adapters.chat_format import ChatFormat
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.formatting import output_type_hint, type_note
from dspex.adapters.json_adapter import JSONAdapter
from dspex.adapters.parsing import parse_value
from dspex.adapters.sections import COMPLETED, FIELD_HEADER, STRUCTURE_INTRO, format_sections

if TYPE_CHECKING:
    from dspex.signatures.field import FieldInfo
    from dspex.signatures.signature import Signature

__all__ = ["ChatAdapter"]


class ChatAdapter(ChatFormat):
    """Formats prompts as DSPy's ChatAdapter does and parses ``[[ ## name ## ]]`` sections.

    On a parse failure it retries once with :class:`JSONAdapter` unless
    ``use_json_adapter_fallback=False``.
    """

    name = "ChatAdapter"

    def _fallback(self) -> Adapter | None:
        return JSONAdapter() if self.use_json_adapter_fallback else None

    def format_field_structure(self, signature: type[Signature]) -> str:
        parts = [
            STRUCTURE_INTRO,
            format_sections({name: (f, type_note(name, f)) for name, f in signature.input_fields.items()}),
            format_sections({name: (f, type_note(name, f)) for name, f in signature.output_fields.items()}),
            f"{COMPLETED}\n",
        ]
        return "\n\n".join(parts).strip()

    def user_message_output_requirements(self, signature: type[Signature]) -> str:
        """The closing ``Respond with the corresponding output fields, ...`` sentence."""
        cache = signature._cache  # before reading the fields: see Adapter.format_system_message
        cached = cache.get("chat_requirements")
        if cached is None:
            fields = ", then ".join(
                f"`[[ ## {name} ## ]]`{output_type_hint(f)}" for name, f in signature.output_fields.items()
            )
            cached = (
                f"Respond with the corresponding output fields, starting with the field {fields}, "
                "and then ending with the marker for `[[ ## completed ## ]]`."
            )
            cache["chat_requirements"] = cached
        return cached

    def format_assistant_message_content(
        self, signature: type[Signature], outputs: Mapping[str, Any], missing_field_message: str | None = None
    ) -> str:
        body = format_sections(
            {
                name: (f, outputs.get(name, missing_field_message))
                for name, f in signature.output_fields.items()
            }
        )
        return f"{body}\n\n{COMPLETED}\n"

    def parse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        """Split the completion at ``[[ ## name ## ]]`` headers and coerce each output field."""
        fields: dict[str, Any] = {}
        outputs = signature.output_fields
        name: str | None = None  # the section being read (None: before the first header)
        lines: list[str] = []
        for line in completion.splitlines():
            stripped = line.strip()
            # The prefix test spares the regex on the (many) lines that cannot be a header.
            match = FIELD_HEADER.match(stripped) if stripped.startswith("[[ ## ") else None
            if match:
                if name is not None:
                    self._take(signature, completion, fields, outputs, name, lines)
                name = match.group(1)
                rest = line[match.end() :].strip()  # offset from the stripped line, as DSPy does
                lines = [rest] if rest else []
            else:
                lines.append(line)
        if name is not None:
            self._take(signature, completion, fields, outputs, name, lines)
        return complete_outputs(self.name, signature, fields, completion)

    def _take(
        self,
        signature: type[Signature],
        completion: str,
        fields: dict[str, Any],
        outputs: Mapping[str, FieldInfo],
        name: str,
        lines: list[str],
    ) -> None:
        """Coerce one section's text into ``fields`` (the first section of each output counts)."""
        if name in fields or name not in outputs:
            return
        text = "\n".join(lines).strip()
        annotation = outputs[name].annotation
        if annotation is str:  # what parse_value does for str, without the call
            fields[name] = text
            return
        try:
            fields[name] = parse_value(text, annotation)
        except ValueError as exc:
            raise AdapterParseError(
                adapter_name=self.name,
                signature=signature,
                lm_response=completion,
                message=f"Failed to parse field {name} with value {text!r}: {_short(exc)}",
                parsed_result=fields,
            ) from None


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()
    return " ".join(line.strip() for line in text[:3])
