"""Request slots: the local model's server gets one request at a time, in order; the rest wait here."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from dspex.lm import LM
from dspex.lm.slots import RequestSlots, request_slots


def _wait_until(condition, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.005)


async def test_async_holders_never_overlap_and_are_served_in_order():
    slots = RequestSlots(1)
    active, peak, order = [0], [0], []

    async def job(i: int) -> None:
        async with slots:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            order.append(i)
            await asyncio.sleep(0.001)
            active[0] -= 1

    await asyncio.gather(*(job(i) for i in range(20)))
    assert peak[0] == 1 and order == list(range(20))


def test_threads_and_event_loops_share_the_slots():
    slots = RequestSlots(2)
    active, peak = [0], [0]
    lock = threading.Lock()

    def enter() -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])

    def leave() -> None:
        with lock:
            active[0] -= 1

    def in_a_thread() -> None:
        for _ in range(20):
            with slots:
                enter()
                time.sleep(0.0005)
                leave()

    async def tasks() -> None:
        async def one() -> None:
            async with slots:
                enter()
                await asyncio.sleep(0.0005)
                leave()

        await asyncio.gather(*(one() for _ in range(20)))

    threads = [threading.Thread(target=in_a_thread) for _ in range(3)]
    threads += [threading.Thread(target=asyncio.run, args=(tasks(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 2 and active[0] == 0


async def test_a_cancelled_waiter_does_not_lose_the_slot():
    slots = RequestSlots(1)
    await slots.aacquire()
    waiting = asyncio.ensure_future(slots.aacquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert slots.waiting == 0
    slots.release()
    await asyncio.wait_for(slots.aacquire(), 5)  # the slot is free again


async def test_a_slot_granted_to_a_task_cancelled_meanwhile_is_passed_on():
    slots = RequestSlots(1)
    await slots.aacquire()
    first = asyncio.ensure_future(slots.aacquire())
    second = asyncio.ensure_future(slots.aacquire())
    await asyncio.sleep(0)
    slots.release()  # hands the slot to `first` (scheduled on the loop)...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 5)
    assert slots.waiting == 0


def test_local_model_requests_wait_in_the_client_while_the_server_is_busy(openai_stub):
    lm = LM("local/gemma-3-270m", base_url=openai_stub.base_url, cache=False)
    slots = request_slots(openai_stub.url, 1)  # keyed by the server: http://127.0.0.1:PORT
    slots.acquire()  # another request is running on the server
    done = []
    worker = threading.Thread(target=lambda: done.append(lm.request("hi").outputs))
    worker.start()
    _wait_until(lambda: slots.waiting == 1)
    assert openai_stub.requests == []  # nothing sent while the slot is taken
    slots.release()
    worker.join(10)
    assert done == [["stub response"]] and len(openai_stub.requests) == 1


def test_other_providers_are_not_limited(openai_stub, make_stub_lm):
    openai_stub.script(*[{"hang": True}] * 8)
    lm = make_stub_lm(num_retries=0)
    results = []

    async def burst():
        calls = [lm.arequest(f"q{i}") for i in range(8)]
        results.extend(await asyncio.gather(*calls, return_exceptions=True))

    worker = threading.Thread(target=asyncio.run, args=(burst(),))
    worker.start()
    _wait_until(lambda: len(openai_stub.requests) == 8)  # all eight in flight at once
    openai_stub.reset()  # drops the hanging connections
    worker.join(10)
    assert len(results) == 8
