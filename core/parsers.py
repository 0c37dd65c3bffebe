"""The REST API's request parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

DRF's own parsers read a body of any size, hand JSON to a recursive parser and pass NUL characters
and lone surrogates through to the database. These refuse, before any view code runs:

- a body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (JSON, forms) or than ``DSPEX_MAX_UPLOAD_BYTES``
  plus that (multipart, i.e. file uploads): 413, judged from ``Content-Length`` before reading;
- JSON nested deeper than ``DSPEX_MAX_JSON_DEPTH``: 400 ``{"detail": "JSON nested deeper than ..."}``;
- text holding ``\\u0000`` or an unpaired surrogate, anywhere: 400 keyed by the top-level field
  (``{"inputs": ["`inputs.question` contains a NUL character ..."]}``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import exceptions, parsers, status

from core.safe_input import (
    InputRejected,
    check_text,
    format_path,
    loads,
    may_hold_bad_text,
    text_problem,
)

__all__ = [
    "BoundedFormParser",
    "BoundedMultiPartParser",
    "RequestTooLarge",
    "SafeJSONParser",
    "max_body_bytes",
    "max_upload_bytes",
]

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE default


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def max_upload_bytes() -> int:
    """``DSPEX_MAX_UPLOAD_BYTES``: the largest file an import accepts."""
    return int(getattr(settings, "DSPEX_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_body_bytes() -> int:
    """``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's cap on non-file request data)."""
    value = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", DEFAULT_MAX_BODY_BYTES)
    return DEFAULT_MAX_BODY_BYTES if value is None else int(value)


# DRF's own choice of charset (the request's, else DEFAULT_CHARSET); new in DRF 3.18, which the
# stubs do not have yet.
_get_encoding: Callable[[Mapping[str, Any]], str] = parsers.get_encoding  # type: ignore[attr-defined]


def _content_length(parser_context: dict[str, Any] | None) -> int:
    request = (parser_context or {}).get("request")
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except (TypeError, ValueError):
        return 0


def _refuse_if_larger(parser_context: dict[str, Any] | None, limit: int, what: str) -> None:
    length = _content_length(parser_context)
    if length > limit:
        raise RequestTooLarge(f"The request body is {length} bytes; {what} {limit} bytes.")


def _read(stream: Any, limit: int, what: str) -> bytes:
    data: bytes = stream.read(limit + 1)  # never more than the limit, whatever Content-Length said
    if len(data) > limit:
        raise RequestTooLarge(f"The request body is larger than {limit} bytes; {what} {limit} bytes.")
    return data


def _rejection(exc: InputRejected) -> exceptions.ValidationError:
    """A 400 keyed by the top-level field the bad value is under."""
    top = exc.path[0] if exc.path and isinstance(exc.path[0], str) else None
    key = format_path((top,)) if top is not None else "non_field_errors"
    return exceptions.ValidationError({key: [exc.message]})


class SafeJSONParser(parsers.JSONParser):
    """JSON bodies, bounded in size and depth, with no NUL or unpaired surrogate in any string."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = max_body_bytes()
        what = "a JSON body may have at most (DATA_UPLOAD_MAX_MEMORY_SIZE)"
        _refuse_if_larger(parser_context, limit, what)
        raw = _read(stream, limit, what)
        encoding = _get_encoding(parser_context or {})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"JSON parse error - not {encoding} text ({exc})") from None
        try:
            data = loads(text)
        except InputRejected as exc:
            raise exceptions.ParseError(exc.message) from None
        except json.JSONDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        if may_hold_bad_text(text):
            try:
                check_text(data)
            except InputRejected as exc:
                raise _rejection(exc) from None
        return data


def _check_form(data: QueryDict) -> None:
    # Form values are decoded with errors="replace" (no surrogates can appear); NUL can.
    for key, values in data.lists():
        for text in (key, *values):
            problem = text_problem(text) if isinstance(text, str) else None
            if problem is not None:
                name = format_path((key,))
                raise exceptions.ValidationError({name: [f"`{name}` {problem}"]})


class BoundedFormParser(parsers.FormParser):
    """URL-encoded forms, at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, no NUL in any value."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = max_body_bytes()
        what = "a form may have at most (DATA_UPLOAD_MAX_MEMORY_SIZE)"
        _refuse_if_larger(parser_context, limit, what)
        data = QueryDict(_read(stream, limit, what), encoding=_get_encoding(parser_context or {}))
        _check_form(data)
        return data


class BoundedMultiPartParser(parsers.MultiPartParser):
    """Multipart forms (file uploads): at most ``DSPEX_MAX_UPLOAD_BYTES`` of file plus
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` of other fields, refused from ``Content-Length`` before any of
    it is read; no NUL in any field value."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        limit = max_upload_bytes() + max_body_bytes()
        what = (
            f"files may have at most {max_upload_bytes()} bytes (DSPEX_MAX_UPLOAD_BYTES), so an upload with "
            "its other fields (DATA_UPLOAD_MAX_MEMORY_SIZE) at most"
        )
        _refuse_if_larger(parser_context, limit, what)
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        return result
