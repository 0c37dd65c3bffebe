"""``Embedder``: text embeddings from an OpenAI-compatible ``/embeddings`` endpoint, the bundled
local model, or any function."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import weakref
from collections.abc import Callable, Sequence
from typing import Any, overload

import httpx

from dspex.lm import _json, local
from dspex.lm.cache import MemoryCache
from dspex.lm.credentials import Credential, check_no_userinfo
from dspex.lm.errors import LMError
from dspex.lm.lm import PLACEHOLDER_KEY, _is_loopback, _reject_credentials
from dspex.lm.providers import get_provider
from dspex.lm.retry import RetryPolicy
from dspex.lm.slots import RequestSlots, request_slots
from dspex.lm.transport import Endpoint

__all__ = ["Embedder", "mean_pool", "reset_embedding_cache"]

Vector = list[float]
EmbedFunction = Callable[[list[str]], Any]

_EMBEDDING_PROVIDERS = ("openai", "local")
_vectors = MemoryCache(maxsize=100_000)
# A callable's vectors are cached under a token of that very object (never its name: two
# functions of one name must not share vectors), for as long as it lives.
_function_tokens: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_token_counter = itertools.count(1)


class InvalidEmbedderModel(TypeError, ValueError):
    """The model is neither a ``'<provider>/<name>'`` string nor a callable (a ``TypeError``,
    and a ``ValueError`` as DSPy raises)."""


def _function_prefix(function: Any) -> bytes | None:
    try:
        token = _function_tokens.get(function)
        if token is None:
            token = _function_tokens[function] = next(_token_counter)
    except TypeError:  # not weak-referenceable: not cached
        return None
    return f"function:{token}:".encode()


def reset_embedding_cache() -> None:
    """Forget every cached vector (used by tests)."""
    _vectors.clear()


def mean_pool(embedding: Any) -> Vector:
    """One vector per text: servers in per-token mode (llama.cpp without pooling) return a list of
    token vectors, which are averaged."""
    if embedding and isinstance(embedding[0], list | tuple):
        count = len(embedding)
        return [sum(column) / count for column in zip(*embedding, strict=True)]
    return [float(x) for x in embedding]


class _Plan:
    """One call's texts: which are cached, which to send (each distinct text once), and the result."""

    def __init__(self, texts: list[str], single: bool, cache_prefix: bytes | None, name: str) -> None:
        self.texts = texts
        self.single = single
        self.name = name
        self.found: list[Vector | None] = [None] * len(texts)
        self.keys: list[str | None] = [None] * len(texts)
        self.missing: list[int] = []
        self.copies: dict[int, int] = {}
        first: dict[str, int] = {}
        for i, text in enumerate(texts):
            if cache_prefix is not None:
                key = self.keys[i] = hashlib.sha256(cache_prefix + text.encode()).hexdigest()
                hit = _vectors.get(key)
                if hit is not None:
                    self.found[i] = list(hit)  # type: ignore[arg-type]
                    continue
            if text in first:
                self.copies[i] = first[text]
            else:
                first[text] = i
                self.missing.append(i)

    def batches(self, size: int) -> list[list[int]]:
        return [self.missing[i : i + size] for i in range(0, len(self.missing), size)]

    def texts_of(self, batch: list[int]) -> list[str]:
        return [self.texts[i] for i in batch]

    def store(self, batch: list[int], vectors: list[Vector]) -> None:
        if len(vectors) != len(batch):
            raise LMError(f"{self.name}: asked for {len(batch)} embeddings, got {len(vectors)}")
        for index, vector in zip(batch, vectors, strict=True):
            self.found[index] = vector
            key = self.keys[index]
            if key is not None:
                _vectors.put(key, tuple(vector))  # type: ignore[arg-type]

    def result(self) -> Vector | list[Vector]:
        for index, source in self.copies.items():
            self.found[index] = list(self.found[source])  # type: ignore[arg-type]
        return self.found[0] if self.single else self.found  # type: ignore[return-value]


class Embedder:
    """Embed texts: ``embedder("text") -> list[float]``, ``embedder([...]) -> list[list[float]]``.

    ``model`` is ``"openai/<name>"`` (OpenAI or, with ``base_url``, any OpenAI-compatible server),
    ``"local/gemma-3-270m"`` (the bundled model, served by a second llama.cpp server started in
    embedding mode on first use; its token vectors are mean-pooled), or a callable that maps a list
    of strings to a list of vectors (or anything with ``tolist()``, e.g. a numpy array).

    Texts are sent in batches of ``batch_size``; with ``cache=True`` each text's vector from a
    model name is kept in memory for the life of the process, so repeated texts cost nothing (a
    callable is called every time). Credentials follow
    :class:`dspex.LM`: the key is read at request time from ``$OPENAI_API_KEY`` or the variable
    named by ``api_key_env`` (or from ``credential=``) and never stored; the credential's identity
    keeps cached vectors and circuit breakers of different credentials apart. Extra keyword
    arguments (``dimensions``, ...) are sent with every request.

    Example::

        embedder = dspex.Embedder("openai/text-embedding-3-small")
        vectors = embedder(["a gem of a film", "a waste of time"])
    """

    def __init__(
        self,
        model: str | EmbedFunction,
        *,
        base_url: str | None = None,
        api_key_env: str | None = None,
        batch_size: int = 200,
        cache: bool = True,
        num_retries: int = 3,
        timeout: float = 60.0,
        retry_backoff: float = 0.5,
        credential: Credential | None = None,
        **kwargs: Any,
    ) -> None:
        _reject_credentials(kwargs, "Embedder")
        check_no_userinfo(base_url)
        if credential is not None:
            if not isinstance(credential, Credential):
                raise TypeError(f"credential must be a dspex Credential, got {type(credential).__name__}")
            if api_key_env is not None:
                raise TypeError("pass api_key_env= or credential=, not both")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.model = model
        self.base_url = base_url
        self.api_key_env = api_key_env
        self.batch_size = batch_size
        self.cache = cache
        self.kwargs = kwargs
        self._function: EmbedFunction | None = None
        if callable(model):
            self._function = model
            self._cache_prefix = _function_prefix(model)
            return
        if not isinstance(model, str):
            raise InvalidEmbedderModel(
                f"model must be a '<provider>/<name>' string or a callable, got {model!r}"
            )
        provider_name, _, model_name = model.partition("/")
        if provider_name not in _EMBEDDING_PROVIDERS or not model_name:
            raise ValueError(
                f"Embedder model must look like 'openai/<name>' or 'local/<name>' "
                f"(or be a callable), got {model!r}"
            )
        self.provider = provider_name
        self.model_name = model_name
        self._provider = get_provider(provider_name)
        if credential is None:
            self._key_env = api_key_env or self._provider.key_env
            credential = Credential.from_env(self._key_env, base_url=base_url)
        else:
            self._key_env = credential.env_name
        self._credential = credential
        self._key_optional = credential.is_env and (self._key_env is None or _is_loopback(base_url))
        self._endpoint = Endpoint(
            provider_name,
            model,
            RetryPolicy(num_retries=num_retries, backoff=retry_backoff),
            timeout,
            credential.identity,
            diagnose=self._provider.diagnose,
        )
        self._cache_prefix = _json.dumps_canonical(
            [model, base_url.rstrip("/") if base_url else None, kwargs, credential.identity]
        )

    @property
    def credential_id(self) -> str | None:
        """The opaque identity of the credential (``None`` for a callable embedder)."""
        credential = getattr(self, "_credential", None)
        return credential.identity if credential is not None else None

    # -- public calls ---------------------------------------------------------------------

    # A str is also a Sequence[str]: the first overload wins for it, as at run time.
    @overload
    def __call__(  # type: ignore[overload-overlap]
        self, inputs: str, batch_size: int | None = None, cache: bool | None = None
    ) -> Vector: ...

    @overload
    def __call__(
        self, inputs: Sequence[str], batch_size: int | None = None, cache: bool | None = None
    ) -> list[Vector]: ...

    def __call__(
        self, inputs: str | Sequence[str], batch_size: int | None = None, cache: bool | None = None
    ) -> Vector | list[Vector]:
        """Embed one text (one vector) or a list of texts (one vector each, in order)."""
        plan = self._plan(inputs, cache)
        for batch in plan.batches(batch_size or self.batch_size):
            plan.store(batch, self._embed_batch(plan.texts_of(batch)))
        return plan.result()

    @overload
    async def acall(  # type: ignore[overload-overlap]  # as in __call__
        self, inputs: str, batch_size: int | None = None, cache: bool | None = None
    ) -> Vector: ...

    @overload
    async def acall(
        self, inputs: Sequence[str], batch_size: int | None = None, cache: bool | None = None
    ) -> list[Vector]: ...

    async def acall(
        self, inputs: str | Sequence[str], batch_size: int | None = None, cache: bool | None = None
    ) -> Vector | list[Vector]:
        """Async :meth:`__call__` (batches go out concurrently)."""
        plan = self._plan(inputs, cache)
        batches = plan.batches(batch_size or self.batch_size)
        results = await asyncio.gather(*(self._aembed_batch(plan.texts_of(b)) for b in batches))
        for batch, vectors in zip(batches, results, strict=True):
            plan.store(batch, vectors)
        return plan.result()

    # -- plumbing -------------------------------------------------------------------------

    def _plan(self, inputs: str | Sequence[str], cache: bool | None) -> _Plan:
        single = isinstance(inputs, str)
        texts: list[str] = [inputs] if isinstance(inputs, str) else list(inputs)
        bad = [i for i, text in enumerate(texts) if not isinstance(text, str)]
        if bad:
            raise TypeError(f"Embedder takes strings; inputs {bad} are not (first: {texts[bad[0]]!r})")
        use_cache = self.cache if cache is None else cache
        return _Plan(texts, single, self._cache_prefix if use_cache else None, self._name())

    def _name(self) -> str:
        return self.model if isinstance(self.model, str) else getattr(self.model, "__name__", "embedder")

    def _from_function(self, texts: list[str]) -> list[Vector]:
        assert self._function is not None
        result = self._function(texts)
        if hasattr(result, "tolist"):
            result = result.tolist()
        return [[float(x) for x in row] for row in result]

    def _embed_batch(self, texts: list[str]) -> list[Vector]:
        if self._function is not None:
            return self._from_function(texts)
        url = self._url(self._base_url())
        slots = self._slots(url)
        try:
            if slots is None:
                data = self._endpoint.post(url, self._body(texts), self._headers())
            else:
                with slots:
                    data = self._endpoint.post(url, self._body(texts), self._headers())
        except LMError as error:
            raise self._contextualize(error) from None
        return self._parse(data)

    async def _aembed_batch(self, texts: list[str]) -> list[Vector]:
        if self._function is not None:
            return self._from_function(texts)
        url = self._url(await self._abase_url())
        slots = self._slots(url)
        try:
            if slots is None:
                data = await self._endpoint.apost(url, self._body(texts), self._headers())
            else:
                async with slots:
                    data = await self._endpoint.apost(url, self._body(texts), self._headers())
        except LMError as error:
            raise self._contextualize(error) from None
        return self._parse(data)

    def _slots(self, url: httpx.URL) -> RequestSlots | None:
        size = self._provider.max_concurrency
        return request_slots(f"{url.scheme}://{url.host}:{url.port}", size) if size else None

    def _base_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        if self.provider == "local":
            return local.ensure_embedding_server(self.model_name)
        return self._provider.resolve_base_url(None, self.model_name)

    async def _abase_url(self) -> str:
        if (
            self.provider == "local"
            and not self.base_url
            and not local.embedding_server_ready(self.model_name)
        ):
            return await asyncio.to_thread(local.ensure_embedding_server, self.model_name)
        return self._base_url()

    @staticmethod
    def _url(base_url: str) -> httpx.URL:
        return httpx.URL(base_url + "/embeddings")

    def _body(self, texts: list[str]) -> bytes:
        return _json.dumps({"model": self.model_name, "input": texts, **self.kwargs})

    def _headers(self) -> dict[str, str]:
        key = self._credential.key()
        if not key:
            if not self._key_optional:
                raise self._credential.missing_key_error(self._name(), self.provider)
            key = PLACEHOLDER_KEY
        return self._provider.headers(key)

    def _parse(self, data: Any) -> list[Vector]:
        try:
            items = sorted(data["data"], key=lambda item: item.get("index", 0))
            return [mean_pool(item["embedding"]) for item in items]
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            raise LMError(
                f"{self.model}: malformed embeddings response ({type(exc).__name__}: {exc})",
                provider=self.provider,
                model=self._name(),
            ) from None

    def _contextualize(self, error: LMError) -> LMError:
        key = self._credential.key()
        if key and len(key) >= 4:
            error.message = error.message.replace(key, "***")
            error.args = (error.message,)
        return error

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={getattr(self, name)!r}"
            for name in ("base_url", "api_key_env")
            if getattr(self, name) is not None
        )
        return f"Embedder({self._name()!r}{extras}, batch_size={self.batch_size}, cache={self.cache})"
