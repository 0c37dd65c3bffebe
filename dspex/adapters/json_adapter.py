"""``JSONAdapter``: the same system prompt with JSON outputs, using structured output when the
provider supports it."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, get_origin

from dspex.adapters.base import Adapter, complete_outputs
from dspex.adapters.chat_format import ChatFormat
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.formatting import jsonable, output_type_hint, type_note
from dspex.adapters.parsing import load_jsonish, parse_value
from dspex.adapters.sections import STRUCTURE_INTRO, format_sections
from dspex.lm.errors import BadRequestError
from dspex.signatures.types import json_schema_of
from dspex.types.base import Type

if TYPE_CHECKING:
    from dspex.lm import LM, LMResponse
    from dspex.signatures.signature import Signature

__all__ = ["JSONAdapter", "structured_output_format"]

logger = logging.getLogger(__name__)

_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_JSON_MODE = {"type": "json_object"}


class JSONAdapter(ChatFormat):
    """Asks for a JSON object with the output fields.

    With ``structured=True`` (default) it sends ``response_format`` with the outputs' JSON
    schema to providers that support it (OpenAI-compatible servers, including the local
    llama.cpp server); when a signature can't be expressed as a strict schema (open-ended
    ``dict`` outputs) it asks for ``{"type": "json_object"}`` instead.
    """

    name = "JSONAdapter"

    def __init__(
        self,
        callbacks: list[Any] | None = None,
        use_native_function_calling: bool = True,
        parallel_tool_calls: bool | None = None,
        *,
        native_response_types: list[type[Type]] | None = None,
        structured: bool = True,
    ):
        super().__init__(
            callbacks=callbacks,
            use_native_function_calling=use_native_function_calling,
            native_response_types=native_response_types,
            use_json_adapter_fallback=False,
            parallel_tool_calls=parallel_tool_calls,
        )
        self.structured = structured

    def _fallback(self) -> Adapter | None:
        return None

    def _request(self, lm: LM, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> LMResponse:
        while True:
            try:
                return lm.request(messages, **kwargs)
            except BadRequestError as error:
                kwargs = _relaxed(kwargs, error)

    async def _arequest(self, lm: LM, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> LMResponse:
        while True:
            try:
                return await lm.arequest(messages, **kwargs)
            except BadRequestError as error:
                kwargs = _relaxed(kwargs, error)

    def prepare_lm_kwargs(self, lm: LM, signature: type[Signature], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Add ``response_format`` (the outputs' strict JSON schema) for OpenAI-compatible
        providers, unless ``structured=False`` or the call already sets one."""
        if (
            self.structured
            and "response_format" not in kwargs
            and getattr(lm, "provider", "") in ("openai", "local")
        ):
            kwargs["response_format"] = structured_output_format(signature)
        return kwargs

    def format_field_structure(self, signature: type[Signature]) -> str:
        parts = [
            STRUCTURE_INTRO,
            "Inputs will have the following structure:",
            format_sections({name: (f, type_note(name, f)) for name, f in signature.input_fields.items()}),
            "Outputs will be a JSON object with the following fields.",
            json.dumps(
                {name: type_note(name, f) for name, f in signature.output_fields.items()},
                indent=2,
                ensure_ascii=False,
            ),
        ]
        return "\n\n".join(parts).strip()

    def user_message_output_requirements(self, signature: type[Signature]) -> str:
        fields = ", then ".join(
            f"`{name}`{output_type_hint(f)}" for name, f in signature.output_fields.items()
        )
        return f"Respond with a JSON object in the following order of fields: {fields}."

    def format_assistant_message_content(
        self, signature: type[Signature], outputs: Mapping[str, Any], missing_field_message: str | None = None
    ) -> str:
        values = {name: outputs.get(name, missing_field_message) for name in signature.output_fields}
        return json.dumps(jsonable(values), indent=2, ensure_ascii=False)

    def parse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        data = load_jsonish(completion)
        if not isinstance(data, dict):
            match = _OBJECT.search(completion)
            data = load_jsonish(match.group(0)) if match else None
        if not isinstance(data, dict):
            raise AdapterParseError(
                adapter_name=self.name,
                signature=signature,
                lm_response=completion,
                message="The LM response is not a JSON object.",
            )
        fields: dict[str, Any] = {}
        for name, field in signature.output_fields.items():
            if name in data:
                try:
                    fields[name] = parse_value(data[name], field.annotation)
                except ValueError as exc:
                    raise AdapterParseError(
                        adapter_name=self.name,
                        signature=signature,
                        lm_response=completion,
                        message=f"Failed to parse field {name}: {str(exc).splitlines()[0]}",
                        parsed_result=fields,
                    ) from None
        return complete_outputs(self.name, signature, fields, completion)


def structured_output_format(signature: type[Signature]) -> dict[str, Any]:
    """An OpenAI ``response_format`` for the signature's outputs (strict JSON schema), or
    ``{"type": "json_object"}`` when an output is an open-ended mapping."""
    cache = signature._cache  # before reading the fields: see Adapter.format_system_message
    cached: dict[str, Any] | None = cache.get("json_response_format")
    if cached is not None:
        return cached
    if any(
        get_origin(f.annotation) is dict or f.annotation is dict for f in signature.output_fields.values()
    ):
        result: dict[str, Any] = dict(_JSON_MODE)
    else:
        result = {
            "type": "json_schema",
            "json_schema": {"name": "DSPexOutputs", "strict": True, "schema": _outputs_schema(signature)},
        }
    cache["json_response_format"] = result
    return result


def _outputs_schema(signature: type[Signature]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for name, field in signature.output_fields.items():
        schema = dict(json_schema_of(field.annotation))
        defs.update(schema.pop("$defs", {}))
        properties[name] = schema
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    _strict(schema)
    return schema


def _relaxed(kwargs: dict[str, Any], error: BadRequestError) -> dict[str, Any]:
    """The request options to try after the provider refused ``kwargs`` with a 4xx: a JSON schema
    becomes JSON mode, JSON mode becomes no ``response_format`` (the prompt still asks for JSON).
    Re-raises ``error`` when there is nothing left to relax."""
    response_format = kwargs.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "json_schema":
        relaxed = {**kwargs, "response_format": dict(_JSON_MODE)}
    elif kind == "json_object":
        relaxed = {k: v for k, v in kwargs.items() if k != "response_format"}
    else:
        raise error
    logger.warning("%s; retrying with response_format=%s", error.message, relaxed.get("response_format"))
    return relaxed


def _strict(schema: dict[str, Any]) -> None:
    if schema.get("type") == "object":
        props = schema.setdefault("properties", {})
        schema["required"] = list(props)
        schema["additionalProperties"] = False
        for sub in props.values():
            if isinstance(sub, dict):
                _strict(sub)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _strict(schema["items"])
    for sub in schema.get("$defs", {}).values():
        _strict(sub)
