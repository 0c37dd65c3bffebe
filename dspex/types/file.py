"""``File``: a document input, sent as a ``file`` content part."""

from __future__ import annotations

from typing import Any

import pydantic

from dspex.types._data import data_uri, read_file
from dspex.types.base import Type

__all__ = ["File", "encode_file_to_dict"]

_KEYS = ("file_data", "file_id", "filename")


class File(Type):
    """A file: inline ``file_data`` (a data URI), a provider ``file_id``, and/or a ``filename``.

    Build it from bytes, a data URI, a dict with those keys or another ``File``; building one
    never reads the disk (use :meth:`from_path`, :meth:`from_bytes`, :meth:`from_file_id`).
    """

    file_data: str | None = None
    file_id: str | None = None
    filename: str | None = None

    model_config = pydantic.ConfigDict(
        frozen=True, str_strip_whitespace=True, validate_assignment=True, extra="forbid"
    )

    def __init__(self, *args: Any, **data: Any):
        if len(args) > 1:
            raise TypeError(f"File expected at most 1 positional argument, received {len(args)}")
        if args:
            given = encode_file_to_dict(args[0])
            both = sorted(set(given) & set(data))
            if both:
                raise TypeError(
                    f"File received {', '.join(both)} from both the positional source and keyword arguments"
                )
            data = {**given, **data}
        super().__init__(**data)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, value: Any) -> Any:
        return encode_file_to_dict(value)

    def format(self) -> list[dict[str, Any]]:
        part = {key: getattr(self, key) for key in _KEYS if getattr(self, key)}
        return [{"type": "file", "file": part}]

    def __str__(self) -> str:
        return str(self.serialize_model())

    def __repr__(self) -> str:
        shown = []
        if self.file_data is not None:
            if self.file_data.startswith("data:"):
                mime_type = self.file_data.split(";")[0].split(":")[1]
                body = self.file_data.split("base64,")[1] if "base64," in self.file_data else self.file_data
                shown.append(f"file_data=<DATA_URI({mime_type}, {len(body)} chars)>")
            else:
                shown.append(f"file_data=<DATA({len(self.file_data)} chars)>")
        if self.file_id is not None:
            shown.append(f"file_id='{self.file_id}'")
        if self.filename is not None:
            shown.append(f"filename='{self.filename}'")
        return f"File({', '.join(shown)})"

    @classmethod
    def from_path(cls, file_path: str, filename: str | None = None, mime_type: str | None = None) -> File:
        """A local file, inline (``filename`` defaults to its base name, the MIME type to the
        one its extension suggests, else ``application/octet-stream``)."""
        import os

        content, guessed = read_file(file_path)
        return cls(
            file_data=data_uri(content, mime_type or guessed or "application/octet-stream"),
            filename=os.path.basename(file_path) if filename is None else filename,
        )

    @classmethod
    def from_bytes(
        cls, file_bytes: bytes, filename: str | None = None, mime_type: str = "application/octet-stream"
    ) -> File:
        """Raw bytes, inline."""
        return cls(file_data=data_uri(file_bytes, mime_type), filename=filename)

    @classmethod
    def from_file_id(cls, file_id: str, filename: str | None = None) -> File:
        """A file already uploaded to the provider."""
        return cls(file_id=file_id, filename=filename)


def encode_file_to_dict(value: Any) -> dict[str, Any]:
    """The ``file_data``/``file_id``/``filename`` dict of an in-memory file value."""
    if isinstance(value, File):
        return {key: getattr(value, key) for key in _KEYS if getattr(value, key) is not None}
    if isinstance(value, dict):
        if any(key in value for key in _KEYS):
            return value
        raise ValueError("Value of `File` must contain at least one of: file_data, file_id, or filename")
    if isinstance(value, str):
        if value.startswith("data:"):
            return {"file_data": value}
        raise ValueError(
            f"String file inputs must be data URIs, received: {value}. "
            "Load local files with File.from_path()."
        )
    if isinstance(value, bytes):
        return {"file_data": data_uri(value, "application/octet-stream")}
    raise ValueError(f"Unsupported file input type: {type(value)}")
