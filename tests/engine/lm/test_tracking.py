"""track_calls collects the calls made in its context, and only those."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

from dspex.lm import LMCall, track_calls

MESSAGES = [{"role": "user", "content": "ping"}]


def test_it_collects_sync_async_and_cached_calls(openai_stub, make_stub_lm):
    lm = make_stub_lm(cache=True)
    openai_stub.script("first")

    with track_calls() as calls:
        lm.request(MESSAGES)
        lm.request(MESSAGES)
        asyncio.run(lm.arequest(MESSAGES, temperature=0.5))

    assert [type(c) for c in calls] == [LMCall] * 3
    assert [c.cache_hit for c in calls] == [False, True, False]
    assert calls[0].outputs == ["first"]
    assert calls[2].params == {"temperature": 0.5}
    assert calls[0].to_dict() == lm.history[0]


def test_calls_outside_the_block_are_not_collected(openai_stub, stub_lm):
    with track_calls() as calls:
        stub_lm.request(MESSAGES)
    stub_lm.request(MESSAGES)

    assert len(calls) == 1


async def test_tasks_started_inside_are_collected(openai_stub, stub_lm):
    with track_calls() as calls:
        await asyncio.gather(*(asyncio.create_task(stub_lm.arequest(MESSAGES)) for _ in range(5)))

    assert len(calls) == 5


async def test_concurrent_tasks_do_not_see_each_others_calls(openai_stub, stub_lm):
    openai_stub.set_default("pong", delay=0.02)

    async def job(count):
        with track_calls() as calls:
            for _ in range(count):
                await stub_lm.arequest(MESSAGES)
                await asyncio.sleep(0)
        return len(calls)

    assert await asyncio.gather(job(1), job(2), job(3)) == [1, 2, 3]


def test_threads_running_in_a_copy_of_the_context_are_collected(openai_stub, stub_lm):
    with track_calls() as calls, ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(contextvars.copy_context().run, stub_lm.request, MESSAGES) for _ in range(4)]
        for future in futures:
            future.result()

    assert len(calls) == 4


async def test_to_thread_calls_are_collected(openai_stub, stub_lm):
    with track_calls() as calls:
        await asyncio.to_thread(stub_lm.request, MESSAGES)

    assert len(calls) == 1


def test_a_plain_thread_started_elsewhere_does_not_leak_into_the_block(openai_stub, stub_lm):
    release = threading.Event()

    def outsider():
        release.wait()
        stub_lm.request(MESSAGES)

    thread = threading.Thread(target=outsider)
    thread.start()
    with track_calls() as calls:
        release.set()
        thread.join()
        stub_lm.request(MESSAGES)

    assert len(calls) == 1


def test_nested_blocks_both_receive_inner_calls(openai_stub, stub_lm):
    with track_calls() as outer:
        stub_lm.request(MESSAGES)
        with track_calls() as inner:
            stub_lm.request(MESSAGES)

    assert len(outer) == 2
    assert len(inner) == 1
    assert inner[0] is outer[1]


async def test_streams_are_collected(openai_stub, stub_lm):
    with track_calls() as calls:
        _ = [chunk async for chunk in stub_lm.astream(MESSAGES)]

    assert len(calls) == 1
    assert calls[0].outputs == ["stub response"]
