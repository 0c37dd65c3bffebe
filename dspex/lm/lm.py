"""The LM facade: one object per model configuration, called by every dspex module."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import AsyncIterator
from time import perf_counter
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx

from dspex.callbacks import active_callbacks, aobserve, callbacks_enabled, enable_callbacks, observe
from dspex.lm import _json, pipeline
from dspex.lm.base import LM_CLASS_STATE_KEY, BaseLM, register_builtin_loader
from dspex.lm.cache import CachedResult, get_cache
from dspex.lm.credentials import CONNECTION_KEYS, Credential, check_no_userinfo, reject_connection_keys
from dspex.lm.errors import AuthenticationError, LMConfigurationError, LMError
from dspex.lm.history import format_history, record_global, utc_timestamp
from dspex.lm.pipeline import Call, Post, Replay, Steps, Stream, Wait
from dspex.lm.pricing import cost_of, price_for
from dspex.lm.providers import Parsed, Provider, get_provider
from dspex.lm.ratelimit import get_limiter
from dspex.lm.response import LMResponse, Usage, message_extras, replayed_body
from dspex.lm.retry import RetryPolicy
from dspex.lm.slots import RequestSlots, request_slots
from dspex.lm.tracking import publish
from dspex.lm.transport import Endpoint

__all__ = ["LM"]

MAX_HISTORY = 10_000
PLACEHOLDER_KEY = "sk-no-key-required"
# 2: the key includes the credential identity (answers are never shared between credentials).
_CACHE_KEY_VERSION = 2
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})
_CONFIG_FIELDS = (
    "model",
    "base_url",
    "api_key_env",
    "model_type",
    "cache",
    "num_retries",
    "timeout",
    "rpm",
    "tpm",
    "retry_backoff",
)
_MODEL_TYPES = ("chat", "text", "responses")
# The class name written under LM_CLASS_STATE_KEY: DSPy's, so that DSPy loads our states too.
STATE_CLASS = "dspy.clients.lm.LM"
# OpenAI reasoning models (o1, o3-mini, gpt-5, gpt-5-nano, ...; not gpt-5-chat).
_REASONING_MODEL = re.compile(r"^(o\d+|gpt-5(?!-chat))")
_MIN_REASONING_TOKENS = 16_000
# Dumped only when they differ from these defaults (DSPy's layout has none of them).
_OPTIONAL_STATE = {"base_url": None, "api_key_env": None, "rpm": None, "tpm": None, "retry_backoff": 0.5}

# What LM._begin hands to the steps: messages, params, cache key, headers, cache hit, start time.
_Begun = tuple[list[dict[str, Any]], dict[str, Any], str | None, dict[str, str], CachedResult | None, float]


def _is_loopback(base_url: str | None) -> bool:
    if not base_url:
        return False
    host = urlsplit(base_url).hostname or ""
    return host in _LOOPBACK_HOSTS or host.endswith(".localhost")


def _reject_credentials(params: dict[str, Any], where: str = "LM") -> None:
    """Keys and connection settings never come in as generation parameters or overrides."""
    reject_connection_keys(params, where)


def _server_key(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.host}:{url.port}"


def _as_messages(prompt: str | None, messages: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    if messages is not None:
        return messages
    if prompt is None:
        raise TypeError("pass a prompt string or messages=[...]")
    return [{"role": "user", "content": prompt}]


def _sent(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters sent to the provider: ``rollout_id`` only tells cache entries apart (as in
    DSPy: BestOfN/Refine attempts at the same prompt get their own entries) and is never sent,
    nor is a class marker given as a keyword (``LM_CLASS_STATE_KEY``)."""
    if "rollout_id" in params or LM_CLASS_STATE_KEY in params:
        return {k: v for k, v in params.items() if k not in ("rollout_id", LM_CLASS_STATE_KEY)}
    return params


def is_reasoning_model(provider: str, model_name: str) -> bool:
    """Whether ``provider/model_name`` is an OpenAI reasoning model (``max_completion_tokens``
    instead of ``max_tokens``, temperature 1.0 only)."""
    return provider == "openai" and _REASONING_MODEL.match(model_name) is not None


def _merge_parsed(parts: list[Parsed]) -> Parsed:
    usage = Usage(
        sum(p.usage.prompt_tokens for p in parts),
        sum(p.usage.completion_tokens for p in parts),
        sum(p.usage.cached_tokens for p in parts),
    )
    outputs = [text for p in parts for text in p.outputs]
    reasons = [reason for p in parts for reason in p.finish_reasons]
    return Parsed(outputs, reasons, usage, parts[0].model)


_FOREIGN_STATE_KEYS = frozenset(
    {
        "api_key",
        "api_base",
        "provider",
        "callbacks",
        "engine",
        "async_engine",
        "prompt_cache",
        "model_list",
    }
)


class LM:
    """A language model endpoint with caching, retries, rate limits and usage tracking.

    ``model`` is ``"<provider>/<name>"`` with provider ``openai`` (any OpenAI-compatible server
    through ``base_url``), ``anthropic`` or ``local`` (the bundled llama.cpp model). The API key is
    read from ``$OPENAI_API_KEY`` / ``$ANTHROPIC_API_KEY``, or from the variable named by
    ``api_key_env``, at request time; it is never stored, logged or serialized. Instead of
    ``api_key_env`` a :class:`~dspex.lm.credentials.Credential` can be given (``credential=``): its
    opaque ``identity`` keeps the response cache, circuit breakers and rate limits of different
    credentials apart (``lm.credential_id``; by default derived from the key variable's name and the
    base URL, never from the key). Extra keyword arguments (``top_p``, ``n``, ``seed``,
    ``response_format``, ...) are sent with every request.
    ``timeout`` (seconds per request) defaults to 60, and to 600 for the local model, whose requests
    wait for their turn in the client (one at a time, see :mod:`dspex.lm.slots`).

    Example::

        lm = LM("openai/gpt-4o-mini", temperature=0.0)
        lm("Say hi")                                   # -> ["Hi!"]
        lm.request([{"role": "user", "content": "Say hi"}], max_tokens=5).usage
    """

    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        api_key_env: str | None = None,
        model_type: str = "chat",
        temperature: float | None = None,
        max_tokens: int | None = None,
        stop: str | list[str] | None = None,
        cache: bool = True,
        num_retries: int = 3,
        timeout: float | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        retry_backoff: float = 0.5,
        credential: Credential | None = None,
        callbacks: list[Any] | None = None,
        finetuning_model: str | None = None,
        launch_kwargs: dict[str, Any] | None = None,
        train_kwargs: dict[str, Any] | None = None,
        use_developer_role: bool = False,
        **kwargs: Any,
    ) -> None:
        _reject_credentials(kwargs)
        object.__setattr__(self, "callbacks", list(callbacks or []))
        if self.callbacks:
            enable_callbacks()
        if credential is not None:
            if not isinstance(credential, Credential):
                raise TypeError(f"credential must be a dspex Credential, got {type(credential).__name__}")
            if api_key_env is not None:
                raise TypeError("pass api_key_env= or credential=, not both")
        provider_name, _, model_name = model.partition("/")
        if not provider_name or not model_name:
            raise ValueError(f"model must look like '<provider>/<name>', got {model!r}")
        provider = get_provider(provider_name)
        if (
            model_type not in _MODEL_TYPES
            or (model_type == "text" and not provider.supports_n)
            or (model_type == "responses" and provider_name != "openai")
        ):
            raise ValueError(f"model_type {model_type!r} is not supported for {model!r}")
        self._ready = False
        self._given_credential = credential
        self.model = model
        self.provider = provider_name
        self.model_name = model_name
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.model_type = model_type
        self.cache = cache
        self.num_retries = num_retries
        self.timeout = timeout if timeout is not None else provider.default_timeout
        self.rpm = rpm
        self.tpm = tpm
        self.retry_backoff = retry_backoff
        self.finetuning_model = finetuning_model
        self.launch_kwargs: dict[str, Any] = dict(launch_kwargs or {})
        self.train_kwargs: dict[str, Any] = dict(train_kwargs or {})
        self.use_developer_role = use_developer_role
        self._reasoning = is_reasoning_model(provider_name, model_name)
        if self._reasoning:
            if max_tokens is None:
                max_tokens = kwargs.pop("max_completion_tokens", None)
            if (temperature and temperature != 1.0) or (max_tokens and max_tokens < _MIN_REASONING_TOKENS):
                raise LMConfigurationError(
                    "OpenAI's reasoning models require passing temperature=1.0 or None and max_tokens >= "
                    f"{_MIN_REASONING_TOKENS} or None to `LM(...)`, e.g. "
                    f"LM({model!r}, temperature=1.0, max_tokens={_MIN_REASONING_TOKENS})",
                    provider=provider_name,
                    model=model,
                )
            # As DSPy: both keys are kept (``None`` = the server's default; never sent).
            extra = {key: value for key, value in {"stop": stop, **kwargs}.items() if value is not None}
            self.kwargs: dict[str, Any] = {
                "temperature": temperature,
                "max_completion_tokens": max_tokens,
                **provider.default_params(extra),
            }
        else:
            params = {"temperature": temperature, "max_tokens": max_tokens, "stop": stop, **kwargs}
            self.kwargs = provider.default_params(
                {key: value for key, value in params.items() if value is not None}
            )
        self.history: list[dict[str, Any]] = []
        self._provider: Provider = provider
        self._setup()

    def _setup(self) -> None:
        """Derive the per-request state from the configuration."""
        check_no_userinfo(self.base_url)
        credential = self._given_credential
        if credential is None:
            self._key_env = self.api_key_env or self._provider.key_env
            credential = Credential.from_env(self._key_env, base_url=self.base_url)
        else:
            self._key_env = credential.env_name
        self._credential = credential
        self._read_key = credential.reader
        # No key needed: a provider without one, or a server on this machine named by a variable.
        self._key_optional = credential.is_env and (self._key_env is None or _is_loopback(self.base_url))
        self._endpoint = Endpoint(
            self.provider,
            self.model,
            RetryPolicy(num_retries=self.num_retries, backoff=self.retry_backoff),
            self.timeout,
            credential.identity,
            diagnose=self._provider.diagnose,
        )
        self._price = price_for(self.provider, self.model_name)
        self._key_hasher = hashlib.sha256(
            _json.dumps_canonical(
                [
                    _CACHE_KEY_VERSION,
                    self.provider,
                    self.model_name,
                    self.base_url.rstrip("/") if self.base_url else None,
                    self.model_type,
                    credential.identity,
                ]
            )
        )
        self._limiter_key = (self.provider, self.model_name, self.base_url, credential.identity)
        self._url: httpx.URL | None = None
        if self.provider != "local" or self.base_url:
            self._url = self._resolve_url()
        self._ready = True

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in _CONFIG_FIELDS and self.__dict__.get("_ready"):
            self._setup()

    @property
    def credential_id(self) -> str:
        """The opaque identity of the credential this LM sends (never the key): part of its
        response-cache keys and of the keys of its circuit breaker and rate limiter."""
        return self._credential.identity

    # -- public calls ---------------------------------------------------------------------

    callback_kind = "lm"
    callbacks: list[Any]

    def __call__(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> list[str]:
        """DSPy-style call: ``lm("prompt")`` or ``lm(messages=[...])`` -> list of outputs."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                inputs = {"prompt": prompt, "messages": messages, **kwargs}
                outputs: list[str] = observe(
                    "lm",
                    callbacks,
                    self,
                    inputs,
                    lambda: self.request(_as_messages(prompt, messages), **kwargs).outputs,
                )
                return outputs
        return self.request(_as_messages(prompt, messages), **kwargs).outputs

    async def acall(
        self, prompt: str | None = None, messages: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> list[str]:
        """Async :meth:`__call__`."""
        if callbacks_enabled():
            callbacks = active_callbacks(self)
            if callbacks:
                inputs = {"prompt": prompt, "messages": messages, **kwargs}

                async def run() -> list[str]:
                    return (await self.arequest(_as_messages(prompt, messages), **kwargs)).outputs

                outputs: list[str] = await aobserve("lm", callbacks, self, inputs, run)
                return outputs
        return (await self.arequest(_as_messages(prompt, messages), **kwargs)).outputs

    def request(self, messages: list[dict[str, Any]] | str, **overrides: Any) -> LMResponse:
        """Send ``messages`` (or a prompt string) and return the full :class:`LMResponse`.

        ``overrides`` are generation parameters for this call only (``None`` removes a default),
        plus ``cache=False`` to bypass the cache.
        """
        begun = self._begin(messages, overrides)
        if begun[4] is not None:  # a cache hit: nothing for a driver to do
            return self._from_cache(begun[4], begun[0], begun[1], begun[5])
        return pipeline.run(self._steps(begun))

    async def arequest(self, messages: list[dict[str, Any]] | str, **overrides: Any) -> LMResponse:
        """Async :meth:`request` (uses the event loop's pooled client)."""
        begun = self._begin(messages, overrides)
        if begun[4] is not None:
            return self._from_cache(begun[4], begun[0], begun[1], begun[5])
        return await pipeline.arun(self._steps(begun))

    def astream(self, messages: list[dict[str, Any]] | str, **overrides: Any) -> AsyncIterator[str]:
        """Yield text deltas as the server streams them (server-sent events).

        The finished call is recorded in ``history`` (with usage when the server reports it)
        and cached; a cache hit yields the whole cached text at once.
        """
        return pipeline.astream(self._steps(self._begin(messages, overrides), stream=True))

    def _begin(self, messages: list[dict[str, Any]] | str, overrides: dict[str, Any]) -> _Begun:
        """The start of every call, before any step: the parameters, the cache key and the
        headers (no key, no answer: not even a cached one), and the cached answer if any."""
        start = perf_counter()
        messages, params, key = self._prepare(messages, overrides)
        api_key = self._read_key()
        # What _checked_headers() returns, with fewer calls when there is a key.
        headers = self._provider.headers(api_key) if api_key else self._checked_headers()
        hit = get_cache().get(key) if key is not None else None
        return messages, params, key, headers, hit, start

    def _steps(self, begun: _Begun, stream: bool = False) -> Steps[LMResponse]:
        """One call begun by :meth:`_begin`, as pipeline steps (:mod:`dspex.lm.pipeline`): cache
        hit, rate limit, URL, post (or stream), parse, record. Every public call runs it through a
        driver (``request`` and ``arequest`` answer a cache hit themselves, as this would)."""
        messages, params, key, headers, hit, start = begun
        if hit is not None:
            if stream and hit[0] and hit[0][0]:
                yield Replay(hit[0][0])
            return self._from_cache(hit, messages, params, start)
        try:
            if self.rpm or self.tpm:
                wait = get_limiter(self._limiter_key, self.rpm, self.tpm).reserve(
                    self._estimate_tokens(messages, params)
                )
                if wait > 0:
                    yield Wait(wait)
            url = self._url
            if url is None:
                url = yield Call(self._resolve_url, self._aresolve_url)
            if stream:
                state = self._provider.stream_state(self.model_type)
                body = _json.dumps(
                    self._provider.payload(
                        self.model_name, messages, _sent(params), self.model_type, stream=True
                    )
                )
                exchange = self._endpoint.exchange(url, body, headers, stream=True)
                try:
                    yield Stream(exchange, state, self._slots(url))
                except httpx.HTTPError as exc:
                    raise (yield from self._endpoint.failure(exc, url)) from exc
                except ValueError as exc:
                    raise LMError(f"malformed stream event: {exc}") from exc
                parsed, raw = state.result(), None
                if not state.done:
                    key = None  # a stream cut short is recorded, never cached
            else:
                bodies = self._bodies(messages, params)
                exchanges = [self._endpoint.exchange(url, body, headers) for body in bodies]
                parsed, raw = self._parse((yield Post(exchanges, self._slots(url))))
        except LMError as error:
            self._contextualize(error)
            raise
        return self._finish(parsed, raw, messages, params, key, start)

    # -- request plumbing -----------------------------------------------------------------

    def _prepare(
        self, messages: list[dict[str, Any]] | str, overrides: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any], str | None]:
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        use_cache = self.cache
        params = self.kwargs
        if overrides:
            use_cache = overrides.pop("cache", use_cache)
            if overrides:
                _reject_credentials(overrides, "a request")
                params = {**params, **overrides}
                if None in overrides.values():
                    params = {k: v for k, v in params.items() if v is not None}
        if self.use_developer_role:
            messages = [{**m, "role": "developer"} if m.get("role") == "system" else m for m in messages]
        if not use_cache:
            return messages, params, None
        hasher = self._key_hasher.copy()
        hasher.update(_json.dumps_canonical((messages, params)))
        return messages, params, hasher.hexdigest()

    def _api_key(self) -> str | None:
        """The key, read from its credential at request time (never stored on the LM)."""
        return self._credential.key()

    def _missing_key_error(self) -> AuthenticationError:
        return self._credential.missing_key_error(self.model, self.provider)

    def _headers(self) -> dict[str, str]:
        key = self._credential.key()
        if not key:
            if not self._key_optional:
                raise self._missing_key_error()
            key = PLACEHOLDER_KEY
        return self._provider.headers(key)

    def _checked_headers(self) -> dict[str, str]:
        try:
            return self._headers()
        except LMError as error:
            self._contextualize(error)
            raise

    def _slots(self, url: httpx.URL) -> RequestSlots | None:
        """The client-side queue for servers that run one request at a time (the local model)."""
        size = self._provider.max_concurrency
        return request_slots(_server_key(url), size) if size else None

    def _resolve_url(self) -> httpx.URL:
        base = self._provider.resolve_base_url(self.base_url, self.model_name)
        return httpx.URL(self._provider.url(base, self.model_type))

    async def _aresolve_url(self) -> httpx.URL:
        base = await self._provider.aresolve_base_url(self.base_url, self.model_name)
        return httpx.URL(self._provider.url(base, self.model_type))

    def _bodies(self, messages: list[dict[str, Any]], params: dict[str, Any]) -> list[bytes]:
        """One request body, or ``n`` of them for providers that cannot sample ``n`` at once."""
        n = params.get("n", 1)
        if n > 1 and not self._provider.supports_n:
            params = {k: v for k, v in params.items() if k != "n"}
        else:
            n = 1
        body = _json.dumps(self._provider.payload(self.model_name, messages, _sent(params), self.model_type))
        return [body] * n

    def _parse(self, datas: list[Any]) -> tuple[Parsed, Any]:
        if len(datas) == 1:
            return self._provider.parse(datas[0], self.model_type), datas[0]
        return _merge_parsed([self._provider.parse(d, self.model_type) for d in datas]), None

    @staticmethod
    def _estimate_tokens(messages: list[dict[str, Any]], params: dict[str, Any]) -> int:
        chars = sum(len(str(m.get("content") or "")) for m in messages)
        completion = (params.get("max_tokens") or 256) * int(params.get("n") or 1)
        return chars // 4 + completion

    def _contextualize(self, error: LMError) -> LMError:
        """Name the provider and model in ``error`` and blank out the API key wherever a server
        echoed it (error bodies, malformed responses, stream error events)."""
        if error.provider is None:
            error.provider = self.provider
            error.model = self.model
            error.message = f"{self.model}: {error.message}"
        key = self._api_key()
        if key and len(key) >= 4:
            error.message = error.message.replace(key, "***")
        error.args = (error.message,)
        return error

    def _finish(
        self,
        parsed: Parsed,
        raw: Any,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        key: str | None,
        start: float,
    ) -> LMResponse:
        response = LMResponse(
            parsed.outputs,
            parsed.usage,
            cost_of(self._price, parsed.usage),
            (perf_counter() - start) * 1000.0,
            False,
            self.model,
            parsed.finish_reasons,
            self.provider,
            parsed.model,
            raw,
        )
        if key is not None:
            details = message_extras(raw, len(parsed.outputs))
            get_cache().put(key, (tuple(parsed.outputs), tuple(parsed.finish_reasons), parsed.model, details))
        self._record(messages, params, response)
        return response

    def _from_cache(
        self,
        hit: CachedResult,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        start: float,
    ) -> LMResponse:
        outputs, reasons, model, details = hit
        response = LMResponse(
            list(outputs),
            Usage(),
            0.0,
            (perf_counter() - start) * 1000.0,
            True,
            self.model,
            list(reasons),
            self.provider,
            model,
            None if details is None else replayed_body(outputs, details),
        )
        # Usage().to_dict(), built in place: this runs on every cache hit.
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0, "total_tokens": 0}
        self._record(messages, params, response, usage)
        return response

    def _record(
        self,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        response: LMResponse,
        usage: dict[str, int] | None = None,
    ) -> None:
        sent = dict(params)
        entry = {
            "model": self.model,
            "provider": self.provider,
            "prompt": None,
            "messages": messages,
            "params": sent,
            "kwargs": sent,  # DSPy's name for the call's parameters
            "model_type": self.model_type,
            "outputs": response.outputs,
            "usage": response.usage.to_dict() if usage is None else usage,
            "cost": response.cost,
            "latency_ms": response.latency_ms,
            "cache_hit": response.cache_hit,
            "timestamp": utc_timestamp(),
            "finish_reasons": response.finish_reasons,
            "response_model": response.response_model,
        }
        history = self.history
        history.append(entry)
        if len(history) > MAX_HISTORY + 1000:
            # One slice deletion relative to the end: atomic, so concurrent callers cannot trim twice.
            del history[: -MAX_HISTORY or None]
        record_global(entry)
        publish(entry)

    # -- state ----------------------------------------------------------------------------

    def inspect_history(self, n: int = 1, file: TextIO | None = None) -> str:
        """Print the last ``n`` calls role by role (to ``file`` or stdout) and return the text."""
        text = format_history(self.history[-n:] if n > 0 else [])
        print(text, file=file or sys.stdout)
        return text

    def dump_state(self) -> dict[str, Any]:
        """Configuration as plain JSON in DSPy's layout (DSPy loads it too); never contains a key.

        The class under ``LM_CLASS_STATE_KEY`` (DSPy's LM), ``model``, ``model_type``, the
        generation parameters (a reasoning model's ``max_completion_tokens`` as ``max_tokens``),
        ``num_retries``, ``cache``, DSPy's fine-tuning entries, ``use_developer_role`` when set,
        and dspex's own settings (``base_url``, ``api_key_env``, ``timeout``, ``rpm``, ``tpm``,
        ``retry_backoff``) when they differ from their defaults.
        """
        kwargs = {k: v for k, v in self.kwargs.items() if k != LM_CLASS_STATE_KEY}
        if self._reasoning and "max_completion_tokens" in kwargs:
            kwargs["max_tokens"] = kwargs.pop("max_completion_tokens")
        state: dict[str, Any] = {
            LM_CLASS_STATE_KEY: STATE_CLASS,
            "model": self.model,
            "model_type": self.model_type,
            **kwargs,
            "num_retries": self.num_retries,
            "cache": self.cache,
            "finetuning_model": self.finetuning_model,
            "launch_kwargs": dict(self.launch_kwargs),
            "train_kwargs": dict(self.train_kwargs),
        }
        if self.use_developer_role:
            state["use_developer_role"] = True
        for name, default in _OPTIONAL_STATE.items():
            value = getattr(self, name)
            if value != default:
                state[name] = value
        if self.timeout != self._provider.default_timeout:
            state["timeout"] = self.timeout
        return state

    def _rebuild_state(self) -> dict[str, Any]:
        """:meth:`dump_state` as ``LM(**...)`` takes it (without the class marker)."""
        state = self.dump_state()
        del state[LM_CLASS_STATE_KEY]
        return state

    @classmethod
    def load_state(cls, state: dict[str, Any], *, allow_custom_lm_class: bool = False) -> Any:
        """Rebuild an LM from :meth:`dump_state` output, ours or DSPy's.

        The class named under ``LM_CLASS_STATE_KEY`` decides, as in :meth:`BaseLM.load_state`:
        ours or DSPy's LM (or none) gives an :class:`LM`; another class is imported only with
        ``allow_custom_lm_class=True``. DSPy-only settings (its provider and engine options) are
        dropped, and so are the credentials and endpoint a DSPy file might carry (``api_key``,
        ``api_base``). Our own ``base_url`` and ``api_key_env`` are kept, because :meth:`dump_state`
        round-trips them: a state from an untrusted source can therefore send the key held in a
        variable it names (or the provider's default variable) to a server it names. Load such
        states with their ``lm`` entries removed, or only from trusted storage. A state never
        carries a ``credential`` (nor other connection settings such as ``headers``): they are
        dropped.
        """
        if cls is not LM:
            return cls._from_state(state)
        return BaseLM.load_state(state, allow_custom_lm_class=allow_custom_lm_class)

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> LM:
        dropped = _FOREIGN_STATE_KEYS | (CONNECTION_KEYS - {"base_url", "api_key_env"})
        return cls(**{k: v for k, v in state.items() if not k.startswith("_") and k not in dropped})

    from_state = load_state

    def copy(self, **changes: Any) -> LM:
        """A new LM with ``changes`` applied (generation params set to ``None`` are removed).

        The copy has an empty history and shares the cache, connection pools and rate-limit
        buckets with this one.
        """
        state = self._rebuild_state()
        credential = self._given_credential
        callbacks = self.callbacks
        for name, value in changes.items():
            if name == "credential":
                credential = value
            elif name == "callbacks":
                callbacks = value
            elif value is None and name not in _CONFIG_FIELDS:
                state.pop(name, None)
            else:
                state[name] = value
        if changes.get("api_key_env") is not None and "credential" not in changes:
            credential = None  # a key variable given to the copy replaces the credential
        return type(self)(**state, credential=credential, callbacks=callbacks)

    def __getstate__(self) -> dict[str, Any]:
        # A credential holding a key refuses to be pickled (dspex.lm.credentials).
        return {
            "state": self._rebuild_state(),
            "history": list(self.history),
            "credential": self._given_credential,
        }

    def __setstate__(self, data: dict[str, Any]) -> None:
        self.__init__(**data["state"], credential=data.get("credential"))  # type: ignore[misc]
        self.history = data["history"]

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={getattr(self, name)!r}"
            for name in ("base_url", "api_key_env")
            if getattr(self, name) is not None
        )
        if self._given_credential is not None:
            extras += f", credential={self._given_credential!r}"
        return f"LM({self.model!r}{extras}, cache={self.cache}, kwargs={self.kwargs!r})"


register_builtin_loader(LM._from_state)
