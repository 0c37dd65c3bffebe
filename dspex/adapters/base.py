"""``Adapter``: turns (signature, demos, inputs) into LM messages and completions into fields."""

from __future__ import annotations

import functools
import json
import textwrap
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.errors import AdapterParseError
from dspex.adapters.native import (
    TOOL_KWARGS,
    native_response_fields,
    output_details,
    supports_function_calling,
    tool_calls_of,
    tool_calls_output_name,
    tools_input_name,
)
from dspex.callbacks import active_callbacks, callbacks_enabled, emit_end, emit_start, observe
from dspex.signatures.types import allows_none, jsonable
from dspex.signatures.validation import validate_field
from dspex.types.base import Type, expand_custom_type_markers
from dspex.types.citations import Citations
from dspex.types.history import History
from dspex.types.reasoning import Reasoning
from dspex.types.tool_calls import ToolCallResults, ToolCalls

if TYPE_CHECKING:
    from dspex.lm import LM, LMResponse
    from dspex.signatures.signature import Signature

__all__ = ["Adapter"]

INCOMPLETE_DEMO_PREFIX = (
    "This is an example of the task, though some input or output fields are not supplied."
)
MISSING_IN_INCOMPLETE_DEMO = "Not supplied for this particular example. "
MISSING_IN_HISTORY = "Not supplied for this conversation history message. "
DEFAULT_NATIVE_RESPONSE_TYPES: tuple[type[Type], ...] = (Citations, Reasoning)


class Adapter:
    """Base adapter. Subclasses define the system message parts, the user and assistant message
    bodies and ``parse``; ``__call__``/``acall`` run format → LM → parse."""

    name = "Adapter"
    callback_kind = "adapter"

    def __init__(
        self,
        callbacks: list[Any] | None = None,
        use_native_function_calling: bool = False,
        native_response_types: list[type[Type]] | None = None,
        use_json_adapter_fallback: bool = True,
        parallel_tool_calls: bool | None = None,
    ):
        """``callbacks``: kept for the callback hooks of ``format``/``parse``;
        ``use_native_function_calling``: send the tools of a ``list[Tool]`` input as the
        provider's ``tools`` and fill a ``ToolCalls`` output from its tool calls;
        ``native_response_types``: output types the LM may fill natively (default
        ``[Citations, Reasoning]``); ``parallel_tool_calls``: the provider option, when set."""
        self.callbacks = list(callbacks or [])
        self.use_native_function_calling = use_native_function_calling
        self.native_response_types = list(native_response_types or DEFAULT_NATIVE_RESPONSE_TYPES)
        self.use_json_adapter_fallback = use_json_adapter_fallback
        self.parallel_tool_calls = parallel_tool_calls

    # -- the call pipeline ------------------------------------------------------------------
    def __call__(
        self,
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        """Format, call ``lm``, parse: one dict of output values per parsed completion."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks or getattr(lm, "callbacks", None):
                return self._observed_call(callbacks, lm, lm_kwargs, signature, demos, inputs)
        kwargs = dict(lm_kwargs)
        request = self._call_preprocess(lm, kwargs, signature, inputs)
        messages = self.format(request, demos, inputs)
        kwargs = self._request_kwargs(lm, request, kwargs)
        try:
            response = self._request(lm, messages, kwargs)
            if request is signature:
                return self.parse_outputs(signature, response.outputs)
            return self._call_postprocess(request, signature, output_details(response), lm, kwargs)
        except AdapterParseError:
            fallback = self._fallback()
            if fallback is None:
                raise
            return fallback(lm, lm_kwargs, signature, demos, inputs)

    async def acall(
        self,
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        """Async :meth:`__call__`."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks or getattr(lm, "callbacks", None):
                return await self._aobserved_call(callbacks, lm, lm_kwargs, signature, demos, inputs)
        kwargs = dict(lm_kwargs)
        request = self._call_preprocess(lm, kwargs, signature, inputs)
        messages = self.format(request, demos, inputs)
        kwargs = self._request_kwargs(lm, request, kwargs)
        try:
            response = await self._arequest(lm, messages, kwargs)
            if request is signature:
                return self.parse_outputs(signature, response.outputs)
            return self._call_postprocess(request, signature, output_details(response), lm, kwargs)
        except AdapterParseError:
            fallback = self._fallback()
            if fallback is None:
                raise
            return await fallback.acall(lm, lm_kwargs, signature, demos, inputs)

    def _request_kwargs(self, lm: LM, signature: type[Signature], kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = self.prepare_lm_kwargs(lm, signature, kwargs)
        if kwargs.get("parallel_tool_calls") is not None:
            kwargs.setdefault("tool_choice", "auto")
        return kwargs

    def _call_preprocess(
        self, lm: Any, lm_kwargs: dict[str, Any], signature: type[Signature], inputs: Mapping[str, Any]
    ) -> type[Signature]:
        """The signature to format and parse, with the fields native LM features take over
        removed; updates ``lm_kwargs`` in place (``tools``, ``reasoning_effort``, ...).

        Without native function calling the function-calling options are dropped. With it, and
        an LM that supports it, the tools input becomes the request's ``tools`` and the
        ``ToolCalls`` output is filled from the response's tool calls. An output of a native
        response type (``Citations``, ``Reasoning``) is handed to the LM when its type says so.
        The signature itself is returned when nothing changes."""
        if not self.use_native_function_calling:
            if lm_kwargs:
                for key in TOOL_KWARGS:
                    lm_kwargs.pop(key, None)
        else:
            tools_name = tools_input_name(signature)
            calls_name = tool_calls_output_name(signature)
            if calls_name is not None and tools_name is None:
                raise ValueError(
                    f"You provided an output field {calls_name} to receive the tool calls information, "
                    "but did not provide any tools as the input. Please provide a list of tools as the "
                    "input by adding an input field with type `list[dspy.Tool]`."
                )
            if calls_name is not None and tools_name is not None and supports_function_calling(lm):
                tools = inputs[tools_name]
                tools = tools if isinstance(tools, list) else [tools]
                lm_kwargs["tools"] = [tool.format_as_litellm_function_call() for tool in tools]
                if self.parallel_tool_calls is not None and lm_kwargs.get("parallel_tool_calls") is None:
                    lm_kwargs["parallel_tool_calls"] = self.parallel_tool_calls
                signature = signature.delete(calls_name).delete(tools_name)
            elif calls_name is not None:
                for key in TOOL_KWARGS:
                    lm_kwargs.pop(key, None)
        for name, kind in native_response_fields(signature, self.native_response_types):
            signature = kind.adapt_to_native_lm_feature(signature, name, lm, lm_kwargs)
        return signature

    def _call_postprocess(
        self,
        processed_signature: type[Signature],
        original_signature: type[Signature],
        outputs: list[Any],
        lm: Any,
        lm_kwargs: dict[str, Any],
    ) -> list[dict[str, Any]]:
        """Parse completions (texts, or dicts with ``text`` and the provider's ``tool_calls``,
        ``reasoning_content``, ...) of a call planned by :meth:`_call_preprocess`: the text
        against ``processed_signature``, the fields taken over natively from the provider's
        parts. Missing outputs take their default (else ``None``)."""
        calls_name = tool_calls_output_name(original_signature)
        native = native_response_fields(original_signature, self.native_response_types)
        values: list[dict[str, Any]] = []
        first_error: AdapterParseError | None = None
        for output in outputs:
            text, calls = (
                (output.get("text"), output.get("tool_calls")) if isinstance(output, dict) else (output, None)
            )
            try:
                if calls and calls_name is not None:
                    try:
                        value = (
                            self.parse(processed_signature, text)
                            if text and processed_signature.output_fields
                            else {}
                        )
                    except AdapterParseError:
                        value = {}
                elif text:
                    value = self.parse(processed_signature, text)
                else:
                    raise AdapterParseError(
                        adapter_name=self.name,
                        signature=original_signature,
                        lm_response=str(output),
                        message="The LM returned an empty or null response.",
                    )
            except AdapterParseError as error:
                first_error = first_error or error
                continue
            value = dict(value)
            for name, field in original_signature.output_fields.items():
                if name not in value:
                    value[name] = field.default_value() if field.has_default else None
            if calls and calls_name is not None:
                value[calls_name] = tool_calls_of(calls)
            for name, kind in native:
                parsed = kind.parse_lm_response(output)
                if parsed is not None:
                    value[name] = parsed
            values.append(value)
        if first_error is not None and not values:
            raise first_error
        return values

    # -- the call pipeline observed by callbacks (format, LM and parse events) ---------------
    def _observed_format(
        self,
        callbacks: list[Any],
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> tuple[type[Signature], list[dict[str, Any]], dict[str, Any]]:
        """The planned signature, the messages (a format event) and the request's keywords."""
        kwargs = dict(lm_kwargs)
        request = self._call_preprocess(lm, kwargs, signature, inputs)
        messages = observe(
            "adapter_format",
            callbacks,
            self,
            {"signature": request, "demos": demos, "inputs": inputs},
            lambda: self.format(request, demos, inputs),
        )
        return request, messages, self._request_kwargs(lm, request, kwargs)

    def _observed_outputs(
        self,
        callbacks: list[Any],
        lm: LM,
        request: type[Signature],
        signature: type[Signature],
        response: LMResponse,
        kwargs: dict[str, Any],
    ) -> list[dict[str, Any]]:
        if request is signature:
            return self._observed_parse(callbacks, signature, response.outputs)
        return self._call_postprocess(request, signature, output_details(response), lm, kwargs)

    def _observed_call(
        self,
        callbacks: list[Any],
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        request, messages, kwargs = self._observed_format(callbacks, lm, lm_kwargs, signature, demos, inputs)
        try:
            lm_callbacks = active_callbacks(lm)
            started = emit_start("lm", lm_callbacks, lm, {"prompt": None, "messages": messages, **kwargs})
            try:
                response = self._request(lm, messages, kwargs)
            except BaseException as exc:
                emit_end("lm", lm_callbacks, started, None, exc)
                raise
            emit_end("lm", lm_callbacks, started, response.outputs, None)
            return self._observed_outputs(callbacks, lm, request, signature, response, kwargs)
        except AdapterParseError:
            fallback = self._fallback()
            if fallback is None:
                raise
            return fallback(lm, lm_kwargs, signature, demos, inputs)

    async def _aobserved_call(
        self,
        callbacks: list[Any],
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        request, messages, kwargs = self._observed_format(callbacks, lm, lm_kwargs, signature, demos, inputs)
        try:
            lm_callbacks = active_callbacks(lm)
            started = emit_start("lm", lm_callbacks, lm, {"prompt": None, "messages": messages, **kwargs})
            try:
                response = await self._arequest(lm, messages, kwargs)
            except BaseException as exc:
                emit_end("lm", lm_callbacks, started, None, exc)
                raise
            emit_end("lm", lm_callbacks, started, response.outputs, None)
            return self._observed_outputs(callbacks, lm, request, signature, response, kwargs)
        except AdapterParseError:
            fallback = self._fallback()
            if fallback is None:
                raise
            return await fallback.acall(lm, lm_kwargs, signature, demos, inputs)

    def _observed_parse(
        self, callbacks: list[Any], signature: type[Signature], outputs: list[str]
    ) -> list[dict[str, Any]]:
        """:meth:`parse_outputs` with a parse event per completion."""
        results: list[dict[str, Any]] = []
        first_error: AdapterParseError | None = None
        for text in outputs:
            try:
                results.append(
                    observe(
                        "adapter_parse",
                        callbacks,
                        self,
                        {"signature": signature, "completion": text},
                        lambda text=text: self._parse_completion(signature, text),  # type: ignore[misc]
                    )
                )
            except AdapterParseError as error:
                first_error = first_error or error
        if first_error is not None and not results:
            raise first_error
        return results

    async def astream_call(
        self,
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
        on_chunk: Callable[[str, str], None],
    ) -> list[dict[str, Any]]:
        """:meth:`acall` that reports output field text to ``on_chunk(field, text)`` as it
        streams in. The base adapter cannot follow its format mid-stream: no chunks, same result."""
        return await self.acall(lm, lm_kwargs, signature, demos, inputs)

    def _request(self, lm: LM, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> LMResponse:
        return lm.request(messages, **kwargs)

    async def _arequest(self, lm: LM, messages: list[dict[str, Any]], kwargs: dict[str, Any]) -> LMResponse:
        return await lm.arequest(messages, **kwargs)

    def _fallback(self) -> Adapter | None:
        """The adapter to try when this one cannot parse the completion (``None``: raise)."""
        return None

    def prepare_lm_kwargs(self, lm: LM, signature: type[Signature], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Hook to add provider options (e.g. ``response_format``) before the request."""
        return kwargs

    def parse_outputs(self, signature: type[Signature], outputs: list[str]) -> list[dict[str, Any]]:
        """Parse every completion of one call.

        With several completions (``n > 1``) the ones that do not parse are dropped, so that one
        bad sample does not discard the good ones; :class:`AdapterParseError` (for the first
        completion that failed) is raised only when none parses.
        """
        results: list[dict[str, Any]] = []
        first_error: AdapterParseError | None = None
        for text in outputs:
            try:
                results.append(self._parse_completion(signature, text))
            except AdapterParseError as error:
                first_error = first_error or error
        if first_error is not None and not results:
            raise first_error
        return results

    def _parse_completion(self, signature: type[Signature], text: str) -> dict[str, Any]:
        """Parse one completion; an empty one is an :class:`AdapterParseError`."""
        if not text:
            raise AdapterParseError(
                adapter_name=self.name,
                signature=signature,
                lm_response=str(text),
                message="The LM returned an empty response.",
            )
        return self.parse(signature, text)

    # -- formatting -------------------------------------------------------------------------
    def format(
        self, signature: type[Signature], demos: list[Any], inputs: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """The chat messages for one call: system, demo pairs, the conversation history (an input
        of type :class:`~dspex.types.History`), then the request. Values of custom types
        (:class:`~dspex.types.Type`: images, files, ...) become content parts of their message."""
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.format_system_message(signature)}
        ]
        messages.extend(self.format_demos(signature, demos))
        history_name = history_field_name(signature)
        request = signature
        if history_name is not None:
            request = signature.delete(history_name)
            inputs = dict(inputs)
            messages.extend(self.format_conversation_history(request, history_name, inputs))
        content = self.format_user_message_content(request, inputs, main_request=True)
        if content:
            messages.append({"role": "user", "content": content})
        return [expand_custom_type_markers(message) for message in messages]

    def format_conversation_history(
        self, signature: type[Signature], history_field_name: str, inputs: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """A user and an assistant message per turn of the history in ``inputs`` (which loses
        the history entry). A turn's user message ends with the output requirements, as the
        request's does, when the turn has input values."""
        history = inputs.pop(history_field_name, None)
        turns = history.messages if isinstance(history, History) else (history or {}).get("messages")
        messages: list[dict[str, Any]] = []
        for turn in turns or []:
            has_inputs = any(name in turn for name in signature.input_fields)
            content = self.format_user_message_content(signature, turn, main_request=has_inputs)
            if content:
                messages.append({"role": "user", "content": content})
            calls_name, calls = tool_calls_in(turn)
            results = tool_call_results_of(calls)
            if calls is not None and self.use_native_function_calling:
                messages.extend(self._native_tool_turn(signature, turn, calls, results))
                continue
            answer_values: Mapping[str, Any] = turn
            if calls_name is not None and calls is not None and results is not None:
                answer_values = {**turn, calls_name: calls.model_copy(update={"tool_call_results": None})}
            answer = self.format_assistant_message_content(signature, answer_values)
            if answer:
                messages.append({"role": "assistant", "content": answer})
            if results is not None:
                text = self.format_user_message_content(
                    tool_results_signature(), {"tool_call_results": results}
                )
                messages.append({"role": "user", "content": text})
        return messages

    def _native_tool_turn(
        self,
        signature: type[Signature],
        turn: Mapping[str, Any],
        calls: ToolCalls,
        results: ToolCallResults | None,
    ) -> list[dict[str, Any]]:
        """A history turn with tool calls, as native function calling replays it: the assistant
        message with the other outputs and the ``tool_calls``, then one ``tool`` message per
        result. Results that do not match the calls' ids one to one are left out."""
        answer_signature = signature
        for name, field in signature.output_fields.items():
            if field.annotation is ToolCalls or turn.get(name) is None:
                answer_signature = answer_signature.delete(name)
        content = (
            self.format_assistant_message_content(answer_signature, turn)
            if answer_signature.output_fields
            else ""
        )
        if results is not None:
            ids = [call.id for call in calls.tool_calls]
            if ids != [result.call_id for result in results.tool_call_results] or not all(ids):
                results = None
        messages: list[dict[str, Any]] = []
        if content or results is not None:
            message: dict[str, Any] = {"role": "assistant", "content": content or None}
            if results is not None:
                message["tool_calls"] = [openai_tool_call(call) for call in calls.tool_calls]
            messages.append(message)
        for result in results.tool_call_results if results is not None else []:
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": result.call_id,
                    "name": result.name,
                    "content": result.value if isinstance(result.value, str) else _json_text(result.value),
                }
            )
        return messages

    def format_system_message(self, signature: type[Signature]) -> str:
        """Field descriptions, field structure and task description (cached per signature)."""
        # Take the cache dict before reading the signature: setting ``instructions`` replaces the
        # dict, so a message built from the old instructions can never be stored in the new one.
        cache = signature._cache
        key = f"system:{type(self).__name__}"
        cached = cache.get(key)
        if cached is None:
            cached = (
                f"{self.format_field_description(signature)}\n"
                f"{self.format_field_structure(signature)}\n"
                f"{self.format_task_description(signature)}"
            )
            cache[key] = cached
        return cached

    def format_task_description(self, signature: type[Signature]) -> str:
        """``In adhering to this structure, your objective is:`` and the indented instructions."""
        lines = textwrap.dedent(signature.instructions).splitlines()
        objective = ("\n" + " " * 8).join(["", *lines])
        return f"In adhering to this structure, your objective is: {objective}"

    def format_demos(self, signature: type[Signature], demos: list[Any]) -> list[dict[str, Any]]:
        """Demo pairs: incomplete demos (marked as such) first, then complete ones."""
        if not demos:
            return []
        complete, incomplete = [], []
        all_fields = signature.fields
        for demo in demos:
            if all(k in demo and demo[k] is not None for k in all_fields):
                complete.append(demo)
            elif any(k in demo for k in signature.input_fields) and any(
                k in demo for k in signature.output_fields
            ):
                incomplete.append(demo)
        messages: list[dict[str, Any]] = []
        for demo in incomplete:
            messages.append(
                {
                    "role": "user",
                    "content": self.format_user_message_content(
                        signature, demo, prefix=INCOMPLETE_DEMO_PREFIX
                    ),
                }
            )
            messages.append(
                {
                    "role": "assistant",
                    "content": self.format_assistant_message_content(
                        signature, demo, missing_field_message=MISSING_IN_INCOMPLETE_DEMO
                    ),
                }
            )
        for demo in complete:
            messages.append({"role": "user", "content": self.format_user_message_content(signature, demo)})
            messages.append(
                {
                    "role": "assistant",
                    "content": self.format_assistant_message_content(
                        signature, demo, missing_field_message=MISSING_IN_HISTORY
                    ),
                }
            )
        return messages

    # -- to be defined by subclasses --------------------------------------------------------
    def format_field_description(self, signature: type[Signature]) -> str:
        """``Your input fields are: ...`` and ``Your output fields are: ...``."""
        raise NotImplementedError

    def format_field_structure(self, signature: type[Signature]) -> str:
        """How inputs and outputs are laid out in the messages."""
        raise NotImplementedError

    def format_user_message_content(
        self,
        signature: type[Signature],
        inputs: Mapping[str, Any],
        prefix: str = "",
        suffix: str = "",
        main_request: bool = False,
    ) -> str:
        """A user message: the input values (and, for the request itself, the output requirements)."""
        raise NotImplementedError

    def format_assistant_message_content(
        self, signature: type[Signature], outputs: Mapping[str, Any], missing_field_message: str | None = None
    ) -> str:
        """An assistant message holding ``outputs`` (demos), ``missing_field_message`` for gaps."""
        raise NotImplementedError

    def parse(self, signature: type[Signature], completion: str) -> dict[str, Any]:
        """The typed output values in ``completion``; :class:`AdapterParseError` when it does not fit."""
        raise NotImplementedError


def tool_calls_in(turn: Mapping[str, Any]) -> tuple[str | None, ToolCalls | None]:
    """The first value of a history turn that holds tool calls (a ``ToolCalls``, or a dict
    with ``tool_calls``), with its field name."""
    for name, value in turn.items():
        if isinstance(value, ToolCalls) or (isinstance(value, dict) and "tool_calls" in value):
            return name, ToolCalls.model_validate(value)
    return None, None


def tool_call_results_of(calls: ToolCalls | None) -> ToolCallResults | None:
    if calls is None or calls.tool_call_results is None:
        return None
    return ToolCallResults.model_validate(calls.tool_call_results)


def openai_tool_call(call: Any) -> dict[str, Any]:
    """A tool call in the OpenAI chat message shape (JSON ``arguments``)."""
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": _json_text(call.args)},
    }


def _json_text(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False)


@functools.cache
def tool_results_signature() -> type[Signature]:
    """The one-input signature a turn's tool results are written with (non-native history)."""
    from dspex.signatures import InputField, OutputField, make_signature

    fields = {"tool_call_results": (ToolCallResults, InputField()), "unused": (str, OutputField())}
    return make_signature(fields).delete("unused")


_history_fields: weakref.WeakKeyDictionary[type, str | None] = weakref.WeakKeyDictionary()


def history_field_name(signature: type[Signature]) -> str | None:
    """The first input field of type :class:`~dspex.types.History` (``None``: no history).
    Remembered per signature class (immutable), as this is asked on every call."""
    try:
        return _history_fields[signature]
    except KeyError:
        pass
    found = next(
        (name for name, field in signature.input_fields.items() if field.annotation is History), None
    )
    _history_fields[signature] = found
    return found


def complete_outputs(
    adapter_name: str, signature: type[Signature], fields: dict[str, Any], completion: str
) -> dict[str, Any]:
    """Fill optional missing outputs (default, or None for Optional types), check constraints,
    and fail with :class:`AdapterParseError` when a required output is missing."""
    cache = signature._cache  # before reading the fields: see Adapter.format_system_message
    outputs = signature.output_fields
    names = cache.get("output_names")
    if names is None:
        names = cache["output_names"] = (
            tuple(outputs),
            any(field.constraints for field in outputs.values()),
        )
    if not names[1] and tuple(fields) == names[0]:  # every output, in order, nothing to check
        return fields
    completed: dict[str, Any] = {}
    for name, field in outputs.items():
        if name in fields:
            completed[name] = fields[name]
        elif field.has_default:
            completed[name] = field.default_value()
        elif allows_none(field.annotation):
            completed[name] = None
    if completed.keys() != signature.output_fields.keys():
        raise AdapterParseError(
            adapter_name=adapter_name, signature=signature, lm_response=completion, parsed_result=completed
        )
    for name, field in outputs.items():
        if field.constraints and completed[name] is not None:
            try:
                completed[name] = validate_field(name, field, completed[name])
            except ValueError as exc:
                raise AdapterParseError(
                    adapter_name=adapter_name,
                    signature=signature,
                    lm_response=completion,
                    message=str(exc),
                    parsed_result=completed,
                ) from None
    return completed
