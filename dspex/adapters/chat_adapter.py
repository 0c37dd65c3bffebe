"""``ChatAdapter``: DSPy's ``[[ ## field ## ]]`` chat format, byte for byte."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.base import Adapter, complete_outputs
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.formatting import field_descriptions, format_value, output_type_hint, type_note
from dspex.adapters.parsing import parse_value

if TYPE_CHECKING:
    from dspex.lm import LM
    from dspex.signatures.field import FieldInfo
    from dspex.signatures.signature import Signature

__all__ = ["ChatAdapter"]

FIELD_HEADER = re.compile(r"\[\[ ## (\w+) ## \]\]")
STRUCTURE_INTRO = (
    "All interactions will be structured in the following way, with the appropriate values filled in."
)


class ChatAdapter(Adapter):
    """Formats prompts as DSPy's ChatAdapter does and parses ``[[ ## name ## ]]`` sections.

    On a parse failure it retries once with :class:`JSONAdapter` unless
    ``use_json_adapter_fallback=False``.
    """

    name = "ChatAdapter"

    def _fallback(self) -> Adapter | None:
        if not self.use_json_adapter_fallback:
            return None
        from dspex.adapters.json_adapter import JSONAdapter

        return JSONAdapter()

    async def astream_call(
        self,
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
        on_chunk: Callable[[str, str], None],
    ) -> list[dict[str, Any]]:
        """:meth:`acall` over the LM's token stream: each output section's text goes to
        ``on_chunk(field, text)`` as it arrives; the whole completion is then parsed as usual, so
        the result equals the non-streamed one (a parse failure falls back like :meth:`acall`)."""
        if not hasattr(lm, "astream"):
            return await self.acall(lm, lm_kwargs, signature, demos, inputs)
        from dspex.streaming.chat_fields import ChatFieldStream

        messages = self.format(signature, demos, inputs)
        kwargs = self.prepare_lm_kwargs(lm, signature, dict(lm_kwargs))
        fields = ChatFieldStream(signature.output_fields)
        parts: list[str] = []
        try:
            async for delta in lm.astream(messages, **kwargs):
                parts.append(delta)
                for name, text in fields.feed(delta):
                    on_chunk(name, text)
            for name, text in fields.close():
                on_chunk(name, text)
            return self.parse_outputs(signature, ["".join(parts)])
        except AdapterParseError:
            fallback = self._fallback()
            if fallback is None:
                raise
            return await fallback.acall(lm, lm_kwargs, signature, demos, inputs)

    def format_field_description(self, signature: type[Signature]) -> str:
        return (
            f"Your input fields are:\n{field_descriptions(signature.input_fields)}\n"
            f"Your output fields are:\n{field_descriptions(signature.output_fields)}"
        )

    def format_field_structure(self, signature: type[Signature]) -> str:
        parts = [
            STRUCTURE_INTRO,
            _sections({name: (f, type_note(name, f)) for name, f in signature.input_fields.items()}),
            _sections({name: (f, type_note(name, f)) for name, f in signature.output_fields.items()}),
            "[[ ## completed ## ]]\n",
        ]
        return "\n\n".join(parts).strip()

    def format_user_message_content(
        self,
        signature: type[Signature],
        inputs: Mapping[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        parts = [prefix]
        for name, field in signature.input_fields.items():
            if name in inputs:
                parts.append(f"[[ ## {name} ## ]]\n{format_value(field, inputs.get(name))}")
        if main_request:
            parts.append(self.user_message_output_requirements(signature))
        parts.append(suffix)
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
        body = _sections(
            {
                name: (f, outputs.get(name, missing_field_message))
                for name, f in signature.output_fields.items()
            }
        )
        return body + "\n\n[[ ## completed ## ]]\n"

    def parse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        """Split the completion at ``[[ ## name ## ]]`` headers and coerce each output field."""
        sections: list[tuple[str | None, list[str]]] = [(None, [])]
        for line in completion.splitlines():
            match = FIELD_HEADER.match(line.strip())
            if match:
                rest = line[match.end() :].strip()  # offset from the stripped line, as DSPy does
                sections.append((match.group(1), [rest] if rest else []))
            else:
                sections[-1][1].append(line)
        fields: dict[str, Any] = {}
        outputs = signature.output_fields
        for name, lines in sections:
            if name is None or name in fields or name not in outputs:
                continue
            text = "\n".join(lines).strip()
            try:
                fields[name] = parse_value(text, outputs[name].annotation)
            except ValueError as exc:
                raise AdapterParseError(
                    adapter_name=self.name,
                    signature=signature,
                    lm_response=completion,
                    message=f"Failed to parse field {name} with value {text!r}: {_short(exc)}",
                    parsed_result=fields,
                ) from None
        return complete_outputs(self.name, signature, fields, completion)


def _sections(values: Mapping[str, tuple[FieldInfo, Any]]) -> str:
    return "\n\n".join(f"[[ ## {name} ## ]]\n{format_value(f, v)}" for name, (f, v) in values.items()).strip()


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()
    return " ".join(line.strip() for line in text[:3])
