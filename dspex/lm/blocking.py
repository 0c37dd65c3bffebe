"""A small blocking HTTP/1.1 client for the LM's synchronous JSON POSTs.

The blocking counterpart of :mod:`dspex.lm.aio`, over plain sockets: httpx's sync transport
(httpcore, h11, the pool's locks and bookkeeping) cost about as much CPU per request as the rest
of a whole ``Predict`` call. It sends the same request bytes and reads responses with the same
parser (:mod:`dspex.lm.http1`):

- one pool of keep-alive connections per origin (scheme, host, port), shared by every thread, at
  most ``max_connections`` requests in flight per origin (the others wait up to the pool
  timeout), idle connections dropped after ``keepalive_expiry`` seconds, and an idle connection
  the server has closed (or written to) meanwhile is never reused;
- TLS through the same :class:`ssl.SSLContext` as the httpx transports;
- the connect, write, read (time without a byte) and pool timeouts of an :class:`httpx.Timeout`.

It answers with :class:`httpx.Response` objects and fails with httpx's exception types, as the
asyncio client does, so the endpoint's retries and error messages are those of the httpx path.
Requests through a proxy and other URL schemes stay on httpx (:mod:`dspex.lm.http`).
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
from collections import deque

import httpx

from dspex.lm.http1 import ProtocolFailure, ResponseParser, request_bytes

__all__ = ["BlockingHTTPClient"]

_DEFAULT_PORTS = {b"http": 80, b"https": 443}
_RECV = 256 * 1024
_poll = getattr(select, "poll", None)


class _Connection:
    """One socket and the parser of the response it is reading."""

    __slots__ = ("idle_since", "parser", "sock", "timeout")

    def __init__(self, sock: socket.socket, timeout: float | None) -> None:
        self.sock = sock
        self.timeout = timeout  # what the socket is set to now (changing it costs a system call)
        self.parser = ResponseParser()
        self.idle_since = 0.0

    def set_timeout(self, timeout: float | None) -> None:
        if timeout != self.timeout:
            self.sock.settimeout(timeout)
            self.timeout = timeout

    def exchange(self, data: bytes, timeout: httpx.Timeout) -> httpx.Response:
        """Write one request and read its response."""
        self.set_timeout(timeout.write)
        try:
            self.sock.sendall(data)
        except TimeoutError:
            raise httpx.WriteTimeout("timed out") from None
        except OSError as exc:
            raise httpx.WriteError(f"{type(exc).__name__}: {exc}") from None
        parser = self.parser
        parser.reset()
        self.set_timeout(timeout.read)
        recv = self.sock.recv
        try:
            while True:
                try:
                    chunk = recv(_RECV)
                except TimeoutError:
                    raise httpx.ReadTimeout("timed out") from None
                except OSError as exc:
                    raise httpx.ReadError(f"{type(exc).__name__}: {exc}") from None
                if not chunk:
                    parser.eof()
                    break
                if parser.feed(chunk):
                    break
        except ProtocolFailure as failure:
            failure.raise_as()
        return parser.response()

    @property
    def reusable(self) -> bool:
        """Whether the server left the connection open for another request."""
        return self.parser.keep_alive

    def readable(self) -> bool:
        """Whether the socket has something to read while idle: the server closed it (or sent
        what nobody asked for), so it cannot carry another request."""
        sock = self.sock
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return True
        try:
            if _poll is None:  # no poll(): select, which cannot watch descriptors past 1023
                return bool(select.select([sock], [], [], 0)[0])
            watch = _poll()
            watch.register(sock, select.POLLIN)
            return bool(watch.poll(0))
        except (OSError, ValueError):  # closed meanwhile
            return True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class _Origin:
    """The connections to one scheme://host:port."""

    __slots__ = ("host", "idle", "port", "slots", "ssl")

    def __init__(self, host: str, port: int, context: ssl.SSLContext | None, size: int) -> None:
        self.host = host
        self.port = port
        self.ssl = context
        self.idle: deque[_Connection] = deque()  # append and pop are atomic: no lock needed
        self.slots = threading.BoundedSemaphore(size)  # requests that may be in flight


class BlockingHTTPClient:
    """Keep-alive HTTP/1.1 POSTs from any thread (one client per process)."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        max_connections: int = 256,
        keepalive_expiry: float = 5.0,
        default_headers: dict[str, str] | None = None,
    ) -> None:
        self._ssl = ssl_context
        self._max = max_connections
        self._expiry = keepalive_expiry
        self._default = default_headers or {}
        self._origins: dict[tuple[bytes, bytes, int], _Origin] = {}
        self._lock = threading.Lock()

    def connections(self) -> int:
        """Idle keep-alive connections held now (for tests and diagnostics)."""
        return sum(len(origin.idle) for origin in list(self._origins.values()))

    def close(self) -> None:
        """Close every idle connection."""
        for origin in list(self._origins.values()):
            while origin.idle:
                origin.idle.pop().close()

    def post(
        self, url: httpx.URL, content: bytes, headers: dict[str, str], timeout: httpx.Timeout
    ) -> httpx.Response:
        """POST ``content`` to ``url`` and return the response with its body read."""
        data = request_bytes(url, content, headers, self._default)
        origin = self._origin(url)
        if not origin.slots.acquire(timeout=timeout.pool):
            raise httpx.PoolTimeout("timed out waiting for a connection")
        try:
            connection = self._connection(origin, timeout.connect)
            try:
                response = connection.exchange(data, timeout)
            except BaseException:
                connection.close()
                raise
            if connection.reusable:
                connection.idle_since = time.monotonic()
                origin.idle.append(connection)
            else:
                connection.close()
            return response
        finally:
            origin.slots.release()

    def _origin(self, url: httpx.URL) -> _Origin:
        scheme = url.raw_scheme
        port = url.port or _DEFAULT_PORTS[scheme]
        key = (scheme, url.raw_host, port)
        origin = self._origins.get(key)
        if origin is None:
            with self._lock:
                origin = self._origins.get(key)
                if origin is None:
                    context = self._ssl if scheme == b"https" else None
                    origin = self._origins[key] = _Origin(url.host, port, context, self._max)
        return origin

    def _connection(self, origin: _Origin, connect_timeout: float | None) -> _Connection:
        idle = origin.idle
        if idle:
            now = time.monotonic()
            while True:
                try:
                    connection = idle.pop()  # the most recent: the least likely to be closed
                except IndexError:
                    break
                if now - connection.idle_since < self._expiry and not connection.readable():
                    self._drop_expired(idle, now)
                    return connection
                connection.close()
        return self._connect(origin, connect_timeout)

    def _drop_expired(self, idle: deque[_Connection], now: float) -> None:
        """Close the connections that stayed idle too long (the oldest are on the left)."""
        while True:
            try:
                oldest = idle.popleft()
            except IndexError:
                return
            if now - oldest.idle_since < self._expiry:
                idle.appendleft(oldest)  # the oldest is fresh: so are the others
                return
            oldest.close()

    def _connect(self, origin: _Origin, timeout: float | None) -> _Connection:
        try:
            sock = socket.create_connection((origin.host, origin.port), timeout=timeout)
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out") from None
        except OSError as exc:  # refused, unreachable, name resolution
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if origin.ssl is not None:
                sock = origin.ssl.wrap_socket(sock, server_hostname=origin.host)
        except TimeoutError:
            sock.close()
            raise httpx.ConnectTimeout("timed out") from None
        except OSError as exc:  # TLS (ssl.SSLError, a certificate that is not trusted)
            sock.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from None
        return _Connection(sock, timeout)
