"""``Adapter``: turns (signature, demos, inputs) into LM messages and completions into fields."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.errors import AdapterParseError
from dspex.callbacks import active_callbacks, callbacks_enabled, emit_end, emit_start, observe
from dspex.signatures.types import allows_none
from dspex.signatures.validation import validate_field

if TYPE_CHECKING:
    from dspex.lm import LM, LMResponse
    from dspex.signatures.signature import Signature

__all__ = ["Adapter"]

INCOMPLETE_DEMO_PREFIX = (
    "This is an example of the task, though some input or output fields are not supplied."
)
MISSING_IN_INCOMPLETE_DEMO = "Not supplied for this particular example. "
MISSING_IN_HISTORY = "Not supplied for this conversation history message. "


class Adapter:
    """Base adapter. Subclasses define the system message parts, the user and assistant message
    bodies and ``parse``; ``__call__``/``acall`` run format → LM → parse."""

    name = "Adapter"
    callback_kind = "adapter"

    def __init__(self, *, use_json_adapter_fallback: bool = True):
        self.use_json_adapter_fallback = use_json_adapter_fallback

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
        messages = self.format(signature, demos, inputs)
        kwargs = self.prepare_lm_kwargs(lm, signature, dict(lm_kwargs))
        try:
            response = self._request(lm, messages, kwargs)
            return self.parse_outputs(signature, response.outputs)
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
        messages = self.format(signature, demos, inputs)
        kwargs = self.prepare_lm_kwargs(lm, signature, dict(lm_kwargs))
        try:
            response = await self._arequest(lm, messages, kwargs)
            return self.parse_outputs(signature, response.outputs)
        except AdapterParseError:
            fallback = self._fallback()
            if fallback is None:
                raise
            return await fallback.acall(lm, lm_kwargs, signature, demos, inputs)

    # -- the call pipeline observed by callbacks (format, LM and parse events) ---------------
    def _observed_call(
        self,
        callbacks: list[Any],
        lm: LM,
        lm_kwargs: dict[str, Any],
        signature: type[Signature],
        demos: list[Any],
        inputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        messages = observe(
            "adapter_format",
            callbacks,
            self,
            {"signature": signature, "demos": demos, "inputs": inputs},
            lambda: self.format(signature, demos, inputs),
        )
        kwargs = self.prepare_lm_kwargs(lm, signature, dict(lm_kwargs))
        try:
            lm_callbacks = active_callbacks(lm)
            started = emit_start("lm", lm_callbacks, lm, {"prompt": None, "messages": messages, **kwargs})
            try:
                response = self._request(lm, messages, kwargs)
            except BaseException as exc:
                emit_end("lm", lm_callbacks, started, None, exc)
                raise
            emit_end("lm", lm_callbacks, started, response.outputs, None)
            return self._observed_parse(callbacks, signature, response.outputs)
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
        messages = observe(
            "adapter_format",
            callbacks,
            self,
            {"signature": signature, "demos": demos, "inputs": inputs},
            lambda: self.format(signature, demos, inputs),
        )
        kwargs = self.prepare_lm_kwargs(lm, signature, dict(lm_kwargs))
        try:
            lm_callbacks = active_callbacks(lm)
            started = emit_start("lm", lm_callbacks, lm, {"prompt": None, "messages": messages, **kwargs})
            try:
                response = await self._arequest(lm, messages, kwargs)
            except BaseException as exc:
                emit_end("lm", lm_callbacks, started, None, exc)
                raise
            emit_end("lm", lm_callbacks, started, response.outputs, None)
            return self._observed_parse(callbacks, signature, response.outputs)
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
        """The chat messages for one call: system, demo pairs, then the request."""
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.format_system_message(signature)}
        ]
        messages.extend(self.format_demos(signature, demos))
        content = self.format_user_message_content(signature, inputs, main_request=True)
        if content:
            messages.append({"role": "user", "content": content})
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
            completed[name] = field.default
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
