"""Errors raised by dataset services."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from datasets.formats import LineError

__all__ = ["DatasetImportError", "DatasetVersionMissing"]

_SHOWN = 50


class DatasetImportError(ValidationError):
    """A file was rejected; nothing was imported. ``line_errors`` lists every problem found."""

    def __init__(self, line_errors: list[LineError]):
        self.line_errors = line_errors
        lines = sorted({e.line for e in line_errors})
        shown = [str(e) for e in line_errors[:_SHOWN]]
        if len(line_errors) > _SHOWN:
            shown.append(f"... and {len(line_errors) - _SHOWN} more")
        summary = (
            f"nothing was imported: {len(line_errors)} error(s) on {len(lines)} line(s)"
            if any(lines)
            else "nothing was imported"
        )
        super().__init__([summary, *shown], code="invalid_file")


class DatasetVersionMissing(LookupError):
    """The dataset has no version with that number (or none at all yet)."""
