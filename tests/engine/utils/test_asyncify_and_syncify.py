"""asyncify runs sync programs on worker threads; syncify gives async modules a forward."""

from __future__ import annotations

import asyncio
import threading

import dspex
from dspex.utils.asyncify import asyncify, get_limiter, syncify


async def test_asyncify_runs_on_a_worker_thread_with_the_callers_settings():
    seen = {}

    def work(x):
        seen["thread"] = threading.current_thread()
        seen["setting"] = dspex.settings.get("max_errors")
        return x * 2

    with dspex.context(max_errors=3):
        assert await asyncify(work)(21) == 42

    assert seen["thread"] is not threading.main_thread()
    assert seen["setting"] == 3


async def test_the_limiter_is_one_object_sized_by_async_max_workers():
    limiter = get_limiter()
    assert limiter.total_tokens == 8
    with dspex.context(async_max_workers=3):
        assert get_limiter() is limiter
        assert limiter.total_tokens == 3
    assert get_limiter().total_tokens == 8


class AddOne(dspex.Module):
    async def aforward(self, x):
        await asyncio.sleep(0)
        return x + 1


def test_syncify_in_place_gives_the_module_a_forward():
    program = AddOne()
    assert syncify(program) is program
    assert program(1) == 2


def test_syncify_as_a_wrapper_leaves_the_module_alone():
    program = AddOne()
    wrapper = syncify(program, in_place=False)
    assert wrapper is not program and wrapper(5) == 6
    assert "forward" not in vars(program)


async def test_a_syncified_module_also_runs_inside_an_event_loop():
    assert syncify(AddOne())(1) == 2
