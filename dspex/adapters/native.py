"""Native LM features an adapter can hand a signature's fields to: function calling (a
``list[Tool]`` input and a ``ToolCalls`` output become the request's ``tools`` and the
response's tool calls) and native response types (``Reasoning``, ``Citations``: the type
decides, per LM, whether the provider fills the field)."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, get_args, get_origin

from dspex.lm.response import MESSAGE_EXTRAS
from dspex.tools import Tool
from dspex.types.base import Type
from dspex.types.tool_calls import ToolCalls, normalize_tool_call

if TYPE_CHECKING:
    from dspex.signatures.signature import Signature

__all__ = [
    "TOOL_KWARGS",
    "output_details",
    "tool_calls_output_name",
    "tools_input_name",
]

TOOL_KWARGS = ("tools", "tool_choice", "parallel_tool_calls")
"""The request options of function calling (dropped when the adapter does not use it)."""


def tools_input_name(signature: type[Signature]) -> str | None:
    """The input field holding the tools (``Tool`` or ``list[Tool]``)."""
    for name, field in signature.input_fields.items():
        annotation = field.annotation
        if annotation is Tool or (get_origin(annotation) is list and get_args(annotation)[:1] == (Tool,)):
            return name
    return None


def tool_calls_output_name(signature: type[Signature]) -> str | None:
    """The output field of type ``ToolCalls``."""
    for name, field in signature.output_fields.items():
        if field.annotation is ToolCalls:
            return name
    return None


_native_fields: weakref.WeakKeyDictionary[type, tuple[tuple[str, type[Type]], ...]] = (
    weakref.WeakKeyDictionary()
)


def native_response_fields(
    signature: type[Signature], types: list[type[Type]]
) -> list[tuple[str, type[Type]]]:
    """``(name, type)`` of the outputs whose type is one of the native response ``types``."""
    # The outputs of a custom type, per signature class (immutable; asked on every call).
    typed = _native_fields.get(signature)
    if typed is None:
        typed = _native_fields[signature] = tuple(
            (name, field.annotation)
            for name, field in signature.output_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, Type)
        )
    return [(name, kind) for name, kind in typed if kind in types] if typed else []


def supports_function_calling(lm: Any) -> bool:
    """Whether ``lm`` takes ``tools`` (its ``supports_function_calling``; the engine's
    OpenAI-compatible LMs do)."""
    value = getattr(lm, "supports_function_calling", None)
    if value is None:
        return getattr(lm, "provider", "") in ("openai", "local")
    return bool(value)


def output_details(response: Any) -> list[str | dict[str, Any]]:
    """Each completion of an :class:`~dspex.lm.LMResponse`: its text, or, when the provider's
    body carries more (tool calls, reasoning text, citations), a dict with ``text`` and those."""
    raw = getattr(response, "raw", None)
    choices = raw.get("choices") if isinstance(raw, Mapping) else None
    outputs: list[str | dict[str, Any]] = list(response.outputs)
    if not isinstance(choices, list) or len(choices) != len(outputs):
        return outputs
    for index, choice in enumerate(choices):
        message = choice.get("message") if isinstance(choice, Mapping) else None
        if not isinstance(message, Mapping):
            continue
        extra = {key: message[key] for key in MESSAGE_EXTRAS if message.get(key) is not None}
        if extra:
            outputs[index] = {"text": message.get("content"), **extra}
    return outputs


def tool_calls_of(calls: list[Any]) -> ToolCalls:
    """The provider's tool calls (any shape :func:`normalize_tool_call` reads) as ``ToolCalls``."""
    return ToolCalls.from_dict_list([normalize_tool_call(call) for call in calls])
