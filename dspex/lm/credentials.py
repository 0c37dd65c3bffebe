"""Where an LM's API key comes from, and whose it is.

A :class:`Credential` pairs a way to read the key (at request time) with an opaque ``identity``
string. The identity is what tells tenants apart: it is part of every response-cache key and of
the keys of circuit breakers and rate limiters, so two credentials never share cached answers,
breaker state or rate budgets. It is never the key, nor derived from the key's value.

- ``Credential.from_env("OPENAI_API_KEY")``: the key in an environment variable (what
  ``LM(api_key_env=...)`` uses); the identity is derived from the variable's *name* and the base
  URL, plus an optional ``tenant`` string;
- ``Credential.from_secret(secret, identity=..., source=...)``: a key held in memory for the life
  of the object (a platform decrypts a stored key and passes it this way). Such a credential is
  never serialized: ``pickle`` refuses it and ``dump_state`` leaves it out.

A credential is immutable and shared, not copied, by ``copy.copy``/``copy.deepcopy``.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from typing import Any

from dspex.lm.errors import AuthenticationError

__all__ = ["CONNECTION_KEYS", "Credential", "check_no_userinfo", "reject_connection_keys"]

# Keyword arguments that decide where a request goes or what it authenticates with. An LM takes
# its endpoint and credential as explicit arguments; these names are refused among generation
# parameters and per-call overrides, because dspy/LiteLLM would read several of them as
# connection settings (``api_base`` sends the request, key included, to another server).
CONNECTION_KEYS = frozenset(
    {
        "api_key",
        "api_base",
        "base_url",
        "api_key_env",
        "credential",
        "headers",
        "extra_headers",
        "extra_query",
        "api_version",
        "azure_ad_token",
        "azure_ad_token_provider",
        "organization",
        "project",
        "custom_llm_provider",
    }
)


def reject_connection_keys(params: dict[str, Any], where: str) -> None:
    """Raise ``TypeError`` when ``params`` holds a connection setting (see ``CONNECTION_KEYS``)."""
    found = sorted(key for key in params if key in CONNECTION_KEYS)
    if not found:
        return
    if "api_key" in found:
        raise TypeError(
            f"{where} does not accept api_key=: credentials come from the environment; "
            "pass api_key_env='NAME_OF_THE_VARIABLE' (or credential=) to LM(...)"
        )
    raise TypeError(
        f"{where} does not accept {', '.join(found)}: the endpoint and credential are set when the "
        "LM is created (LM(model, base_url=..., api_key_env=...)), never per request or in params"
    )


def check_no_userinfo(base_url: str | None, what: str = "base_url") -> None:
    """Refuse a URL carrying ``user:password@``: credentials never travel inside a URL (it is
    stored, logged and shown)."""
    if not base_url:
        return
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(base_url)
    except ValueError as exc:
        raise ValueError(f"{what} is not a valid URL: {exc}") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError(
            f"{what} must not contain credentials (user:password@host): put the key in an "
            "environment variable and name it with api_key_env="
        )


def _digest(*parts: str | None) -> str:
    text = "\x1f".join(part or "" for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Credential:
    """An API key source and its opaque identity (see the module docstring)."""

    __slots__ = ("_env", "_read", "identity", "source")

    def __init__(self, identity: str, read: Callable[[], str | None], *, source: str = "a credential"):
        if not isinstance(identity, str) or not identity:
            raise ValueError("a Credential needs a non-empty identity string")
        object.__setattr__(self, "identity", identity)
        object.__setattr__(self, "_read", read)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_env", None)

    identity: str
    source: str
    _read: Callable[[], str | None]
    # from_env credentials: (variable name, base URL, tenant), what a pickle carries.
    _env: tuple[str | None, str | None, str | None] | None

    @classmethod
    def from_env(
        cls, name: str | None, *, base_url: str | None = None, tenant: str | None = None
    ) -> Credential:
        """The key in ``$name`` (``None``: no key). The identity is derived from the variable's
        name, ``base_url`` (trailing ``/`` ignored) and ``tenant`` -- never from the value."""
        base = base_url.rstrip("/") if base_url else None
        identity = "env-" + _digest("env", name, base, tenant)

        read = _env_reader(name) if name else _no_key

        source = f"the {name} environment variable" if name else "no key"
        credential = cls(identity, read, source=source)
        object.__setattr__(credential, "_env", (name, base_url, tenant))
        return credential

    @classmethod
    def from_secret(
        cls, secret: str | None, *, identity: str, source: str = "a stored credential"
    ) -> Credential:
        """A key held in memory. ``identity`` must not be derived from ``secret``."""
        return cls(identity, lambda: secret, source=source)

    @property
    def is_env(self) -> bool:
        """Whether the key is read from an environment variable (``from_env``)."""
        return self._env is not None

    @property
    def env_name(self) -> str | None:
        """The variable's name for ``from_env`` credentials, else ``None``."""
        return self._env[0] if self._env is not None else None

    def key(self) -> str | None:
        """The key, read now (``None`` or ``""`` when there is none)."""
        return self._read()

    @property
    def reader(self) -> Callable[[], str | None]:
        """The function :meth:`key` calls (for code on every request's path: one call less)."""
        return self._read

    def missing_key_error(self, model: str, provider: str) -> AuthenticationError:
        """The error for a request that needs this credential's key while it holds none."""
        if self._env is not None:
            message = (
                f"{model}: no API key: set the {self._env[0]} environment variable "
                "(or pass api_key_env= naming the variable that holds the key)"
            )
        else:
            message = f"{model}: no API key: {self.source} holds none"
        return AuthenticationError(message, provider=provider, model=model)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Credential is immutable")

    def __copy__(self) -> Credential:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Credential:
        return self

    def __reduce__(self) -> Any:
        if self._env is not None:  # only the variable's name travels
            return (_env_credential, self._env)
        # Any other credential would carry the key (or the function that reads it) to disk or
        # another process.
        raise TypeError(
            "a dspex Credential holding a key is never pickled; build it again where it is needed"
        )

    def __repr__(self) -> str:
        return f"Credential(identity={self.identity!r}, source={self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Credential) and other.identity == self.identity

    def __hash__(self) -> int:
        return hash(self.identity)


def _no_key() -> None:
    return None


def _env_reader(name: str) -> Callable[[], str | None]:
    """A function returning ``os.environ.get(name)``, read at each call.

    On POSIX it reads the bytes that ``os.environ`` keeps (and updates on every change made through
    it) and decodes them as ``os.environ`` does: four Python-level calls fewer on every request.
    Elsewhere, or when ``os.environ`` is not the object it was (a test replaced it), it asks
    ``os.environ`` itself.
    """
    environ = os.environ
    data = getattr(environ, "_data", None)
    if os.name != "posix" or not isinstance(data, dict):
        return lambda: os.environ.get(name)
    encoded = name.encode(sys.getfilesystemencoding(), "surrogateescape")
    encoding = sys.getfilesystemencoding()

    def read() -> str | None:
        if os.environ is not environ:
            return os.environ.get(name)
        raw = data.get(encoded)
        return None if raw is None else raw.decode(encoding, "surrogateescape")

    return read


def _env_credential(name: str | None, base_url: str | None, tenant: str | None) -> Credential:
    return Credential.from_env(name, base_url=base_url, tenant=tenant)
