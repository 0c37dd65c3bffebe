"""Encryption of the LM keys users store (``LMCredential``), with Fernet.

The encryption key comes from ``settings.DSPEX_CREDENTIALS_KEY``: one or more Fernet keys
(``Fernet.generate_key()``), comma-separated; the first encrypts, all decrypt, so a key can be
rotated by putting the new one first. Without it, in ``DEBUG`` only, a key is derived from
``SECRET_KEY`` (documented fallback for development); otherwise storing or using a credential is
refused. Keys are decrypted only to build the LM of a run, and never leave the process otherwise.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["CredentialsUnavailable", "decrypt_key", "encrypt_key", "fingerprint"]


class CredentialsUnavailable(Exception):
    """No encryption key is configured, or the stored key cannot be decrypted with it."""


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in (settings.DSPEX_CREDENTIALS_KEY or "").split(",") if k.strip()]
    if not configured:
        if not settings.DEBUG:
            raise CredentialsUnavailable(
                "stored LM credentials are disabled: the operator has not set DSPEX_CREDENTIALS_KEY"
            )
        digest = hashlib.sha256(b"dspex-credentials:" + settings.SECRET_KEY.encode()).digest()
        configured = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in configured])
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DSPEX_CREDENTIALS_KEY must be Fernet keys (Fernet.generate_key()), comma-separated: {exc}"
        ) from None


def encrypt_key(secret: str) -> str:
    """The Fernet token of ``secret`` (text, safe to store)."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_key(token: str) -> str:
    """The key stored as ``token``; :class:`CredentialsUnavailable` when it cannot be read."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialsUnavailable(
            "a stored credential cannot be decrypted (was DSPEX_CREDENTIALS_KEY changed?)"
        ) from None


def fingerprint(secret: str) -> str:
    """A short, one-way label of ``secret`` that tells keys apart without revealing them."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]
