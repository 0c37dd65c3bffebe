"""A new event loop gets its client quickly: every transport shares one TLS context instead of
loading the CA bundle once per connection-pool shard."""

from __future__ import annotations

import asyncio
import time

from dspex.lm import http


def test_every_transport_shares_one_tls_context():
    async def contexts() -> set[int]:
        pool = http._async_pool()
        return {id(shard._pool._ssl_context) for shard in pool.transport._shards}

    async_contexts = asyncio.run(contexts()) | asyncio.run(contexts())
    sync_context = id(http._sync_pool().transport._pool._ssl_context)

    assert async_contexts == {sync_context}


def test_a_new_loop_builds_its_client_in_milliseconds():
    async def build() -> float:
        started = time.perf_counter()
        http.async_client()
        return time.perf_counter() - started

    asyncio.run(build())  # the shared TLS context is built once per process
    elapsed = min(asyncio.run(build()) for _ in range(3))

    assert elapsed < 0.05, elapsed  # 16 TLS contexts took ~0.4 s here
