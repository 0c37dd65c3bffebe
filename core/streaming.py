"""Streamed CSV and JSON downloads: rows are encoded as they are read, never held all at once.

``csv_lines(columns, rows)`` and ``json_document(head, key, items)`` yield text chunks;
``streaming_download(chunks, content_type, filename)`` wraps them in a ``StreamingHttpResponse``
with a download name. Non-string CSV cells are written as JSON (``["a", "b"]``, ``3``, ``true``);
``None`` is an empty cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

__all__ = ["csv_cell", "csv_lines", "json_default", "json_document", "streaming_download"]

_CHUNK_ROWS = 200


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` for values rows hold: decimals as strings, dates ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=json_default)


def csv_lines(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header, then the rows, a few hundred lines per chunk."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(row.get(column)) for column in columns])
        if count % _CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_document(head: Mapping[str, Any], key: str, items: Iterable[Any]) -> Iterator[str]:
    """``{**head, key: [items...]}`` as JSON text, streamed item by item."""
    opening = json.dumps(dict(head), ensure_ascii=False, default=json_default)
    prefix = opening[:-1] + (", " if head else "") + json.dumps(key) + ": ["
    parts: list[str] = [prefix]
    first = True
    for item in items:
        parts.append(("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False, default=json_default))
        first = False
        if len(parts) >= _CHUNK_ROWS:
            yield "".join(parts)
            parts = []
    parts.append("\n]}\n" if not first else "]}\n")
    yield "".join(parts)


def streaming_download(chunks: Iterable[str], *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse((chunk.encode("utf-8") for chunk in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
