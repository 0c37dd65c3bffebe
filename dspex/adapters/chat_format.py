"""``ChatFormat``: the base of the ChatAdapter and the JSONAdapter — both describe the fields the
same way, write the inputs as ``[[ ## name ## ]]`` sections, and can follow output sections while
a completion streams in. They differ in how outputs are laid out and parsed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.base import Adapter
from dspex.adapters.chat_stream import ChatFieldStream
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.formatting import field_descriptions, format_value

if TYPE_CHECKING:
    from dspex.lm import LM
    from dspex.signatures.signature import Signature

__all__ = ["ChatFormat"]


class ChatFormat(Adapter):
    """Field descriptions, input sections and streamed output sections (see the module doc)."""

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
        kwargs = dict(lm_kwargs)
        if self._call_preprocess(lm, kwargs, signature, inputs) is not signature:
            # native features (tool calls, native reasoning) come with the whole response
            return await self.acall(lm, lm_kwargs, signature, demos, inputs)
        messages = self.format(signature, demos, inputs)
        kwargs = self._request_kwargs(lm, signature, kwargs)
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
                value = inputs.get(name)
                # section(name, format_value(field, value)), two calls less for the usual str value
                text = value if type(value) is str else format_value(field, value)
                parts.append(f"[[ ## {name} ## ]]\n{text}")
        if main_request:
            parts.append(self.user_message_output_requirements(signature))
        parts.append(suffix)
        return "\n\n".join(parts).strip()

    def user_message_output_requirements(self, signature: type[Signature]) -> str:
        """The closing sentence of the request: how to lay out the outputs."""
        raise NotImplementedError
