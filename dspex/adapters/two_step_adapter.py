"""``TwoStepAdapter``: a plain prompt for the main LM, then a second LM extracts the outputs.

Meant for reasoning models that answer well but follow output formats badly: the main LM gets
the task in prose (DSPy's wording, byte for byte) and answers freely; the ``extraction_model``
then reads that answer with the :class:`ChatAdapter` (signature ``text -> <the outputs>``) and
returns the typed fields. Both LMs are called DSPy-style, ``lm(messages=[...], **kwargs)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.base import Adapter
from dspex.adapters.chat_adapter import ChatAdapter
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.formatting import field_descriptions
from dspex.adapters.json_adapter import JSONAdapter
from dspex.lm import LM
from dspex.lm.base import BaseLM
from dspex.signatures.field import InputField
from dspex.signatures.signature import make_signature

if TYPE_CHECKING:
    from dspex.signatures.signature import Signature

__all__ = ["TwoStepAdapter"]


class TwoStepAdapter(Adapter):
    """Ask the main LM in prose, then let ``extraction_model`` pull out the output fields."""

    name = "TwoStepAdapter"

    def __init__(self, extraction_model: Any, **kwargs: Any):
        super().__init__(**kwargs)
        if not isinstance(extraction_model, LM | BaseLM):
            raise ValueError("extraction_model must be an LM (a dspex.LM or a dspex BaseLM)")
        self.extraction_model = extraction_model

    # -- the first step: a prose prompt -------------------------------------------------------
    def format(
        self, signature: type[Signature], demos: list[Any], inputs: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """The task description as the system message, the demos, then the inputs."""
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.format_task_description(signature)}
        ]
        messages.extend(self.format_demos(signature, demos))
        messages.append({"role": "user", "content": self.format_user_message_content(signature, inputs)})
        return messages

    def format_task_description(self, signature: type[Signature]) -> str:
        lines = [
            "You are a helpful assistant that can solve tasks based on user input.",
            "As input, you will be provided with:\n" + field_descriptions(signature.input_fields),
            "Your outputs must contain:\n" + field_descriptions(signature.output_fields),
            "You should lay out your outputs in detail so that your answer can be understood by another "
            "agent",
        ]
        if signature.instructions:
            lines.append(f"Specific instructions: {signature.instructions}")
        return "\n".join(lines)

    def format_user_message_content(
        self,
        signature: type[Signature],
        inputs: Mapping[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        """``name: value`` paragraphs (``main_request`` adds nothing: the prompt asks no format)."""
        parts = [prefix]
        parts.extend(f"{name}: {inputs.get(name, '')}" for name in signature.input_fields if name in inputs)
        parts.append(suffix)
        return "\n\n".join(parts).strip()

    def format_assistant_message_content(
        self, signature: type[Signature], outputs: Mapping[str, Any], missing_field_message: str | None = None
    ) -> str:
        return "\n\n".join(
            f"{name}: {outputs.get(name, missing_field_message)}"
            for name in signature.output_fields
            if name in outputs
        ).strip()

    # -- the call -----------------------------------------------------------------------------
    def __call__(
        self,
        lm: Any,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        """Ask the main LM, then extract the outputs of every completion it gave."""
        outputs = lm(messages=self.format(signature, demos, inputs), **lm_kwargs)
        return [self.parse(signature, _text(output)) for output in outputs]

    async def acall(
        self,
        lm: Any,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        """Async :meth:`__call__` (both LMs through ``acall``)."""
        outputs = await lm.acall(messages=self.format(signature, demos, inputs), **lm_kwargs)
        return [await self.aparse(signature, _text(output)) for output in outputs]

    # -- the second step: extraction ----------------------------------------------------------
    def parse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        """Extract the output fields from the main LM's ``completion`` with the extraction model
        (ChatAdapter format, the JSONAdapter if that does not parse)."""
        extractor = extractor_signature(signature)
        inputs = {"text": completion}
        try:
            try:
                return _extract(ChatAdapter(), self.extraction_model, extractor, inputs)
            except AdapterParseError:
                return _extract(JSONAdapter(), self.extraction_model, extractor, inputs)
        except AdapterParseError as error:
            raise self._failed(signature, completion, error) from error

    async def aparse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        """Async :meth:`parse`."""
        extractor = extractor_signature(signature)
        inputs = {"text": completion}
        try:
            try:
                return await _aextract(ChatAdapter(), self.extraction_model, extractor, inputs)
            except AdapterParseError:
                return await _aextract(JSONAdapter(), self.extraction_model, extractor, inputs)
        except AdapterParseError as error:
            raise self._failed(signature, completion, error) from error

    def _failed(
        self, signature: type[Signature], completion: str, error: AdapterParseError
    ) -> AdapterParseError:
        return AdapterParseError(
            adapter_name=self.name,
            signature=signature,
            lm_response=completion,
            message=f"Failed to parse response from the original completion: {error}",
        )


def extractor_signature(signature: type[Signature]) -> type[Signature]:
    """``text -> <signature's outputs>`` with DSPy's extraction instructions."""
    fields: dict[str, Any] = {"text": (str, InputField())}
    fields.update({name: (field.annotation, field) for name, field in signature.output_fields.items()})
    names = ", ".join(f"`{name}`" for name in signature.output_fields)
    # DSPy's wording, including the run of spaces its source line continuation leaves in it.
    instructions = (
        f"The input is a text that should contain all the necessary information to produce the fields "
        f"{names}.             Your job is to extract the fields from the text verbatim. Extract "
        "precisely the appropriate value (content) for each field."
    )
    return make_signature(fields, instructions)


def _text(output: Any) -> str:
    return str(output["text"]) if isinstance(output, dict) else str(output)


def _extract(adapter: Adapter, lm: Any, signature: type[Signature], inputs: dict[str, Any]) -> dict[str, Any]:
    messages = adapter.format(signature, [], inputs)
    kwargs = adapter.prepare_lm_kwargs(lm, signature, {})
    outputs = lm(messages=messages, **kwargs)
    return adapter.parse_outputs(signature, [_text(output) for output in outputs])[0]


async def _aextract(
    adapter: Adapter, lm: Any, signature: type[Signature], inputs: dict[str, Any]
) -> dict[str, Any]:
    messages = adapter.format(signature, [], inputs)
    kwargs = adapter.prepare_lm_kwargs(lm, signature, {})
    outputs = await lm.acall(messages=messages, **kwargs)
    return adapter.parse_outputs(signature, [_text(output) for output in outputs])[0]
