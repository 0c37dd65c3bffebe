"""Reading and writing example files (JSONL and CSV); no validation against signatures here.

A record is a flat object (``{"question": ..., "answer": ..., "split": "dev"}``) or a structured
one (``{"inputs": {...}, "labels": {...}, "split": "dev"}``). Line numbers are 1-based.

Reading is bounded: ``read_text(file, max_bytes=...)`` stops one byte past the limit, ``parse``
stops after ``max_rows`` records, a JSON line may nest at most ``max_depth`` levels, and text with
a NUL character or an unpaired surrogate is a line error naming the field.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from core.safe_input import BadText, InputRejected, check_text, loads, text_problem

__all__ = ["FORMATS", "FileTooLarge", "LineError", "Record", "parse", "read_text", "write"]

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


class FileTooLarge(ValueError):
    """The file has more than ``max_bytes`` bytes (it was not read past the limit)."""

    def __init__(self, max_bytes: int):
        super().__init__(f"the file is larger than {max_bytes} bytes (the limit is DSPEX_MAX_UPLOAD_BYTES)")
        self.max_bytes = max_bytes


def read_text(file: IO[bytes] | IO[str] | str | Path | bytes, max_bytes: int | None = None) -> str:
    """The text of ``file``: a path, bytes, or an open (binary or text) file such as an upload.

    UTF-8 (a byte-order mark is dropped); anything else raises ``UnicodeDecodeError``. With
    ``max_bytes``, a larger file raises :class:`FileTooLarge` after reading at most one byte more.
    """
    if isinstance(file, str | Path):
        with Path(file).open("rb") as handle:
            data: bytes | str = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    elif isinstance(file, bytes):
        data = file
    else:
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError):
                pass
        data = file.read() if max_bytes is None else file.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise FileTooLarge(max_bytes)
    if isinstance(data, bytes):
        return data.decode("utf-8-sig")
    return data.removeprefix("\ufeff")


def _too_many(line: int, max_rows: int) -> LineError:
    return LineError(line, f"the file has more than {max_rows} examples (the limit is DSPEX_MAX_IMPORT_ROWS)")


def _bad_text(line: int, value: Any) -> LineError | None:
    try:
        check_text(value)
    except BadText as exc:
        field = exc.path[0] if exc.path and isinstance(exc.path[0], str) else None
        # The field is named apart; the message keeps the rest of the path (`inputs.question`).
        return LineError(line, exc.problem if len(exc.path) == 1 else exc.message, _shown_field(field))
    except InputRejected as exc:
        return LineError(line, exc.message)
    return None


def _shown_field(field: str | None) -> str | None:
    """A field name fit to show: a name holding a bad character is shown escaped."""
    if field is None or text_problem(field) is None:
        return field
    return field.encode("unicode_escape", "backslashreplace").decode("ascii")


def _parse_jsonl(
    text: str, max_rows: int | None, max_depth: int | None
) -> tuple[list[Record], list[LineError]]:
    records: list[Record] = []
    errors: list[LineError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if max_rows is not None and len(records) >= max_rows:
            errors.append(_too_many(number, max_rows))
            break
        try:
            value = loads(line, limit=max_depth)
        except InputRejected as exc:
            errors.append(LineError(number, exc.message))
            continue
        except json.JSONDecodeError as exc:
            errors.append(LineError(number, f"invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            errors.append(LineError(number, f"expected a JSON object, got {type(value).__name__}"))
            continue
        problem = _bad_text(number, value)
        if problem is not None:
            errors.append(problem)
            continue
        records.append(Record(number, value))
    return records, errors


def _parse_csv(text: str, max_rows: int | None) -> tuple[list[Record], list[LineError]]:
    records: list[Record] = []
    errors: list[LineError] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
        if not header:
            return [], [LineError(1, "the CSV file has no header row")]
        for name in header:
            problem = text_problem(name)
            if problem is not None:
                return [], [LineError(1, f"a column name {problem}", _shown_field(name))]
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
            if max_rows is not None and len(records) >= max_rows:
                errors.append(_too_many(line, max_rows))
                break
            bad = _bad_text(line, row)
            if bad is not None:
                errors.append(bad)
                continue
            records.append(Record(line, {k.strip(): v for k, v in row.items() if v is not None}))
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, f"malformed CSV: {exc}"))
    return records, errors


def parse(
    text: str, format: str, *, max_rows: int | None = None, max_depth: int | None = None
) -> tuple[list[Record], list[LineError]]:
    """Records and per-line syntax errors of ``text`` in ``format`` (``jsonl`` or ``csv``).

    More than ``max_rows`` records is an error on the first line past the limit (reading stops
    there); a JSON line nested deeper than ``max_depth`` (default ``DSPEX_MAX_JSON_DEPTH``) and text
    with a NUL or an unpaired surrogate are errors of their line."""
    if format == "jsonl":
        return _parse_jsonl(text, max_rows, max_depth)
    if format == "csv":
        return _parse_csv(text, max_rows)
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
