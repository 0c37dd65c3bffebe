"""Which JSON keys hold credentials, by their names (``api_key``, ``token``, ``password``, ...).

Used to refuse credentials in stored configuration and to redact them from values shown to clients.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

__all__ = ["credential_keys", "is_secret_name"]

# Key names that hold credentials (compared lower-cased, without '_' and '-').
_SECRET_NAMES = frozenset(
    {"key", "apikey", "secret", "secretkey", "password", "passwd", "token", "accesstoken", "authtoken",
     "bearertoken", "authorization", "credentials", "privatekey", "clientsecret"}
)  # fmt: skip
_SECRET_SUFFIXES = ("apikey", "secret", "secretkey", "password", "accesstoken", "authtoken")


def is_secret_name(name: str) -> bool:
    normalized = re.sub(r"[-_\s]", "", name).lower()
    if normalized == "apikeyenv":
        return False
    return normalized in _SECRET_NAMES or normalized.endswith(_SECRET_SUFFIXES)


def credential_keys(value: Any, path: str = "") -> Iterator[str]:
    """The paths of keys anywhere in ``value`` whose names say they hold a credential."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and is_secret_name(key):
                yield here
            yield from credential_keys(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from credential_keys(item, f"{path}[{index}]")
