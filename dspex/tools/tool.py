"""``Tool``: a Python callable an agent can call, with a JSON schema of its arguments."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, get_type_hints

import pydantic
import pydantic_core

from dspex.callbacks import active_callbacks, aobserve, callbacks_enabled, observe
from dspex.signatures.types import annotation_name, type_adapter
from dspex.tools.docstrings import parse_docstring

__all__ = ["Tool", "ToolArgumentError"]

_JSON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}


class ToolArgumentError(ValueError):
    """The arguments given to a tool do not fit its signature (unknown, missing or mistyped)."""

    def __init__(self, tool: str, message: str, argument: str | None = None):
        self.tool = tool
        self.argument = argument
        super().__init__(message)


class Tool:
    """Wrap a function (sync or ``async``) so that an LM can call it.

    The name, description and argument schema come from the function unless given: the name
    from ``__name__``, the description from the docstring, one JSON schema per argument from its
    type hint (plus its default), and per-argument descriptions from a Google (``Args:``), NumPy
    (``Parameters``) or Sphinx (``:param x:``) section of the docstring. When the docstring has
    such sections, ``desc`` is the text before them; otherwise it is the docstring as written
    (which is what DSPy shows, so prompts stay identical).

    Calling the tool checks the arguments (unknown, missing, wrong type) and coerces them to the
    hinted types (``"3"`` -> ``3`` for an ``int``), raising :class:`ToolArgumentError`.

    Example::

        def add(a: int, b: int = 1) -> int:
            '''Add two numbers.

            Args:
                a: The first number.
                b: The second number.
            '''
            return a + b

        tool = dspex.Tool(add)
        tool.args   # {'a': {'type': 'integer', 'description': 'The first number.'}, 'b': {...}}
        tool(a="2") # 3
    """

    def __init__(
        self,
        func: Callable[..., Any],
        name: str | None = None,
        desc: str | None = None,
        args: dict[str, Any] | None = None,
        arg_types: dict[str, Any] | None = None,
        arg_desc: dict[str, str] | None = None,
    ):
        if not callable(func):
            raise TypeError(f"a Tool wraps a callable, got {type(func).__name__}")
        self.func = func
        target = func if inspect.isfunction(func) or inspect.ismethod(func) else type(func).__call__
        raw_doc = getattr(func, "__doc__", None) or getattr(target, "__doc__", None) or None
        parsed = parse_docstring(raw_doc)
        descriptions = {**parsed.args, **(arg_desc or {})}
        self.name: str = name or getattr(func, "__name__", None) or type(func).__name__
        if desc is not None:
            self.desc: str | None = desc
        else:
            self.desc = parsed.summary if parsed.has_sections else raw_doc
        parameters = self._parameters(func)
        hints = self._hints(target)
        self.has_kwargs = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        self.arg_types: dict[str, Any] = (
            dict(arg_types)
            if arg_types is not None
            else {
                n: hints.get(n, Any)
                for n, p in parameters.items()
                if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            }
        )
        if args is not None:
            self.args: dict[str, Any] = dict(args)
        else:
            self.args = {}
            for arg_name, annotation in self._args_in_order(parameters):
                schema = _schema_of(annotation)
                default = parameters[arg_name].default if arg_name in parameters else inspect.Parameter.empty
                if default is not inspect.Parameter.empty:
                    schema["default"] = _json_default(default)
                if descriptions.get(arg_name):
                    schema["description"] = descriptions[arg_name]
                self.args[arg_name] = schema
        self.arg_desc: dict[str, str] = {k: v for k, v in descriptions.items() if k in self.args}
        self._required = [
            n
            for n, p in parameters.items()
            if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        if args is not None and not parameters:
            self._required = [k for k, v in self.args.items() if "default" not in v]

    def _args_in_order(self, parameters: Mapping[str, inspect.Parameter]) -> list[tuple[str, Any]]:
        """``(name, type)`` of every named argument, in the function's order."""
        order = [n for n in parameters if n in self.arg_types]
        order += [n for n in self.arg_types if n not in parameters]
        return [(n, self.arg_types[n]) for n in order]

    @staticmethod
    def _parameters(func: Callable[..., Any]) -> dict[str, inspect.Parameter]:
        try:
            return dict(inspect.signature(func).parameters)
        except (TypeError, ValueError):  # some builtins have no signature
            return {}

    @staticmethod
    def _hints(target: Any) -> dict[str, Any]:
        try:
            return get_type_hints(target)
        except Exception:
            return dict(getattr(target, "__annotations__", {}) or {})

    # -- calling ----------------------------------------------------------------------------
    def validate_args(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments coerced to their types; :class:`ToolArgumentError` when they do not fit."""
        if not isinstance(kwargs, Mapping):
            raise ToolArgumentError(
                self.name, f"{self.name} takes a JSON object of named arguments, got {kwargs!r}"
            )
        unknown = [k for k in kwargs if k not in self.args and k not in self.arg_types]
        if unknown and not self.has_kwargs:
            raise ToolArgumentError(
                self.name,
                f"{self.name} got unknown argument(s) {', '.join(map(repr, unknown))}; "
                f"it takes {self._takes()}",
                unknown[0],
            )
        missing = [k for k in self._required if k not in kwargs]
        if missing:
            raise ToolArgumentError(
                self.name,
                f"{self.name} is missing required argument(s) {', '.join(map(repr, missing))}; "
                f"it takes {self._takes()}",
                missing[0],
            )
        parsed: dict[str, Any] = {}
        for key, value in kwargs.items():
            parsed[key] = self._coerce(key, value)
        return parsed

    def _takes(self) -> str:
        return ", ".join(self.args) if self.args else "no arguments"

    def _coerce(self, key: str, value: Any) -> Any:
        annotation = self.arg_types.get(key)
        if annotation is None:
            json_type = (self.args.get(key) or {}).get("type")
            annotation = _JSON_TYPES.get(json_type) if isinstance(json_type, str) else None
        if annotation is None or annotation is Any:
            return value
        try:
            return type_adapter(annotation).validate_python(value)
        except pydantic.ValidationError as exc:
            detail = exc.errors()[0].get("msg", "invalid value")
        except TypeError as exc:
            detail = str(exc)
        raise ToolArgumentError(
            self.name,
            f"argument {key!r} of {self.name} must be {annotation_name(annotation)}, "
            f"got {value!r} ({detail})",
            key,
        )

    callback_kind = "tool"

    def __call__(self, **kwargs: Any) -> Any:
        """Validate the arguments and run the tool. An ``async`` tool runs to completion here
        when no event loop is running; inside one, use ``await tool.acall(...)``."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                return observe("tool", callbacks, self, dict(kwargs), lambda: self._call(kwargs))
        return self._call(kwargs)

    def _call(self, kwargs: dict[str, Any]) -> Any:
        result = self.func(**self.validate_args(kwargs))
        if inspect.isawaitable(result):
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(_await(result))
            if inspect.iscoroutine(result):
                result.close()
            raise RuntimeError(
                f"{self.name} is an async tool called synchronously inside a running event loop; "
                f"use `await tool.acall(...)` (ReAct does so in `acall`)"
            )
        return result

    async def acall(self, **kwargs: Any) -> Any:
        """Async call: awaits an ``async`` tool; a sync tool is called directly."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                return await aobserve("tool", callbacks, self, dict(kwargs), lambda: self._acall(kwargs))
        return await self._acall(kwargs)

    async def _acall(self, kwargs: dict[str, Any]) -> Any:
        result = self.func(**self.validate_args(kwargs))
        if inspect.isawaitable(result):
            return await result
        return result

    # -- description ------------------------------------------------------------------------
    def json_schema(self) -> dict[str, Any]:
        """The arguments as one JSON object schema."""
        return {"type": "object", "properties": self.args, "required": list(self._required)}

    def format_as_function_call(self) -> dict[str, Any]:
        """The OpenAI function-calling description of this tool."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.desc, "parameters": self.json_schema()},
        }

    format_as_litellm_function_call = format_as_function_call  # dspy's name

    def format(self) -> str:
        """How the tool reads in a prompt (a ``Tool`` input value): :meth:`__str__`."""
        return str(self)

    @classmethod
    def description(cls) -> str:
        """No type description in field descriptions (as a custom type's)."""
        return ""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> pydantic_core.CoreSchema:
        """Tools are accepted as they are in pydantic models and field types (``list[Tool]``);
        their JSON form is :meth:`format`."""
        return pydantic_core.core_schema.is_instance_schema(
            cls,
            serialization=pydantic_core.core_schema.plain_serializer_function_ser_schema(
                lambda tool: tool.format(), when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """In a JSON schema a tool is its text (:meth:`format`)."""
        return {"type": "string"}

    def __str__(self) -> str:
        desc = f", whose description is <desc>{self.desc}</desc>.".replace("\n", "  ") if self.desc else "."
        return f"{self.name}{desc} It takes arguments {self.args}."

    def __repr__(self) -> str:
        return f"Tool(name={self.name!r}, desc={self.desc!r}, args={self.args!r})"


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _schema_of(annotation: Any) -> dict[str, Any]:
    if annotation is Any:
        return {}
    try:
        schema = type_adapter(annotation).json_schema()
    except Exception:
        return {}
    return _inline_refs(schema)


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    definitions = schema.get("$defs") or {}
    if not definitions:
        return dict(schema)

    def resolve(value: Any, depth: int = 0) -> Any:
        if depth > 50:
            return value
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                return resolve(definitions.get(ref.rsplit("/", 1)[-1], {}), depth + 1)
            return {k: resolve(v, depth + 1) for k, v in value.items() if k != "$defs"}
        if isinstance(value, list):
            return [resolve(v, depth + 1) for v in value]
        return value

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    try:
        return pydantic_core.to_jsonable_python(value)
    except Exception:
        return value
