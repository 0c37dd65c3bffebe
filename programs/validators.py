"""Validation of the JSON configuration of programs (no engine imports here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError

__all__ = ["LM_CONFIG_KEYS", "credential_keys", "validate_lm_config", "validate_module_config"]

LM_CONFIG_KEYS = ("model", "base_url", "params", "api_key_env")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Key names that hold credentials (compared lower-cased, without '_' and '-').
_SECRET_NAMES = frozenset(
    {"key", "apikey", "secret", "secretkey", "password", "passwd", "token", "accesstoken", "authtoken",
     "bearertoken", "authorization", "credentials", "privatekey", "clientsecret"}
)  # fmt: skip
_SECRET_SUFFIXES = ("apikey", "secret", "secretkey", "password", "accesstoken", "authtoken")


def _is_secret_name(name: str) -> bool:
    normalized = re.sub(r"[-_\s]", "", name).lower()
    if normalized == "apikeyenv":
        return False
    return normalized in _SECRET_NAMES or normalized.endswith(_SECRET_SUFFIXES)


def credential_keys(value: Any, path: str = "") -> Iterator[str]:
    """The paths of keys anywhere in ``value`` whose names say they hold a credential."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _is_secret_name(key):
                yield here
            yield from credential_keys(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from credential_keys(item, f"{path}[{index}]")


def _reject_credentials(value: Any, field: str) -> None:
    found = list(credential_keys(value))
    if found:
        raise ValidationError(
            {
                field: ValidationError(
                    "%(field)s must not contain credentials (found %(keys)s): put the key in an "
                    "environment variable and give its name as api_key_env",
                    code="credentials",
                    params={"field": field, "keys": ", ".join(repr(k) for k in found)},
                )
            }
        )


def validate_lm_config(config: Any) -> None:
    """``{"model", "base_url", "params", "api_key_env"}``, all optional; never a key itself."""
    if not isinstance(config, dict):
        raise ValidationError({"lm_config": "lm_config must be a JSON object"}, code="invalid")
    _reject_credentials(config, "lm_config")
    unknown = [key for key in config if key not in LM_CONFIG_KEYS]
    if unknown:
        raise ValidationError(
            {
                "lm_config": ValidationError(
                    "unknown lm_config key(s) %(keys)s (allowed: %(allowed)s; generation parameters "
                    "go in params)",
                    code="invalid",
                    params={
                        "keys": ", ".join(repr(k) for k in unknown),
                        "allowed": ", ".join(LM_CONFIG_KEYS),
                    },
                )
            }
        )
    for key in ("model", "base_url", "api_key_env"):
        value = config.get(key)
        if value is not None and not isinstance(value, str):
            raise ValidationError({"lm_config": f"lm_config.{key} must be a string"}, code="invalid")
    env = config.get("api_key_env")
    if env is not None and (not _ENV_NAME.match(env) or env.lower().startswith(("sk_", "sk-"))):
        raise ValidationError(
            {
                "lm_config": ValidationError(
                    "lm_config.api_key_env must be the NAME of an environment variable "
                    "(like OPENAI_API_KEY), not a key",
                    code="invalid",
                )
            }
        )
    if "params" in config and not isinstance(config["params"], dict):
        raise ValidationError({"lm_config": "lm_config.params must be a JSON object"}, code="invalid")


def validate_module_config(config: Any) -> None:
    """Keyword arguments for the module's constructor: a JSON object, never credentials."""
    if not isinstance(config, dict):
        raise ValidationError({"module_config": "module_config must be a JSON object"}, code="invalid")
    _reject_credentials(config, "module_config")
