"""Reading and writing example files (JSONL and CSV); no validation against signatures here.

A record is a flat object (``{"question": ..., "answer": ..., "split": "dev"}``) or a structured
one (``{"inputs": {...}, "labels": {...}, "split": "dev"}``). Line numbers are 1-based.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["FORMATS", "LineError", "Record", "parse", "read_text", "write"]

FORMATS = ("jsonl", "csv")


@dataclass(frozen=True)
class Record:
    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class LineError:
    line: int
    message: str
    field: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {f'field `{self.field}`: ' if self.field else ''}{self.message}"


def read_text(file: IO[bytes] | IO[str] | str | Path | bytes) -> str:
    """The text of ``file``: a path, bytes, or an open (binary or text) file such as an upload.

    UTF-8 (a byte-order mark is dropped); anything else raises ``UnicodeDecodeError``.
    """
    if isinstance(file, str | Path):
        data: bytes | str = Path(file).read_bytes()
    elif isinstance(file, bytes):
        data = file
    else:
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError):
                pass
        data = file.read()
    if isinstance(data, bytes):
        return data.decode("utf-8-sig")
    return data.removeprefix("\ufeff")


def _parse_jsonl(text: str) -> tuple[list[Record], list[LineError]]:
    records: list[Record] = []
    errors: list[LineError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(LineError(number, f"invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            errors.append(LineError(number, f"expected a JSON object, got {type(value).__name__}"))
            continue
        records.append(Record(number, value))
    return records, errors


def _parse_csv(text: str) -> tuple[list[Record], list[LineError]]:
    records: list[Record] = []
    errors: list[LineError] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
        if not header:
            return [], [LineError(1, "the CSV file has no header row")]
        blank = [index for index, name in enumerate(header, start=1) if not name.strip()]
        duplicates = sorted({name for name in header if header.count(name) > 1})
        if blank:
            errors.append(LineError(1, f"column {blank[0]} of the header has no name"))
        if duplicates:
            errors.append(LineError(1, f"duplicate column(s) in the header: {', '.join(duplicates)}"))
        if errors:
            return [], errors
        for row in reader:
            line = reader.line_num
            if None in row:
                errors.append(
                    LineError(line, f"{len(header) + len(row[None])} values for {len(header)} columns")
                )
                continue
            if all(value in (None, "") for value in row.values()):
                continue
            records.append(Record(line, {k.strip(): v for k, v in row.items() if v is not None}))
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, f"malformed CSV: {exc}"))
    return records, errors


def parse(text: str, format: str) -> tuple[list[Record], list[LineError]]:
    """Records and per-line syntax errors of ``text`` in ``format`` (``jsonl`` or ``csv``)."""
    if format == "jsonl":
        return _parse_jsonl(text)
    if format == "csv":
        return _parse_csv(text)
    raise ValueError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def write(records: Iterable[dict[str, Any]], format: str, columns: list[str] | None = None) -> str:
    """Flat records as JSONL (one object per line) or CSV (non-string values as JSON)."""
    records = list(records)
    if format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if format == "csv":
        if columns is None:
            columns = list(dict.fromkeys(key for record in records for key in record))
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow({key: _cell(record[key]) for key in columns if key in record})
        return out.getvalue()
    raise ValueError(f"unknown format {format!r} (expected one of: {', '.join(FORMATS)})")
