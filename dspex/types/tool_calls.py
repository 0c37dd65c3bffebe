"""``ToolCalls`` (the calls an LM asks for) and ``ToolCallResults`` (what they returned)."""

from __future__ import annotations

import ast
import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import pydantic

from dspex.types.base import Type, without_description

__all__ = ["ToolCall", "ToolCallResult", "ToolCallResults", "ToolCalls", "normalize_tool_call"]


class ToolCall(Type):
    """One call: the tool's ``name``, its ``args`` and the provider's call ``id`` (if any)."""

    id: str | None = None
    name: str
    args: dict[str, Any] = pydantic.Field(json_schema_extra={"additionalProperties": True})

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler.resolve_ref_schema(super().__get_pydantic_json_schema__(core_schema, handler))
        _drop_property(schema, "id")
        return dict(schema)

    def format(self) -> dict[str, Any]:  # type: ignore[override]
        return {"name": self.name, "args": self.args}

    def execute(self, functions: Mapping[str, Any] | list[Any] | None = None) -> Any:
        """Run the call: the function comes from ``functions`` (a name → function dict, or a
        list of tools), else from the caller's local and global names."""
        func: Callable[..., Any] | None = None
        if functions is None:
            frame = inspect.currentframe()
            caller = frame.f_back if frame is not None else None
            if caller is not None:
                func = caller.f_locals.get(self.name) or caller.f_globals.get(self.name)
            del frame, caller
        elif isinstance(functions, Mapping):
            func = functions.get(self.name)
        else:
            for tool in functions:
                if getattr(tool, "name", None) == self.name:
                    func = tool.func
                    break
        if func is None:
            raise ValueError(
                f"Tool function '{self.name}' not found. "
                "Please pass the tool functions to the `execute` method."
            )
        try:
            return func(**(self.args or {}))
        except Exception as exc:
            raise RuntimeError(f"Error executing tool '{self.name}': {exc}") from exc


_Call = ToolCall  # the field types below (inside the classes, the names are the class attributes)


class ToolCalls(Type):
    """The tool calls of one LM turn (``tool_calls``), with their results once run.

    As an output field it is filled from the provider's native tool calls when the adapter uses
    native function calling, and parsed from ``{"tool_calls": [{"name", "args"}]}`` text otherwise.
    """

    ToolCall: ClassVar[type[ToolCall]] = ToolCall

    tool_calls: list[_Call]
    tool_call_results: Any | None = None

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler.resolve_ref_schema(super().__get_pydantic_json_schema__(core_schema, handler))
        _drop_property(schema, "tool_call_results")
        return dict(schema)

    @classmethod
    def from_dict_list(cls, tool_calls_dicts: list[dict[str, Any]]) -> ToolCalls:
        """From ``[{"name": ..., "args": {...}}, ...]`` (provider-shaped dicts work too)."""
        return cls(tool_calls=[ToolCall(**normalize_tool_call(item)) for item in tool_calls_dicts])

    @classmethod
    def description(cls) -> str:
        return (
            "Tool calls must be a JSON object with `tool_calls`, a list of calls. "
            "Each call must include `name` and `args`. "
            'Example: {"tool_calls": [{"name": "search", "args": {"query": "cats"}}]}'
        )

    def format(self) -> dict[str, Any]:  # type: ignore[override]
        return {"tool_calls": [call.format() for call in self.tool_calls]}

    @pydantic.model_serializer()
    def serialize_model(self) -> Any:
        data = self.format()
        if self.tool_call_results is not None:
            data["tool_call_results"] = pydantic.TypeAdapter(type(self.tool_call_results)).dump_python(
                self.tool_call_results, mode="json"
            )
        return data

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if isinstance(data, list) and all(isinstance(item, dict) and _is_call(item) for item in data):
            return {"tool_calls": [ToolCall(**normalize_tool_call(item)) for item in data]}
        if isinstance(data, dict):
            if isinstance(data.get("tool_calls"), list):
                normalized: dict[str, Any] = {
                    "tool_calls": [
                        ToolCall(**normalize_tool_call(item)) if isinstance(item, dict) else item
                        for item in data["tool_calls"]
                    ]
                }
                if "tool_call_results" in data:
                    normalized["tool_call_results"] = data["tool_call_results"]
                return normalized
            if "tool_calls" not in data and _is_call(data):
                return {"tool_calls": [ToolCall(**normalize_tool_call(data))]}
        raise ValueError(f"Received invalid value for `dspy.ToolCalls`: {data}")


class ToolCallResult(pydantic.BaseModel):
    """What one call returned (``value``), for the call ``call_id`` of tool ``name``."""

    model_config = pydantic.ConfigDict(json_schema_extra=without_description)

    call_id: str | None = None
    name: str
    value: Any
    is_error: bool = False


_Result = ToolCallResult


class ToolCallResults(pydantic.BaseModel):
    """The results of a turn's tool calls, in the calls' order."""

    model_config = pydantic.ConfigDict(json_schema_extra=without_description)

    ToolCallResult: ClassVar[type[ToolCallResult]] = ToolCallResult

    tool_call_results: list[_Result]

    @classmethod
    def from_tool_calls_and_values(
        cls,
        tool_calls: list[ToolCall] | ToolCalls,
        values: list[Any],
        is_errors: list[bool] | None = None,
    ) -> ToolCallResults:
        """Pair each call with its value (and whether it is an error)."""
        calls = tool_calls.tool_calls if isinstance(tool_calls, ToolCalls) else tool_calls
        if len(calls) != len(values):
            raise ValueError("`tool_calls` and `values` must have the same length.")
        if is_errors is None:
            is_errors = [False] * len(calls)
        elif len(is_errors) != len(calls):
            raise ValueError("`is_errors` must have the same length as `tool_calls` when provided.")
        return cls(
            tool_call_results=[
                ToolCallResult(call_id=call.id, name=call.name, value=value, is_error=error)
                for call, value, error in zip(calls, values, is_errors, strict=True)
            ]
        )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if isinstance(data, list):
            return {"tool_call_results": data}
        if isinstance(data, dict):
            if "tool_call_results" in data:
                return data
            if {"name", "value"} <= data.keys():
                return {"tool_call_results": [data]}
        raise ValueError(f"Received invalid value for `dspy.ToolCallResults`: {data}")


def _drop_property(schema: dict[str, Any], name: str) -> None:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        properties.pop(name, None)
    required = schema.get("required")
    if isinstance(required, list):
        schema["required"] = [field for field in required if field != name]


def _is_call(data: Mapping[str, Any]) -> bool:
    return ("name" in data and ("args" in data or "arguments" in data)) or "function" in data


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else getattr(value, key, None)


def _decode_arguments(text: str) -> Any:
    """JSON arguments; a Python literal (e.g. JSON with a trailing comma) read safely
    otherwise; ``{}`` when neither."""
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return {}


def normalize_tool_call(call: Any) -> dict[str, Any]:
    """``{"id", "name", "args"}`` of a tool call in dspy's shape (``name``/``args``), the
    OpenAI chat shape (``function: {name, arguments}``) or the Responses shape (``call_id``,
    ``name``, ``arguments``), as a dict or an SDK object. JSON ``arguments`` are decoded."""
    function = _field(call, "function")
    if function is not None and not isinstance(function, Mapping) and not hasattr(function, "name"):
        raise ValueError(f"Received invalid function value for `dspy.ToolCalls`: {function}")
    source = function if function is not None else call
    arguments = _field(source, "arguments")
    if arguments is None:
        arguments = _field(call, "args") if function is None else _field(call, "arguments")
    if isinstance(arguments, str):
        arguments = _decode_arguments(arguments)
    if not isinstance(arguments, dict):
        arguments = {}
    return {
        "id": _field(call, "call_id") or _field(call, "id"),
        "name": _field(source, "name") or _field(call, "name"),
        "args": arguments,
    }
