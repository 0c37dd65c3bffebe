"""``Image``: an image input, sent as an ``image_url`` content part."""

from __future__ import annotations

import importlib
import io
import mimetypes
import warnings
from functools import lru_cache
from typing import Any

import pydantic

from dspex.types._data import data_uri, download, is_http_url, is_remote_url, read_file
from dspex.types.base import Type

__all__ = ["Image", "encode_image", "is_image"]

# Leading bytes of the image formats providers accept, for raw bytes given without Pillow.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


class Image(Type):
    """An image: a data URI or a remote (``http(s)://``, ``gs://``) URL in ``url``.

    Build it from a URL or data URI string, raw image bytes, a Pillow image (when Pillow is
    installed) or ``{"url": ...}``. Building one never reads a file or the network: use
    :meth:`from_path` for a local file and :meth:`from_url` to download a remote image.
    """

    url: str

    model_config = pydantic.ConfigDict(
        frozen=True, str_strip_whitespace=True, validate_assignment=True, extra="forbid"
    )

    def __init__(self, source: Any = None, /, **data: Any):
        if source is not None and "url" in data:
            raise TypeError("Image received both `source` and `url`; provide only one image source")
        if source is not None:
            data["url"] = source["url"] if isinstance(source, dict) and set(source) == {"url"} else source
        if "url" in data:
            data["url"] = encode_image(data["url"])
        super().__init__(**data)

    def format(self) -> list[dict[str, Any]]:
        return _parts(self.url)

    @classmethod
    def from_path(cls, file_path: str) -> Image:
        """The image in a local file, as a data URI."""
        content, mime_type = read_file(file_path)
        if mime_type is None:
            raise ValueError(f"Could not determine MIME type for file: {file_path}")
        return cls(data_uri(content, mime_type))

    @classmethod
    def from_url(cls, url: str, verify: bool = True, timeout: float | None = 30.0) -> Image:
        """Download an HTTP(S) image (an explicit request of the caller) as a data URI."""
        if not is_http_url(url):
            raise ValueError(f"Image.from_url requires an HTTP(S) URL, received: {url}")
        content, mime_type = download(url, verify=verify, timeout=timeout)
        mime_type = mime_type or mimetypes.guess_type(url)[0]
        if mime_type is None:
            raise ValueError(f"Could not determine MIME type for URL: {url}")
        return cls(data_uri(content, mime_type))

    @classmethod
    def from_file(cls, file_path: str) -> Image:
        """The old name of :meth:`from_path` (deprecated)."""
        warnings.warn("Image.from_file is deprecated; use Image.from_path", DeprecationWarning, stacklevel=2)
        return cls.from_path(file_path)

    def __str__(self) -> str:
        return str(self.serialize_model())

    def __repr__(self) -> str:
        if "base64" in self.url:
            size = len(self.url.split("base64,")[1])
            kind = self.url.split(";")[0].split("/")[-1]
            return f"Image(url=data:image/{kind};base64,<IMAGE_BASE_64_ENCODED({size})>)"
        return f"Image(url='{self.url}')"


@lru_cache(maxsize=32)
def _parts(url: str) -> list[dict[str, Any]]:
    return [{"type": "image_url", "image_url": {"url": url}}]


def encode_image(image: Any) -> str:
    """A data URI or remote URL for an in-memory image (see :class:`Image`)."""
    if isinstance(image, Image):
        return image.url
    if isinstance(image, dict) and "url" in image:
        return encode_image(image["url"])
    if isinstance(image, str):
        if image.startswith("data:") or is_remote_url(image):
            return image
        raise ValueError(
            f"Unrecognized image string: {image}. Local files must be loaded with Image.from_path()."
        )
    if isinstance(image, bytes):
        return _bytes_uri(image)
    pil = _pillow_image_class()
    if pil is not None and isinstance(image, pil):
        return _pillow_uri(image)
    raise ValueError(f"Unsupported image type: {type(image)}")


def is_image(value: Any) -> bool:
    """Whether ``value`` can be an image: a data URI, a remote URL or a Pillow image."""
    pil = _pillow_image_class()
    if pil is not None and isinstance(value, pil):
        return True
    return isinstance(value, str) and (value.startswith("data:") or is_remote_url(value))


def _bytes_uri(content: bytes) -> str:
    pil = _pillow_module()
    if pil is not None:
        try:
            return _pillow_uri(pil.open(io.BytesIO(content)))
        except pil.UnidentifiedImageError as exc:
            raise ValueError(f"Bytes could not be identified as an image: {exc}") from exc
    for prefix, mime_type in _SIGNATURES:
        if content.startswith(prefix):
            return data_uri(content, mime_type)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return data_uri(content, "image/webp")
    raise ValueError("Bytes could not be identified as an image")


def _pillow_module() -> Any:
    """``PIL.Image`` when Pillow is installed (an optional dependency), else ``None``."""
    try:
        return importlib.import_module("PIL.Image")
    except ImportError:
        return None


def _pillow_image_class() -> Any:
    module = _pillow_module()
    return None if module is None else module.Image


def _pillow_uri(image: Any) -> str:
    buffer = io.BytesIO()
    image_format = image.format or "PNG"
    image.save(buffer, format=image_format)
    mime_type = mimetypes.guess_type(f"file.{image_format.lower()}")[0]
    if mime_type is None:
        raise ValueError(f"Could not determine MIME type for image format: {image_format}")
    return data_uri(buffer.getvalue(), mime_type)
