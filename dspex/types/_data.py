"""Helpers shared by the media types: data URIs, files read on request, and downloads."""

from __future__ import annotations

import base64
import mimetypes
import os
from urllib.parse import urlparse

__all__ = ["data_uri", "download", "is_http_url", "is_remote_url", "read_file"]


def data_uri(data: bytes, mime_type: str) -> str:
    """``data:<mime>;base64,<data>``."""
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def is_remote_url(text: str) -> bool:
    """An ``http(s)://`` or ``gs://`` URL with a host."""
    try:
        parsed = urlparse(text)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https", "gs") and bool(parsed.netloc)


def is_http_url(text: str) -> bool:
    try:
        parsed = urlparse(text)
    except ValueError:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def read_file(path: str) -> tuple[bytes, str | None]:
    """The bytes of a local file and the MIME type its name suggests; ``ValueError`` when the
    file does not exist."""
    if not os.path.isfile(path):
        raise ValueError(f"File not found: {path}")
    with open(path, "rb") as handle:
        content = handle.read()
    return content, mimetypes.guess_type(path)[0]


def download(url: str, *, verify: bool = True, timeout: float | None = 30.0) -> tuple[bytes, str | None]:
    """The body and ``Content-Type`` of an HTTP(S) GET the caller asked for explicitly.

    Nothing is sent but the request itself (no credentials). The caller is responsible for the
    URL: a URL taken from untrusted text can reach hosts on the caller's network."""
    import httpx

    response = httpx.get(url, verify=verify, timeout=timeout, follow_redirects=True)
    response.raise_for_status()
    return response.content, response.headers.get("Content-Type") or None
