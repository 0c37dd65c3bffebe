"""Validation of the JSON configuration of programs (no engine imports here)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from core.secrets import credential_keys

__all__ = [
    "CONNECTION_KEYS",
    "LM_CONFIG_KEYS",
    "LM_PARAMS",
    "check_lm_params",
    "credential_keys",
    "validate_lm_config",
    "validate_module_config",
]

LM_CONFIG_KEYS = ("endpoint", "model", "credential", "params")
# The same names as ``dspex.lm.CONNECTION_KEYS`` (this module imports nothing from the engine;
# tests/programs check that the two agree).
CONNECTION_KEYS = frozenset(
    {"api_key", "api_base", "base_url", "api_key_env", "credential", "headers", "extra_headers",
     "extra_query", "api_version", "azure_ad_token", "azure_ad_token_provider", "organization",
     "project", "custom_llm_provider"}
)  # fmt: skip
# Parameters ``lm_config.params`` may set: the LM's own options and the generation parameters
# the providers take. Anything else is refused (an operator can add names: DSPEX_LM_EXTRA_PARAMS).
LM_PARAMS = frozenset(
    {"temperature", "max_tokens", "max_completion_tokens", "top_p", "top_k", "n", "stop", "seed",
     "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
     "response_format", "reasoning_effort", "user", "cache", "num_retries", "timeout", "rpm", "tpm",
     "retry_backoff", "model_type", "rollout_id"}
)  # fmt: skip
_BOOL_PARAMS = frozenset({"cache", "logprobs"})
_INT_PARAMS = frozenset({"n", "max_tokens", "num_retries"})
# Module options limited like lm_config.params (a predictor passes them to every LM call).
_LIMITED = frozenset({"n", "max_tokens", "timeout", "num_retries"})
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _reject_credentials(value: Any, field: str) -> None:
    found = list(credential_keys(value))
    if found:
        raise ValidationError(
            {
                field: ValidationError(
                    "%(field)s must not contain credentials (found %(keys)s): store the key as a "
                    "credential (POST /api/credentials/) and give its id as lm_config.credential",
                    code="credentials",
                    params={"field": field, "keys": ", ".join(repr(k) for k in found)},
                )
            }
        )


# Not "invalid": a model form shows its own message ("Enter a valid JSON.") for that code.
def _lm(message: str, code: str = "invalid_lm_config") -> ValidationError:
    return ValidationError({"lm_config": ValidationError(message, code=code)})


_BASE_URL_REFUSED = (
    "lm_config.base_url is not accepted: programs cannot choose where requests go. Name an endpoint "
    "the operator configured with lm_config.endpoint (GET /api/engine/capabilities/ lists yours)"
)
_KEY_ENV_REFUSED = (
    "lm_config.api_key_env is not accepted: programs cannot name environment variables. Store your "
    "key as a credential (POST /api/credentials/) and give its id as lm_config.credential, or leave "
    "it out to use the endpoint's shared key"
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_lm_params(
    params: Mapping[str, Any], where: str, field: str = "lm_config", *, lower_bounds: bool = True
) -> None:
    """Generation/client parameters: known names only (plus ``DSPEX_LM_EXTRA_PARAMS``), never a
    connection setting, numbers within ``DSPEX_LM_PARAM_LIMITS`` (only the maxima when not
    ``lower_bounds``: module constructors check their own minima). Errors on ``field``, naming
    ``where.<param>``."""
    from django.conf import settings

    def fail(message: str) -> ValidationError:
        return ValidationError({field: ValidationError(message, code="invalid_lm_param")})

    connection = sorted(k for k in params if k in CONNECTION_KEYS)
    if connection:
        raise fail(
            f"{where}.{connection[0]} is not accepted: the endpoint and credential decide where "
            "requests go and what they carry (name them with lm_config.endpoint and lm_config.credential)"
        )
    allowed = LM_PARAMS | set(getattr(settings, "DSPEX_LM_EXTRA_PARAMS", ()))
    for key, value in params.items():
        if key not in allowed:
            raise fail(f"{where}.{key} is not a known LM parameter (allowed: {', '.join(sorted(allowed))})")
        if key in _BOOL_PARAMS and not isinstance(value, bool):
            raise fail(f"{where}.{key} must be true or false")
    limits = dict(getattr(settings, "DSPEX_LM_PARAM_LIMITS", {}) or {})
    for key, maximum in limits.items():
        if key not in params or params[key] is None:
            continue
        value = params[key]
        integer = key in _INT_PARAMS
        if not _number(value) or (integer and not float(value).is_integer()):
            raise fail(f"{where}.{key} must be {'an integer' if integer else 'a number'}, got {value!r}")
        low = 1 if key in ("n", "max_tokens") else 0
        if value > maximum or (lower_bounds and value < low):
            raise fail(f"{where}.{key} must be between {low} and {maximum}, got {value!r}")
    for key in ("rpm", "tpm", "temperature", "top_p"):
        value = params.get(key)
        if value is not None and (not _number(value) or value < 0):
            raise fail(f"{where}.{key} must be a number of at least 0, got {value!r}")
    if params.get("model_type") not in (None, "chat", "text"):
        raise fail(f"{where}.model_type must be 'chat' or 'text'")


def validate_lm_config(config: Any) -> None:
    """``{"endpoint", "model", "credential", "params"}``, all optional: an endpoint the operator
    configured (never a URL, never an environment variable name), a model, the id of one of the
    owner's stored credentials, and generation parameters within the limits."""
    if not isinstance(config, dict):
        raise ValidationError({"lm_config": "lm_config must be a JSON object"}, code="invalid")
    _reject_credentials(config, "lm_config")
    base_url = config.get("base_url")
    if isinstance(base_url, str) and "@" in base_url:
        raise _lm(
            "lm_config.base_url must never contain credentials (user:password@host), and programs "
            "cannot choose URLs: name an endpoint with lm_config.endpoint"
        )
    if "base_url" in config:
        raise _lm(_BASE_URL_REFUSED)
    if "api_key_env" in config:
        raise _lm(_KEY_ENV_REFUSED)
    unknown = [key for key in config if key not in LM_CONFIG_KEYS]
    if unknown:
        raise ValidationError(
            {
                "lm_config": ValidationError(
                    "unknown lm_config key(s) %(keys)s (allowed: %(allowed)s; generation parameters "
                    "go in params)",
                    code="unknown_key",
                    params={
                        "keys": ", ".join(repr(k) for k in unknown),
                        "allowed": ", ".join(LM_CONFIG_KEYS),
                    },
                )
            }
        )
    for key in ("endpoint", "model"):
        value = config.get(key)
        if value is not None and not isinstance(value, str):
            raise _lm(f"lm_config.{key} must be a string")
    credential = config.get("credential")
    if credential is not None and (not isinstance(credential, int) or isinstance(credential, bool)):
        raise _lm("lm_config.credential must be the id (an integer) of one of your credentials")
    if "params" in config:
        if not isinstance(config["params"], dict):
            raise _lm("lm_config.params must be a JSON object")
        check_lm_params(config["params"], "lm_config.params")


# Where LM options sit in a module config: the config of predict-like modules itself, a wrapper's
# inner ``module_config``, and the ``config`` of each pipeline step (nested steps included).
_STEP_CHILDREN = ("steps", "then", "else")


def _option_blocks(config: Mapping[str, Any], path: str, pipeline: bool) -> Iterator[tuple[str, Mapping]]:
    if pipeline:
        yield from _step_blocks(config.get("steps"), f"{path}steps")
        return
    yield path.rstrip("."), config
    inner = config.get("module_config")
    if isinstance(inner, Mapping):
        yield from _option_blocks(inner, f"{path}module_config.", config.get("module") == "pipeline")


def _step_blocks(steps: Any, path: str) -> Iterator[tuple[str, Mapping]]:
    if isinstance(steps, Mapping):
        steps = [steps]
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            continue
        here = f"{path}[{index}]"
        if isinstance(step.get("config"), Mapping):
            yield f"{here}.config", step["config"]
        for child in _STEP_CHILDREN:
            if child in step:
                yield from _step_blocks(step[child], f"{here}.{child}")


def _check_module_lm_options(config: Mapping[str, Any], module_type: str | None) -> None:
    for where, block in _option_blocks(config, "", module_type == "pipeline"):
        options = {k: v for k, v in block.items() if k in CONNECTION_KEYS or k in _LIMITED}
        label = f"module_config.{where}" if where else "module_config"
        check_lm_params(options, label, "module_config", lower_bounds=False)


def validate_module_config(config: Any, module_type: str | None = None) -> None:
    """Keyword arguments for the module's constructor: a JSON object, never credentials, never a
    connection setting (``api_base``, ``headers``, ...) and LM options (``n``, ``max_tokens``,
    ``timeout``, ``num_retries``) within the limits, wherever LM options go (the module's own
    config, a wrapper's inner ``module_config``, each pipeline step's ``config``)."""
    if not isinstance(config, dict):
        raise ValidationError({"module_config": "module_config must be a JSON object"}, code="invalid")
    _reject_credentials(config, "module_config")
    _check_module_lm_options(config, module_type)
