"""``ChatAdapter``: DSPy's ``[[ ## field ## ]]`` chat format, byte for byte."""

from __future__ import annotations

import re
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
    from dspex.signatures.signature import Signature

__all__ = ["ChatAdapter"]


class ChatAdapter(ChatFormat):
    """Formats prompts as DSPy's ChatAdapter does and parses ``[[ ## name ## ]]`` sections.

    On a parse failure it retries once with :class:`JSONAdapter` unless
    ``use_json_adapter_fallback=False``.
    """

    name = "ChatAdapter"

    def _fallback(self) -> Adapter | None:
        if not self.use_json_adapter_fallback:
            return None
        return JSONAdapter(
            callbacks=self.callbacks,
            use_native_function_calling=self.use_native_function_calling,
            native_response_types=self.native_response_types,
            parallel_tool_calls=self.parallel_tool_calls,
        )

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
        for name, text in _sections(completion):
            if name in fields or name not in outputs:
                continue
            annotation = outputs[name].annotation
            if annotation is str:  # what parse_value does for str, without the call
                fields[name] = text
                continue
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
        return complete_outputs(self.name, signature, fields, completion)


# The line breaks of str.splitlines() other than "\n". A completion without them (nearly all) is
# split by one regular expression over the whole text instead of line by line.
_OTHER_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# A header line (FIELD_HEADER after whitespace; groups: that whitespace, the name, the rest of the
# line) with its line break: splitting at these leaves, after each, the text up to the next one.
_HEADER_LINE = re.compile(r"^([^\S\n]*)\[\[ ## (\w+) ## \]\]([^\n]*)\n?", re.MULTILINE)
_HEADER_LENGTH = len("[[ ##  ## ]]")  # without the name


def _sections(completion: str) -> list[tuple[str, str]]:
    """``(name, text)`` of each section, in order: a section is a header line (its rest, if any,
    is the first line of the text) and the lines up to the next header, joined with ``"\n"`` and
    stripped. A line is a header when it starts, once stripped, with ``[[ ## name ## ]]``."""
    if _OTHER_LINE_BREAKS.search(completion) is not None:
        return _sections_by_line(completion)
    parts = _HEADER_LINE.split(completion)  # text before the first header, then 4 per header
    sections = []
    for lead, name, rest, body in zip(parts[1::4], parts[2::4], parts[3::4], parts[4::4], strict=True):
        if lead:  # cut at the header's length from the start of the line, as DSPy does
            rest = f"{lead}[[ ## {name} ## ]]{rest}"[_HEADER_LENGTH + len(name) :]
        rest = rest.strip()
        sections.append((name, f"{rest}\n{body}".strip() if rest else body.strip()))
    return sections


def _sections_by_line(completion: str) -> list[tuple[str, str]]:
    """:func:`_sections` for any text, line by line (``str.splitlines``)."""
    sections: list[tuple[str, list[str]]] = []
    lines: list[str] = []  # before the first header: not a section
    for line in completion.splitlines():
        match = FIELD_HEADER.match(line.strip())
        if match:
            rest = line[match.end() :].strip()  # offset from the stripped line, as DSPy does
            lines = [rest] if rest else []
            sections.append((match.group(1), lines))
        else:
            lines.append(line)
    return [(name, "\n".join(lines).strip()) for name, lines in sections]


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()
    return " ".join(line.strip() for line in text[:3])
