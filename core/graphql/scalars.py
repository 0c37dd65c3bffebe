"""The ``JSON`` scalar and the redaction of credentials from JSON values shown to clients."""

from __future__ import annotations

from typing import Any

from graphene.types.generic import GenericScalar

from core.secrets import credential_keys

__all__ = ["JSON", "redact_credentials"]

REDACTED = "[redacted]"


class JSON(GenericScalar):
    """Any JSON value (object, list, string, number, boolean or null), sent and received as JSON
    itself, not as a string holding JSON."""


def _is_credential_name(key: Any) -> bool:
    return isinstance(key, str) and any(credential_keys({key: None}))


def redact_credentials(value: Any) -> Any:
    """A copy of ``value`` in which every object key named like a credential (``api_key``,
    ``token``, ``password``, ...) has its value replaced by ``"[redacted]"``.

    Configuration never holds keys (the services refuse them); this is a second line of defence for
    values the API shows (LM parameters, module config, LM state, traced request parameters).
    """
    if isinstance(value, dict):
        return {
            key: REDACTED if _is_credential_name(key) else redact_credentials(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_credentials(item) for item in value]
    return value
