"""The LM endpoints programs may use: operator configuration, never user input.

``settings.DSPEX_LM_ENDPOINTS`` maps a name to ``{"provider", "base_url", "key_env", "models",
"shared_key", "user_credentials", "allow_private", "default_model"}`` (see
docs/security-endpoints.md). A program's ``lm_config`` names an endpoint (``{"endpoint": "openai",
"model": "gpt-4o-mini"}``) or gives a ``"provider/model"`` string whose provider is the name of an
endpoint (``{"model": "openai/gpt-4o-mini"}``). It never gives a URL or the name of an environment
variable: the only URLs requests go to and the only variables keys are read from are the ones
here.

This module reads settings at call time and imports nothing from the engine.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

__all__ = [
    "LMEndpoint",
    "check_endpoint_address",
    "endpoint_for_base_url",
    "get_endpoint",
    "lm_endpoints",
    "normalize_lm_config",
    "redact_endpoint_urls",
    "resolve_model",
]

_SPEC_KEYS = frozenset(
    {"provider", "base_url", "key_env", "models", "shared_key", "user_credentials", "allow_private",
     "default_model", "description"}
)  # fmt: skip
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class LMEndpoint:
    """One allow-listed endpoint. ``base_url`` ``None``: the provider's own (for ``local``: the
    bundled model the engine starts on this machine)."""

    name: str
    provider: str
    base_url: str | None
    key_env: str | None
    models: tuple[str, ...]
    shared_key: bool
    user_credentials: bool
    allow_private: bool
    default_model: str | None
    description: str = ""

    def allows(self, model_name: str) -> bool:
        """Whether ``model_name`` (without provider prefix) matches one of ``models``."""
        return any(fnmatchcase(model_name, pattern) for pattern in self.models)

    @property
    def fallback_model(self) -> str | None:
        """The model used when a config names this endpoint but no model."""
        if self.default_model:
            return self.default_model
        return next((m for m in self.models if not _GLOB.search(m)), None)


def _fail(name: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"DSPEX_LM_ENDPOINTS[{name!r}]: {message}")


def _check_url(name: str, url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise _fail(name, "base_url must be a non-empty string (or leave it out)")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise _fail(name, f"base_url is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(name, f"base_url must be an http(s) URL with a host, got {url!r}")
    if "@" in parts.netloc:
        raise _fail(name, "base_url must not contain user:password@ (name the key with key_env)")
    if parts.query or parts.fragment:
        raise _fail(name, "base_url must not have a query or fragment")
    return url.rstrip("/")


def _parse(name: str, spec: Any) -> LMEndpoint:
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(str(name), "names are 1-64 letters, digits, '_', '-' or '.'")
    if not isinstance(spec, Mapping):
        raise _fail(name, "must be an object")
    unknown = sorted(set(spec) - _SPEC_KEYS)
    if unknown:
        raise _fail(name, f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_SPEC_KEYS))})")
    provider = spec.get("provider", name)
    if not isinstance(provider, str) or not provider:
        raise _fail(name, "provider must be openai, anthropic or local")
    base_url = spec.get("base_url")
    if base_url is not None:
        base_url = _check_url(name, base_url)
    key_env = spec.get("key_env")
    if key_env is not None and (not isinstance(key_env, str) or not _ENV_NAME.match(key_env)):
        raise _fail(name, "key_env must be the NAME of an environment variable")
    models = spec.get("models", ["*"])
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, list | tuple) or not all(isinstance(m, str) and m for m in models):
        raise _fail(name, 'models must be a list of model names or glob patterns, e.g. ["gpt-4o*"]')
    flags = {}
    for flag, default in (("shared_key", True), ("user_credentials", key_env is not None)):
        value = spec.get(flag, default)
        if not isinstance(value, bool):
            raise _fail(name, f"{flag} must be true or false")
        flags[flag] = value
    allow_private = spec.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise _fail(name, "allow_private must be true or false")
    default_model = spec.get("default_model")
    if default_model is not None and not isinstance(default_model, str):
        raise _fail(name, "default_model must be a model name")
    return LMEndpoint(
        name=name,
        provider=provider,
        base_url=base_url,
        key_env=key_env,
        models=tuple(models),
        shared_key=flags["shared_key"],
        user_credentials=flags["user_credentials"],
        allow_private=allow_private,
        default_model=default_model,
        description=str(spec.get("description") or ""),
    )


def lm_endpoints() -> dict[str, LMEndpoint]:
    """Every configured endpoint by name, in settings order (``ImproperlyConfigured`` naming the
    entry when one is malformed)."""
    configured = getattr(settings, "DSPEX_LM_ENDPOINTS", None) or {}
    if not isinstance(configured, Mapping):
        raise ImproperlyConfigured("DSPEX_LM_ENDPOINTS must be an object of endpoints by name")
    return {name: _parse(name, spec) for name, spec in configured.items() if spec is not None}


def _names(endpoints: Mapping[str, LMEndpoint]) -> str:
    return ", ".join(endpoints) or "(none configured)"


def _lm_error(message: str, code: str = "invalid_lm_config") -> ValidationError:
    return ValidationError({"lm_config": ValidationError(message, code=code)})


def get_endpoint(name: Any) -> LMEndpoint:
    """The endpoint called ``name``; a ``ValidationError`` on ``lm_config`` naming the allowed
    names otherwise."""
    endpoints = lm_endpoints()
    if not isinstance(name, str) or name not in endpoints:
        raise _lm_error(
            f"lm_config.endpoint {name!r} is not an endpoint of this server (allowed: {_names(endpoints)})",
            "invalid_choice",
        )
    return endpoints[name]


def endpoint_for_base_url(base_url: Any) -> LMEndpoint | None:
    """The endpoint whose URL is exactly ``base_url`` (a trailing ``/`` aside), if any."""
    if not isinstance(base_url, str) or not base_url:
        return None
    wanted = base_url.rstrip("/")
    return next((e for e in lm_endpoints().values() if e.base_url and e.base_url == wanted), None)


def _split(model: str, provider: str) -> str:
    prefix = f"{provider}/"
    return model[len(prefix) :] if model.startswith(prefix) else model


def resolve_model(config: Mapping[str, Any]) -> tuple[LMEndpoint, str]:
    """The endpoint and model name (without provider prefix) a valid ``lm_config`` means.

    ``{"endpoint": name, "model": m}``: ``m`` may carry the endpoint's provider as a prefix; no
    model means the endpoint's ``default_model``. ``{"model": "provider/name"}`` (or no model: the
    ``DSPEX_DEFAULT_LM`` setting) means the endpoint named like the provider. The model must match
    the endpoint's ``models``.
    """
    name = config.get("endpoint")
    model = config.get("model")
    if name is not None:
        endpoint = get_endpoint(name)
        if model:
            model_name = _split(model, endpoint.provider)
        else:
            model_name = endpoint.fallback_model or ""
            if not model_name:
                raise _lm_error(
                    f"lm_config.model is required: endpoint {endpoint.name!r} has no default model",
                    "model_required",
                )
    else:
        model = model or settings.DSPEX_DEFAULT_LM
        provider, _, model_name = model.partition("/")
        if not provider or not model_name:
            raise _lm_error(
                f"lm_config.model must look like '<provider>/<name>' (or name an endpoint with "
                f"lm_config.endpoint), got {model!r}"
            )
        endpoints = lm_endpoints()
        found = endpoints.get(provider)
        if found is None or found.provider != provider:
            raise _lm_error(
                f"no endpoint of this server is named after provider {provider!r}: name one with "
                f"lm_config.endpoint (allowed: {_names(endpoints)})",
                "invalid_choice",
            )
        endpoint = found
    if not endpoint.allows(model_name):
        raise _lm_error(
            f"lm_config.model {model_name!r} is not allowed on endpoint {endpoint.name!r} "
            f"(allowed: {', '.join(endpoint.models)})",
            "invalid_choice",
        )
    return endpoint, model_name


def normalize_lm_config(config: Any) -> Any:
    """``config`` with a ``base_url`` that is exactly an endpoint's URL replaced by that endpoint's
    name, and an ``api_key_env`` that is the endpoint's own key variable dropped (configs written
    before endpoints existed keep working). Anything else is left for the validator to refuse."""
    if not isinstance(config, Mapping) or ("base_url" not in config and "api_key_env" not in config):
        return config
    config = dict(config)
    base_url, key_env = config.get("base_url"), config.get("api_key_env")
    if base_url is not None:
        endpoint = endpoint_for_base_url(base_url)
        if endpoint is None or config.get("endpoint") not in (None, endpoint.name):
            return config
        if key_env is not None and key_env != endpoint.key_env:
            return config
        config.pop("base_url")
        config.pop("api_key_env", None)
        config["endpoint"] = endpoint.name
        return config
    config.pop("base_url", None)
    try:
        endpoint, _ = resolve_model(config)
    except (ValidationError, ImproperlyConfigured):
        return config
    if key_env is None or key_env == endpoint.key_env:
        config.pop("api_key_env", None)
    return config


# -- addresses -------------------------------------------------------------------------------------
_resolved: dict[tuple[str, int], tuple[float, list[str]]] = {}
_resolved_lock = threading.Lock()
_RESOLVE_TTL = 60.0


def _addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (cached for a minute)."""
    now = time.monotonic()
    with _resolved_lock:
        found = _resolved.get((host, port))
    if found is not None and now - found[0] < _RESOLVE_TTL:
        return found[1]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = sorted({str(info[4][0]) for info in infos})
    with _resolved_lock:
        _resolved[(host, port)] = (now, addresses)
    return addresses


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_endpoint_address(endpoint: LMEndpoint) -> None:
    """Refuse an endpoint whose host is, or resolves to, any private, loopback, link-local or
    otherwise non-public address, unless the operator set ``allow_private``. (Endpoints without a
    URL are the engine's own local model; a host that does not resolve is left to fail in the
    HTTP client.) Raises ``ValidationError`` on ``lm_config``."""
    if endpoint.base_url is None or endpoint.allow_private:
        return
    parts = urlsplit(endpoint.base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = _addresses(host, port)
        except OSError:
            # Unresolvable here means unreachable for the HTTP client too (its request fails with
            # a connection error, recorded on the run); there is no address to refuse.
            return
    private = [a for a in addresses if not _is_public(a)]
    if private:
        raise _lm_error(
            f"endpoint {endpoint.name!r} resolves to a private or loopback address, which is refused "
            "(the operator can allow it with allow_private in DSPEX_LM_ENDPOINTS)",
            "private_address",
        )


def reset_address_cache() -> None:
    """Forget resolved host names (tests)."""
    with _resolved_lock:
        _resolved.clear()


def redact_endpoint_urls(text: str) -> str:
    """``text`` with every configured endpoint URL (and its host) replaced by
    ``<endpoint NAME>``: errors shown to users name endpoints, not where they live."""
    if not text:
        return text
    try:
        endpoints = lm_endpoints()
    except ImproperlyConfigured:
        return text
    for endpoint in endpoints.values():
        if not endpoint.base_url:
            continue
        netloc = urlsplit(endpoint.base_url).netloc
        marker = f"<endpoint {endpoint.name}>"
        for needle in (endpoint.base_url, f"{urlsplit(endpoint.base_url).scheme}://{netloc}", netloc):
            text = text.replace(needle, marker)
    return text
