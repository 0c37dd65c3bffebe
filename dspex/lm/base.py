"""``BaseLM``: the base class of language models that are not an HTTP endpoint.

Adapters talk to an LM through :meth:`BaseLM.request` (messages in, :class:`LMResponse` out).
A custom LM subclasses :class:`BaseLM` and implements one of DSPy's two extension points:

* ``forward(prompt=None, messages=None, **kwargs)`` returning an OpenAI-shaped chat completion
  (a dict, or an object with the same attributes: ``choices[i].message.content``, ``usage``,
  ``model``); ``aforward`` defaults to running ``forward``;
* or ``__call__(prompt=None, messages=None, **kwargs)`` returning the list of output texts.

Calls are recorded in ``history`` like :class:`dspex.LM`'s (and seen by ``track_calls``). There
is no response cache: a custom LM decides itself what repeats.
"""

from __future__ import annotations

import copy as copy_module
import importlib
import sys
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from time import perf_counter
from typing import Any, TextIO

from dspex.callbacks import active_callbacks, aobserve, callbacks_enabled, enable_callbacks, observe
from dspex.lm.history import format_history, record_global
from dspex.lm.response import LMResponse, Usage
from dspex.lm.tracking import publish

__all__ = ["LM_CLASS_STATE_KEY", "BaseLM"]

_MAX_HISTORY = 10_000

LM_CLASS_STATE_KEY = "_dspy_lm_class"
"""The key of a dumped state that names the LM's class (``module.QualName``), as DSPy writes it."""

_BUILTIN_CLASSES = frozenset({"dspy.clients.lm.LM", "dspex.lm.lm.LM"})

# How a state of the built-in LM is rebuilt: set by dspex.lm.lm when it is imported (this module
# sits below it and never imports it).
_builtin_loader: Any = None


def register_builtin_loader(loader: Any) -> None:
    """Make ``loader(state)`` the builder of states naming the built-in LM (or no class)."""
    global _builtin_loader
    _builtin_loader = loader


def _part(value: Any, name: str) -> Any:
    """``value[name]`` for a mapping, else ``value.name`` (OpenAI SDK objects and dicts alike)."""
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


def _response_outputs(response: Any) -> tuple[list[str], list[str | None], Usage, str | None]:
    """Texts, finish reasons, usage and model name of an OpenAI-shaped chat completion."""
    outputs: list[str] = []
    reasons: list[str | None] = []
    for choice in _part(response, "choices") or []:
        message = _part(choice, "message")
        text = _part(message, "content") if message is not None else _part(choice, "text")
        outputs.append("" if text is None else str(text))
        reasons.append(_part(choice, "finish_reason"))
    usage = _part(response, "usage") or {}
    counts = Usage(
        prompt_tokens=int(_part(usage, "prompt_tokens") or 0),
        completion_tokens=int(_part(usage, "completion_tokens") or 0),
    )
    model = _part(response, "model")
    return outputs, reasons, counts, None if model is None else str(model)


def _import_class(path: str) -> Any:
    """The object at dotted ``path`` (the longest importable module prefix, then attributes)."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        try:
            for name in parts[split:]:
                found = getattr(found, name)
        except AttributeError:
            continue
        return found
    raise ImportError(f"cannot import the LM class {path!r}")


class BaseLM:
    """A language model implemented in Python (see the module doc for the two ways to do it).

    ``kwargs`` (with ``temperature`` and ``max_tokens``) are the default generation parameters
    passed to every call; a call's own keyword arguments override them.
    """

    provider = "custom"
    callback_kind = "lm"

    def __init__(
        self,
        model: str,
        model_type: str = "chat",
        temperature: float | None = None,
        max_tokens: int | None = None,
        cache: bool = True,
        num_retries: int = 3,
        callbacks: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.callbacks: list[Any] = list(callbacks or [])
        if self.callbacks:
            enable_callbacks()
        self.model = model
        self.model_type = model_type
        self.cache = cache
        self.num_retries = num_retries
        self.kwargs: dict[str, Any] = {"temperature": temperature, "max_tokens": max_tokens, **kwargs}
        self.history: list[dict[str, Any]] = []

    # -- the two extension points -----------------------------------------------------------

    def forward(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> Any:
        """An OpenAI-shaped chat completion for ``messages`` (to be defined by subclasses)."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward() or __call__()")

    async def aforward(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> Any:
        """Async :meth:`forward`; by default it runs :meth:`forward`."""
        return self.forward(prompt=prompt, messages=messages, **kwargs)

    def __call__(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> list[str]:
        """DSPy-style call: ``lm("prompt")`` or ``lm(messages=[...])`` -> list of outputs."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                inputs = {"prompt": prompt, "messages": messages, **kwargs}
                outputs: list[str] = observe(
                    "lm", callbacks, self, inputs, lambda: self._call(prompt, messages, kwargs)
                )
                return outputs
        return self._call(prompt, messages, kwargs)

    def _call(
        self, prompt: str | None, messages: list[dict[str, Any]] | None, kwargs: dict[str, Any]
    ) -> list[str]:
        return self._respond(
            self.forward(prompt=prompt, messages=messages, **self._params(kwargs)), prompt, messages, kwargs
        ).outputs

    async def acall(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> list[str]:
        """Async :meth:`__call__`."""
        if self._overrides_call():
            return self(prompt=prompt, messages=messages, **kwargs)
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                inputs = {"prompt": prompt, "messages": messages, **kwargs}
                outputs: list[str] = await aobserve(
                    "lm", callbacks, self, inputs, lambda: self._acall(prompt, messages, kwargs)
                )
                return outputs
        return await self._acall(prompt, messages, kwargs)

    async def _acall(
        self, prompt: str | None, messages: list[dict[str, Any]] | None, kwargs: dict[str, Any]
    ) -> list[str]:
        response = await self.aforward(prompt=prompt, messages=messages, **self._params(kwargs))
        return self._respond(response, prompt, messages, kwargs).outputs

    # -- what adapters use ------------------------------------------------------------------

    def request(self, messages: list[dict[str, Any]] | str, **overrides: Any) -> LMResponse:
        """One call for ``messages`` (or a prompt string) as an :class:`LMResponse`."""
        messages = self._as_messages(messages)
        if self._overrides_call():  # a DSPy-style LM gets every option, ``cache`` included
            return self._from_outputs(self(messages=messages, **overrides))
        overrides.pop("cache", None)
        start = perf_counter()
        return self._respond(
            self.forward(messages=messages, **self._params(overrides)), None, messages, overrides, start
        )

    async def arequest(self, messages: list[dict[str, Any]] | str, **overrides: Any) -> LMResponse:
        """Async :meth:`request`."""
        messages = self._as_messages(messages)
        if self._overrides_call():
            return self._from_outputs(await self.acall(messages=messages, **overrides))
        overrides.pop("cache", None)
        start = perf_counter()
        response = await self.aforward(messages=messages, **self._params(overrides))
        return self._respond(response, None, messages, overrides, start)

    async def astream(self, messages: list[dict[str, Any]] | str, **overrides: Any) -> AsyncIterator[str]:
        """The whole first output as one delta (a custom LM does not stream)."""
        yield (await self.arequest(messages, **overrides)).text

    # -- plumbing ---------------------------------------------------------------------------

    def _overrides_call(self) -> bool:
        """Whether the subclass implements ``__call__`` itself rather than ``forward``."""
        return type(self).__call__ is not BaseLM.__call__

    @staticmethod
    def _as_messages(messages: list[dict[str, Any]] | str) -> list[dict[str, Any]]:
        return [{"role": "user", "content": messages}] if isinstance(messages, str) else messages

    def _params(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        params = {**self.kwargs, **overrides}
        return {key: value for key, value in params.items() if value is not None}

    def _from_outputs(self, outputs: list[Any]) -> LMResponse:
        texts = [
            output if isinstance(output, str) else str(_part(output, "text") or "") for output in outputs
        ]
        raw = None
        if any(isinstance(output, Mapping) and len(output.keys() - {"text"}) for output in outputs):
            # outputs with more than text (tool calls, reasoning text): kept as a chat completion body
            raw = {
                "choices": [
                    {"message": {"content": text, **{k: v for k, v in output.items() if k != "text"}}}
                    if isinstance(output, Mapping)
                    else {"message": {"content": text}}
                    for text, output in zip(texts, outputs, strict=True)
                ]
            }
        return LMResponse(
            texts, Usage(), None, 0.0, False, self.model, [None] * len(texts), self.provider, raw=raw
        )

    def _respond(
        self,
        response: Any,
        prompt: str | None,
        messages: list[dict[str, Any]] | None,
        overrides: Mapping[str, Any],
        start: float | None = None,
    ) -> LMResponse:
        outputs, reasons, usage, response_model = _response_outputs(response)
        latency = (perf_counter() - start) * 1000 if start is not None else 0.0
        result = LMResponse(
            outputs, usage, None, latency, False, self.model, reasons, self.provider, response_model
        )
        entry = {
            "model": self.model,
            "provider": self.provider,
            "prompt": prompt,
            "messages": messages if messages is not None else [{"role": "user", "content": prompt}],
            "params": self._params(overrides),
            "kwargs": dict(overrides),
            "response": response,
            "outputs": outputs,
            "usage": usage.to_dict(),
            "cost": None,
            "latency_ms": latency,
            "cache_hit": False,
            "timestamp": datetime.now(UTC).isoformat(),
            "finish_reasons": reasons,
            "response_model": response_model,
            "model_type": self.model_type,
        }
        self.history.append(entry)
        if len(self.history) > _MAX_HISTORY:
            del self.history[:-_MAX_HISTORY]
        record_global(entry)
        publish(entry)
        return result

    # -- state ------------------------------------------------------------------------------

    def inspect_history(self, n: int = 1, file: TextIO | None = None) -> str:
        """Print the last ``n`` calls role by role (to ``file`` or stdout) and return the text."""
        text = format_history(self.history[-n:] if n > 0 else [])
        print(text, file=file or sys.stdout)
        return text

    def dump_state(self) -> dict[str, Any]:
        """The configuration as plain data, with the class under :data:`LM_CLASS_STATE_KEY`."""
        kwargs = {k: v for k, v in self.kwargs.items() if k not in ("api_key", LM_CLASS_STATE_KEY)}
        return {
            LM_CLASS_STATE_KEY: f"{type(self).__module__}.{type(self).__qualname__}",
            "model": self.model,
            "model_type": self.model_type,
            "cache": self.cache,
            "num_retries": self.num_retries,
            **kwargs,
        }

    @classmethod
    def load_state(cls, state: dict[str, Any], *, allow_custom_lm_class: bool = False) -> Any:
        """Rebuild an LM from :meth:`dump_state` output.

        On a subclass: ``cls(**state)`` (the class marker is dropped). On :class:`BaseLM` itself
        the marker picks the class: none or the built-in LM's gives a :class:`dspex.LM`; another
        class is imported only with ``allow_custom_lm_class=True`` (for trusted states: importing
        runs the module's code), else :class:`ValueError`.
        """
        state = dict(state)
        class_path = state.pop(LM_CLASS_STATE_KEY, None)
        if cls is not BaseLM:
            return cls(**state)
        if class_path is None or class_path in _BUILTIN_CLASSES:
            if _builtin_loader is None:
                import dspex.lm  # noqa: F401 - registers the built-in LM's loader

            return _builtin_loader(state)
        if not allow_custom_lm_class:
            raise ValueError(
                f"refusing to import the LM class {class_path!r} named by a saved state; "
                "pass allow_custom_lm_class=True for states from trusted storage"
            )
        lm_class = _import_class(str(class_path))
        if not (isinstance(lm_class, type) and issubclass(lm_class, BaseLM)):
            raise TypeError(f"{class_path!r} is not a BaseLM subclass")
        return lm_class.load_state(state)

    def copy(self, **changes: Any) -> BaseLM:
        """A shallow copy with an empty history, its own ``kwargs`` and ``changes`` applied
        (an attribute when one exists, else a generation parameter; ``None`` removes one)."""
        new = copy_module.copy(self)
        new.history = []
        new.kwargs = dict(self.kwargs)
        new.callbacks = list(getattr(self, "callbacks", []))
        for key, value in changes.items():
            if hasattr(new, key) and key != "kwargs":
                setattr(new, key, value)
            if key in new.kwargs or not hasattr(self, key):
                if value is None:
                    new.kwargs.pop(key, None)
                else:
                    new.kwargs[key] = value
        return new

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model!r}, kwargs={self.kwargs!r})"
