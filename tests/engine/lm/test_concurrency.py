"""Requests run concurrently on pooled connections, from tasks, threads and several loops."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from dspex.lm import http

MESSAGES = [{"role": "user", "content": "ping"}]


async def test_fifty_parallel_async_calls_overlap(openai_stub, stub_lm):
    openai_stub.set_default("pong", delay=0.1)

    started = time.monotonic()
    responses = await asyncio.gather(*(stub_lm.arequest(MESSAGES) for _ in range(50)))
    elapsed = time.monotonic() - started

    assert [r.outputs for r in responses] == [["pong"]] * 50
    assert len(openai_stub.requests) == 50
    assert elapsed < 2.5  # sequentially it would take 5 s


def test_threads_share_the_sync_client(openai_stub, stub_lm):
    openai_stub.set_default("pong", delay=0.05)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        outputs = list(pool.map(lambda _: stub_lm.request(MESSAGES).outputs, range(32)))

    assert outputs == [["pong"]] * 32
    assert time.monotonic() - started < 1.2  # sequentially it would take 1.6 s
    assert len(stub_lm.history) == 32


def test_each_event_loop_gets_its_own_async_client(openai_stub, stub_lm):
    clients = []

    async def call():
        clients.append(http.async_client())
        return (await stub_lm.arequest(MESSAGES)).outputs

    assert asyncio.run(call()) == ["stub response"]
    assert asyncio.run(call()) == ["stub response"]
    assert clients[0] is not clients[1]


async def test_calls_on_one_loop_reuse_one_client():
    assert http.async_client() is http.async_client()


def test_loops_in_different_threads_work_at_the_same_time(openai_stub, stub_lm):
    openai_stub.set_default("pong", delay=0.05)
    results: list[list[str]] = []

    def worker():
        async def calls():
            rs = await asyncio.gather(*(stub_lm.arequest(MESSAGES) for _ in range(5)))
            return [r.outputs[0] for r in rs]

        results.append(asyncio.run(calls()))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [["pong"] * 5] * 4
