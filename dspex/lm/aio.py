"""A small asyncio HTTP/1.1 client for the LM's async JSON POSTs.

httpx over httpcore spends most of an async LM request's CPU time in its layers (anyio cancel
scopes, h11's state machine, the pool's bookkeeping): about 0.5 of 0.75 ms per request in
``bench/engine_bench.py``, which at concurrency 64 stretches every 100 ms round trip. This client
does only what those POSTs need, on :class:`asyncio.Protocol`:

- one pool of keep-alive connections per origin (scheme, host, port), at most ``max_connections``
  requests in flight per origin, idle connections dropped after ``keepalive_expiry`` seconds;
- TLS through the same :class:`ssl.SSLContext` as the httpx transports;
- the request bytes and the response parser of :mod:`dspex.lm.http1` (shared with the blocking
  client): ``Content-Length``, ``Transfer-Encoding: chunked`` or until-close framing, bodies
  decoded by :class:`httpx.Response` as on the httpx path;
- the connect, read (time without a byte) and pool timeouts of an :class:`httpx.Timeout`.

It answers with :class:`httpx.Response` objects and fails with httpx's exception types (a
refused connection is :class:`httpx.ConnectError`, a silent server :class:`httpx.ReadTimeout`, a
dropped connection :class:`httpx.RemoteProtocolError`), so the endpoint's retries and error
messages are those of the httpx path. Streamed responses and requests through a proxy stay on
httpx (:mod:`dspex.lm.http`).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque

import httpx

from dspex.lm.http1 import ProtocolFailure, ResponseParser, request_bytes

__all__ = ["AsyncHTTPClient"]

_DEFAULT_PORTS = {b"http": 80, b"https": 443}


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: send a request, parse its response, then wait for the next."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser = ResponseParser()
        self._waiter: asyncio.Future[httpx.Response] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._read_timeout: float | None = None
        self._last_data = 0.0

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # nothing was asked: the connection cannot be trusted any more
            self.close()
            return
        self._last_data = self.loop.time()
        try:
            if self._parser.feed(data):
                self._complete()
        except ProtocolFailure as failure:
            self._fail(failure)

    def eof_received(self) -> bool:
        self.closed = True
        if self._waiter is not None:
            try:
                if self._parser.eof():
                    self._complete()
            except ProtocolFailure as failure:
                self._fail(failure)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is None:
            return
        if exc is not None:
            self._fail(ProtocolFailure(httpx.ReadError, f"{type(exc).__name__}: {exc}"))
        else:
            self._fail(ProtocolFailure(httpx.RemoteProtocolError, self._parser.cut_short()))

    # -- a request ----------------------------------------------------------------------------

    def send(self, data: bytes, read_timeout: float | None) -> asyncio.Future[httpx.Response]:
        """Write one request; the future gets its response (or the failure)."""
        assert self.transport is not None
        self._parser.reset()
        waiter = self._waiter = self.loop.create_future()
        self._read_timeout = read_timeout
        self._last_data = self.loop.time()
        if read_timeout is not None:
            self._timer = self.loop.call_at(self._last_data + read_timeout, self._check_timeout)
        self.transport.write(data)
        return waiter

    @property
    def reusable(self) -> bool:
        return not self.closed and self._parser.keep_alive and self.transport is not None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _check_timeout(self) -> None:
        self._timer = None
        if self._waiter is None or self._read_timeout is None:
            return
        due = self._last_data + self._read_timeout
        if self.loop.time() < due:  # data arrived meanwhile: wait for the rest of the time
            self._timer = self.loop.call_at(due, self._check_timeout)
            return
        self._fail(ProtocolFailure(httpx.ReadTimeout, "timed out"))
        self.close()

    def _fail(self, failure: ProtocolFailure) -> None:
        waiter = self._finish()
        if waiter is not None and not waiter.done():
            waiter.set_exception(failure)

    def _complete(self) -> None:
        waiter = self._finish()
        if waiter is None or waiter.done():
            return
        try:  # httpx decodes a gzip/deflate/... body as it does on its own path
            response = self._parser.response()
        except httpx.DecodingError as exc:
            waiter.set_exception(exc)
            return
        waiter.set_result(response)

    def _finish(self) -> asyncio.Future[httpx.Response] | None:
        waiter, self._waiter = self._waiter, None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return waiter


class _Origin:
    """The connections to one scheme://host:port."""

    __slots__ = ("host", "idle", "port", "slots", "ssl", "waiting")

    def __init__(self, host: str, port: int, context: ssl.SSLContext | None, size: int) -> None:
        self.host = host
        self.port = port
        self.ssl = context
        self.idle: deque[_Connection] = deque()
        self.slots = size  # requests that may start now
        self.waiting: deque[asyncio.Future[None]] = deque()


class AsyncHTTPClient:
    """Keep-alive HTTP/1.1 POSTs on the running event loop (one client per loop)."""

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

    def connections(self) -> int:
        """Idle keep-alive connections held now (for tests and diagnostics)."""
        return sum(len(origin.idle) for origin in self._origins.values())

    async def post(
        self, url: httpx.URL, content: bytes, headers: dict[str, str], timeout: httpx.Timeout
    ) -> httpx.Response:
        """POST ``content`` to ``url`` and return the response with its body read."""
        origin = self._origin(url)
        await self._take_slot(origin, timeout.pool)
        connection: _Connection | None = None
        try:
            connection = await self._connection(origin, timeout.connect)
            waiter = connection.send(request_bytes(url, content, headers, self._default), timeout.read)
            try:
                response = await waiter
            except ProtocolFailure as failure:
                failure.raise_as()
        except BaseException:
            if connection is not None:
                connection.close()
            self._give_slot(origin)
            raise
        if connection.reusable:
            connection.idle_since = time.monotonic()
            origin.idle.append(connection)
        else:
            connection.close()
        self._give_slot(origin)
        return response

    def _origin(self, url: httpx.URL) -> _Origin:
        scheme = url.raw_scheme
        port = url.port or _DEFAULT_PORTS[scheme]
        key = (scheme, url.raw_host, port)
        origin = self._origins.get(key)
        if origin is None:
            context = self._ssl if scheme == b"https" else None
            origin = self._origins[key] = _Origin(url.host, port, context, self._max)
        return origin

    async def _take_slot(self, origin: _Origin, pool_timeout: float | None) -> None:
        if origin.slots > 0 and not origin.waiting:
            origin.slots -= 1
            return
        future = asyncio.get_running_loop().create_future()
        origin.waiting.append(future)
        try:
            await asyncio.wait_for(future, pool_timeout)
        except TimeoutError:
            raise httpx.PoolTimeout("timed out waiting for a connection") from None
        except BaseException:
            if future.done() and not future.cancelled():
                self._give_slot(origin)  # handed over as this task was being cancelled
            elif future in origin.waiting:
                origin.waiting.remove(future)
            raise

    def _give_slot(self, origin: _Origin) -> None:
        while origin.waiting:
            future = origin.waiting.popleft()
            if not future.done():
                future.set_result(None)  # the slot passes on
                return
        origin.slots += 1

    async def _connection(self, origin: _Origin, connect_timeout: float | None) -> _Connection:
        now = time.monotonic()
        while origin.idle:
            connection = origin.idle.pop()  # the most recent: the least likely to be closed
            if connection.reusable and now - connection.idle_since < self._expiry:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        try:
            _, protocol = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(loop),
                    origin.host,
                    origin.port,
                    ssl=origin.ssl,
                    server_hostname=origin.host if origin.ssl is not None else None,
                ),
                connect_timeout,
            )
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out") from None
        except OSError as exc:  # refused, unreachable, name resolution, TLS (ssl.SSLError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from None
        return protocol
