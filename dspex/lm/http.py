"""Pooled HTTP clients shared by every LM in the process.

One :class:`httpx.Client` per process and one :class:`httpx.AsyncClient` per event loop (an async
client's connections belong to the loop that opened them). The client of a loop that has been
closed (``asyncio.run`` per task, a test's loop) is dropped when the next loop asks for one, which
lets its sockets be closed; the pool itself never keeps a closed loop alive. Both are dropped in a
forked child so that Celery prefork workers never share sockets with their parent.

Plain JSON POSTs to http(s) URLs skip httpx altogether (its client's cookie, auth and redirect
handling and httpcore's pool cost more than the rest of the LM layer together): blocking ones go
to a small HTTP/1.1 client over plain sockets with one keep-alive pool per process
(:mod:`dspex.lm.blocking`), async ones to its asyncio counterpart with a pool per loop
(:mod:`dspex.lm.aio`). That shortcut is only taken when no proxy is configured in the
environment; otherwise requests go through the httpx client so that proxy settings apply (and
other URL schemes through httpx's transport). Streamed responses always use the httpx client.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import ssl
import threading
import urllib.request

import httpx

from dspex.lm.aio import AsyncHTTPClient
from dspex.lm.blocking import BlockingHTTPClient

__all__ = [
    "DEFAULT_HEADERS",
    "LIMITS",
    "apost",
    "astream_open",
    "async_client",
    "post",
    "reset_clients",
    "sync_client",
]

# keepalive_expiry stays at httpx's 5 s: with long expiries httpcore's async pool was measured to slow
# down several-fold for as long as the connections opened by a burst of concurrent requests live.
LIMITS = httpx.Limits(max_connections=256, max_keepalive_connections=256, keepalive_expiry=5.0)
ASYNC_SHARDS = 16
DEFAULT_HEADERS = {"User-Agent": "dspex", "Accept": "application/json"}
_OWN_SCHEMES = frozenset({b"http", b"https"})


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every transport (httpx's default: certifi, or ``SSL_CERT_FILE``/``DIR``).

    Building one loads the CA bundle (~25 ms); a context per shard made every new event loop cost
    0.4 s before its first request.
    """
    return httpx.create_ssl_context()


class _SyncPool:
    __slots__ = ("blocking", "client", "direct", "transport")

    def __init__(self) -> None:
        self.transport = httpx.HTTPTransport(verify=_ssl_context(), limits=LIMITS)
        self.client = httpx.Client(transport=self.transport, timeout=60.0, headers=DEFAULT_HEADERS)
        self.direct = not urllib.request.getproxies()
        self.blocking = BlockingHTTPClient(
            _ssl_context(),
            max_connections=LIMITS.max_connections or 256,
            keepalive_expiry=LIMITS.keepalive_expiry or 5.0,
            default_headers=DEFAULT_HEADERS,
        )


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Several httpcore pools used round-robin.

    httpcore's async pool re-scans every connection and every queued request on each event, so its
    cost grows with the square of the requests in flight: at concurrency 64 one pool was measured
    at a third of the throughput of 16 small pools on this machine (bench/engine_bench.py).
    """

    def __init__(self, shards: int = ASYNC_SHARDS, limits: httpx.Limits = LIMITS) -> None:
        per_shard = httpx.Limits(
            max_connections=max(1, (limits.max_connections or 256) // shards),
            max_keepalive_connections=max(1, (limits.max_keepalive_connections or 256) // shards),
            keepalive_expiry=limits.keepalive_expiry,
        )
        context = _ssl_context()
        self._shards = [httpx.AsyncHTTPTransport(verify=context, limits=per_shard) for _ in range(shards)]
        self._next = itertools.cycle(self._shards).__next__

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._next().handle_async_request(request)

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _AsyncPool:
    __slots__ = ("aio", "client", "direct", "transport")

    def __init__(self) -> None:
        self.transport = ShardedAsyncTransport()
        self.client = httpx.AsyncClient(transport=self.transport, timeout=60.0, headers=DEFAULT_HEADERS)
        self.direct = not urllib.request.getproxies()
        self.aio = AsyncHTTPClient(
            _ssl_context(),
            max_connections=LIMITS.max_connections or 256,
            keepalive_expiry=LIMITS.keepalive_expiry or 5.0,
            default_headers=DEFAULT_HEADERS,
        )


_lock = threading.Lock()
_sync: _SyncPool | None = None
# A plain dict: with a WeakKeyDictionary the pool (whose connections reference their loop) kept its
# own key alive, so the pools and sockets of closed loops were never released.
_async: dict[asyncio.AbstractEventLoop, _AsyncPool] = {}
_last_async: tuple[asyncio.AbstractEventLoop, _AsyncPool] | None = None


def _sync_pool() -> _SyncPool:
    global _sync
    pool = _sync
    if pool is None:
        with _lock:
            if _sync is None:
                _sync = _SyncPool()
            pool = _sync
    return pool


def _async_pool() -> _AsyncPool:
    global _last_async
    loop = asyncio.get_running_loop()
    last = _last_async
    if last is not None and last[0] is loop:
        return last[1]
    with _lock:
        pool = _async.get(loop)
        if pool is None:
            for closed in [other for other in _async if other.is_closed()]:
                del _async[closed]  # its transports close their sockets when collected
            pool = _async[loop] = _AsyncPool()
        _last_async = (loop, pool)
    return pool


def sync_client() -> httpx.Client:
    """The process-wide synchronous client (thread-safe)."""
    return _sync_pool().client


def async_client() -> httpx.AsyncClient:
    """The client bound to the running event loop (call it from a coroutine)."""
    return _async_pool().client


def _request(
    url: httpx.URL, content: bytes, headers: dict[str, str], timeout: httpx.Timeout
) -> httpx.Request:
    return httpx.Request(
        "POST",
        url,
        content=content,
        headers={**DEFAULT_HEADERS, **headers},
        extensions={"timeout": timeout.as_dict()},
    )


def post(url: httpx.URL, content: bytes, headers: dict[str, str], timeout: httpx.Timeout) -> httpx.Response:
    """POST and read the whole response body: the small blocking client (:mod:`dspex.lm.blocking`)
    for http(s) URLs, httpx for the rest and behind a proxy."""
    pool = _sync_pool()
    if not pool.direct:
        return pool.client.post(url, content=content, headers=headers, timeout=timeout)
    if url.raw_scheme in _OWN_SCHEMES:
        return pool.blocking.post(url, content, headers, timeout)
    response = pool.transport.handle_request(_request(url, content, headers, timeout))
    try:
        response.read()
    finally:
        response.close()
    return response


async def apost(
    url: httpx.URL, content: bytes, headers: dict[str, str], timeout: httpx.Timeout
) -> httpx.Response:
    """Async :func:`post` on the running loop's pool: the small asyncio client
    (:mod:`dspex.lm.aio`) for http(s) URLs, httpx for the rest and behind a proxy."""
    pool = _async_pool()
    if not pool.direct:
        return await pool.client.post(url, content=content, headers=headers, timeout=timeout)
    if url.raw_scheme in _OWN_SCHEMES:
        return await pool.aio.post(url, content, headers, timeout)
    response = await pool.transport.handle_async_request(_request(url, content, headers, timeout))
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response


async def astream_open(
    url: httpx.URL, content: bytes, headers: dict[str, str], timeout: httpx.Timeout
) -> httpx.Response:
    """POST for a streamed response: a 2xx response comes back open (the caller reads and closes
    it); any other is read whole and closed, ready to be reported."""
    client = async_client()
    request = client.build_request("POST", url, content=content, headers=headers, timeout=timeout)
    response = await client.send(request, stream=True)
    if response.status_code >= 300:
        try:
            await response.aread()
        finally:
            await response.aclose()
    return response


def reset_clients() -> None:
    """Forget every pooled client without closing it (used after ``fork``)."""
    global _sync, _async, _last_async, _lock
    _lock = threading.Lock()
    _sync = None
    _async = {}
    _last_async = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reset_clients)
