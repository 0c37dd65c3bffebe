"""``Audio``: an audio input, sent as an ``input_audio`` content part."""

from __future__ import annotations

import base64
import warnings
from typing import Any

import pydantic

from dspex.types._data import download, is_http_url, read_file
from dspex.types.base import Type

__all__ = ["Audio", "encode_audio", "normalize_audio_format"]


class Audio(Type):
    """Audio as base64 ``data`` in ``audio_format`` (``wav``, ``mp3``, ...).

    Build it from a ``data:audio/...`` URI, raw bytes (with ``audio_format=``, default ``wav``),
    a ``{"data", "audio_format"}`` dict or another ``Audio``; :meth:`from_path` reads a file and
    :meth:`from_url` downloads one.
    """

    data: str
    audio_format: str

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    def __init__(self, *args: Any, **data: Any):
        if len(args) > 1:
            raise TypeError(f"Audio expected at most 1 positional argument, received {len(args)}")
        if args:
            if "data" in data:
                raise TypeError("Audio received data as both a positional and keyword argument")
            value = args[0]
            if data.pop("sampling_rate", None) is not None:
                raise TypeError(
                    "Audio received sampling_rate for a non-array input (arrays are not supported)"
                )
            audio_format = data.pop("audio_format", None)
            if audio_format is not None and _has_format(value):
                raise TypeError(
                    "Audio received audio_format alongside an input that already carries its format; "
                    "provide only one"
                )
            data = {**encode_audio(value, format=audio_format or "wav"), **data}
        super().__init__(**data)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, value: Any) -> Any:
        return encode_audio(value)

    def format(self) -> list[dict[str, Any]]:
        return [{"type": "input_audio", "input_audio": {"data": self.data, "format": self.audio_format}}]

    @classmethod
    def from_path(cls, file_path: str) -> Audio:
        """A local audio file (its MIME type, from the extension, must be ``audio/...``)."""
        content, mime_type = read_file(file_path)
        if not mime_type or not mime_type.startswith("audio/"):
            raise ValueError(f"Unsupported MIME type for audio: {mime_type}")
        return cls(data=base64.b64encode(content).decode("ascii"), audio_format=_format_of(mime_type))

    @classmethod
    def from_url(cls, url: str, verify: bool = True, timeout: float | None = 30.0) -> Audio:
        """Download an HTTP(S) audio file (an explicit request of the caller)."""
        if not is_http_url(url):
            raise ValueError(f"Audio.from_url requires an HTTP(S) URL, received: {url}")
        content, mime_type = download(url, verify=verify, timeout=timeout)
        mime_type = mime_type or "audio/wav"
        if not mime_type.startswith("audio/"):
            raise ValueError(f"Unsupported MIME type for audio: {mime_type}")
        return cls(data=base64.b64encode(content).decode("ascii"), audio_format=_format_of(mime_type))

    @classmethod
    def from_file(cls, file_path: str) -> Audio:
        """The old name of :meth:`from_path` (deprecated)."""
        warnings.warn("Audio.from_file is deprecated; use Audio.from_path", DeprecationWarning, stacklevel=2)
        return cls.from_path(file_path)

    def __str__(self) -> str:
        return str(self.serialize_model())

    def __repr__(self) -> str:
        return f"Audio(data=<AUDIO_BASE_64_ENCODED({len(self.data)})>, audio_format='{self.audio_format}')"


def normalize_audio_format(audio_format: str) -> str:
    """``x-wav`` -> ``wav``: the format name without an ``x-`` prefix."""
    return audio_format.removeprefix("x-")


def _format_of(mime_type: str) -> str:
    return normalize_audio_format(mime_type.split(";")[0].split("/", 1)[1])


def _has_format(value: Any) -> bool:
    return (
        isinstance(value, Audio)
        or (isinstance(value, dict) and "audio_format" in value)
        or (isinstance(value, str) and value.startswith("data:audio/"))
    )


def encode_audio(audio: Any, sampling_rate: int = 16000, format: str = "wav") -> dict[str, Any]:
    """The ``data``/``audio_format`` dict of an in-memory audio value (``sampling_rate`` is
    accepted for dspy's signature; arrays are not supported)."""
    if isinstance(audio, dict) and "data" in audio and "audio_format" in audio:
        return audio
    if isinstance(audio, Audio):
        return {"data": audio.data, "audio_format": audio.audio_format}
    if isinstance(audio, str) and audio.startswith("data:audio/"):
        header, comma, payload = audio.partition(",")
        mime_type = header.removeprefix("data:").split(";", 1)[0]
        if not comma or "/" not in mime_type or not mime_type.split("/", 1)[1]:
            raise ValueError("Malformed audio data URI")
        return {"data": payload, "audio_format": _format_of(mime_type)}
    if isinstance(audio, str):
        raise ValueError(
            "String audio inputs must be data URIs. "
            "Load local files with Audio.from_path() and remote resources with Audio.from_url()."
        )
    if isinstance(audio, bytes):
        return {"data": base64.b64encode(audio).decode("ascii"), "audio_format": format}
    raise ValueError(f"Unsupported type for encode_audio: {type(audio)}")
