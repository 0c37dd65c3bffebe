"""The HTTP/1.1 wire format of the LM's own clients, without I/O: request bytes and a response
parser, shared by the asyncio client (:mod:`dspex.lm.aio`) and the blocking one
(:mod:`dspex.lm.blocking`).

Responses are framed by ``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the
connection; interim (1xx) responses are skipped; a head longer than 64 KiB is refused. Failures
are :class:`ProtocolFailure` s that name the httpx exception the client raises, so the endpoint
maps them as it maps httpx's own.
"""

from __future__ import annotations

from typing import NoReturn

import httpx

__all__ = ["MAX_HEAD", "ProtocolFailure", "ResponseParser", "request_bytes"]

NO_BODY = frozenset({204, 304})
MAX_HEAD = 64 * 1024  # bytes of status line and headers before the response is refused
_SKIPPED = frozenset({"host", "content-length"})


class ProtocolFailure(Exception):
    """``args`` are an httpx exception class and its message; :meth:`raise_as` raises that."""

    def raise_as(self) -> NoReturn:
        kind, message = self.args
        raise kind(message) from None


def request_bytes(url: httpx.URL, content: bytes, headers: dict[str, str], default: dict[str, str]) -> bytes:
    """A ``POST`` of ``content`` to ``url``: ``Host``, ``default`` overlaid by ``headers``, then
    ``Content-Length``. A header value holding CR or LF is a :class:`httpx.LocalProtocolError`."""
    merged = {**default, **headers} if default else headers
    lines = [b"POST " + url.raw_path + b" HTTP/1.1", b"Host: " + url.netloc]
    for name, value in merged.items():
        if name.lower() in _SKIPPED:
            continue
        line = f"{name}: {value}"
        if "\r" in line or "\n" in line:
            raise httpx.LocalProtocolError(f"illegal character in the {name} header")
        lines.append(line.encode("latin-1"))
    lines.append(b"Content-Length: %d" % len(content))
    return b"\r\n".join(lines) + b"\r\n\r\n" + content


class ResponseParser:
    """Reads one response from the bytes given to :meth:`feed` (call :meth:`reset` before each).

    ``feed`` returns ``True`` once the response is complete; :meth:`eof` tells it the connection
    ended. ``keep_alive`` says afterwards whether the connection may carry another request.
    """

    __slots__ = (
        "_buffer", "_chunk_left", "_chunked", "_chunks", "_length",
        "body", "done", "head", "keep_alive", "until_close",
    )  # fmt: skip

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._chunks = bytearray()
        self.reset()

    def reset(self) -> None:
        """Forget the last response (and any bytes that came after it)."""
        self._buffer.clear()
        self._chunks.clear()
        self.head: tuple[int, list[tuple[bytes, bytes]]] | None = None
        self._length: int | None = None  # body bytes expected (None: chunked or until close)
        self._chunked = False
        self.until_close = False
        self.keep_alive = True
        self.body = b""
        self.done = False
        self._chunk_left: int | None = None  # chunked: bytes left in the current chunk

    @property
    def started(self) -> bool:
        """Whether any byte of the response has arrived."""
        return self.head is not None or bool(self._buffer)

    def cut_short(self) -> str:
        """The message of a connection that ended before the response did."""
        if not self.started:
            return "Server disconnected without sending a response."
        return "peer closed connection without sending complete message body"

    def feed(self, data: bytes) -> bool:
        """Take the next bytes of the response; ``True`` when it is complete."""
        buffer = self._buffer
        buffer += data
        while self.head is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0 and len(buffer) <= MAX_HEAD:
                return False
            if end < 0 or end > MAX_HEAD:  # however the head came in: in one piece or several
                raise ProtocolFailure(httpx.RemoteProtocolError, "response headers are too long")
            head = bytes(buffer[:end])
            del buffer[: end + 4]
            self._read_head(head)
        if self._chunked:
            return self._parse_chunks()
        length = self._length
        if length is not None and len(buffer) >= length:
            if len(buffer) > length:  # nothing was asked for after this response
                self.keep_alive = False
            self.body = bytes(buffer[:length])
            self.done = True
        return self.done

    def eof(self) -> bool:
        """The connection ended: ``True`` when that completes the response (framed by the end of
        the connection), else a :class:`ProtocolFailure` saying the response was cut short."""
        if self.done:
            return True
        if self.until_close and self.head is not None:
            self.keep_alive = False
            self.body = bytes(self._buffer)
            self.done = True
            return True
        raise ProtocolFailure(httpx.RemoteProtocolError, self.cut_short())

    def response(self) -> httpx.Response:
        """The complete response, its body decoded as httpx decodes it (gzip, deflate, ...);
        :class:`httpx.DecodingError` when it cannot be."""
        assert self.head is not None
        status, headers = self.head
        response = httpx.Response(status, headers=headers, content=self.body)
        _ = response.content
        return response

    def _read_head(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ProtocolFailure(httpx.RemoteProtocolError, f"malformed status line {lines[0][:100]!r}")
        status = int(parts[1])
        headers: list[tuple[bytes, bytes]] = []
        length = None
        chunked = False
        connection = b""
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon:
                raise ProtocolFailure(httpx.RemoteProtocolError, f"malformed header line {line[:100]!r}")
            name = name.strip()
            value = value.strip()
            headers.append((name, value))
            lower = name.lower()
            if lower == b"content-length":
                if not value.isdigit():
                    message = f"malformed Content-Length {value[:40]!r}"
                    raise ProtocolFailure(httpx.RemoteProtocolError, message)
                length = int(value)
            elif lower == b"transfer-encoding":
                chunked = value.lower().endswith(b"chunked")
            elif lower == b"connection":
                connection = value.lower()
        if 100 <= status < 200:  # an interim response (100 Continue): the real one follows
            return
        self.head = (status, headers)
        self.keep_alive = parts[0] == b"HTTP/1.1" and b"close" not in connection
        if parts[0] != b"HTTP/1.1" and b"keep-alive" in connection:
            self.keep_alive = True
        if status in NO_BODY:
            self._length = 0
        elif chunked:
            self._chunked = True
        elif length is not None:
            self._length = length
        else:
            self.until_close = True
            self.keep_alive = False

    def _parse_chunks(self) -> bool:
        buffer = self._buffer
        while True:
            if self._chunk_left is None:
                end = buffer.find(b"\r\n")
                if end < 0:
                    return False
                size = buffer[:end].split(b";", 1)[0].strip()
                try:
                    self._chunk_left = int(size, 16)
                except ValueError:
                    message = f"malformed chunk size {size[:40]!r}"
                    raise ProtocolFailure(httpx.RemoteProtocolError, message) from None
                del buffer[: end + 2]
                if self._chunk_left == 0:
                    self._chunk_left = -1  # now the trailers, up to an empty line
            if self._chunk_left == -1:
                end = buffer.find(b"\r\n")
                while end > 0:  # a trailer line: skipped
                    del buffer[: end + 2]
                    end = buffer.find(b"\r\n")
                if end < 0:
                    return False
                del buffer[:2]
                if buffer:
                    self.keep_alive = False
                self.body = bytes(self._chunks)
                self.done = True
                return True
            if len(buffer) < self._chunk_left + 2:
                return False
            if buffer[self._chunk_left : self._chunk_left + 2] != b"\r\n":
                raise ProtocolFailure(httpx.RemoteProtocolError, "malformed chunk: no CRLF after its data")
            self._chunks += buffer[: self._chunk_left]
            del buffer[: self._chunk_left + 2]
            self._chunk_left = None
