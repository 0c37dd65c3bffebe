"""``context()`` overrides follow Python's context: tasks and copied contexts inherit them, other
threads do not, and nothing set inside a task or worker leaks back out."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

import dspex
from dspex.settings import settings


def read_backend() -> str:
    return settings.backend


def test_a_pool_worker_running_a_copy_of_the_context_sees_the_override():
    with dspex.context(backend="dspy"), ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(contextvars.copy_context().run, read_backend) for _ in range(8)]
        assert [f.result() for f in futures] == ["dspy"] * 8


def test_a_pool_worker_given_no_context_sees_only_the_configured_defaults():
    dspex.configure(backend="native")

    with dspex.context(backend="dspy"), ThreadPoolExecutor(2) as pool:
        assert pool.submit(read_backend).result() == "native"


def test_an_override_made_inside_a_worker_stays_there():
    def override_then_read() -> str:
        with dspex.context(backend="dspy"):
            return read_backend()

    with ThreadPoolExecutor(2) as pool:
        assert pool.submit(contextvars.copy_context().run, override_then_read).result() == "dspy"

    assert settings.backend == "auto"


async def test_tasks_inherit_the_override_they_were_created_under():
    with dspex.context(backend="dspy"):
        task = asyncio.create_task(asyncio.to_thread(read_backend))
    assert settings.backend == "auto"

    assert await task == "dspy"


async def test_an_override_inside_a_task_does_not_leak_to_its_parent_or_siblings():
    async def override(value: str) -> str:
        with dspex.context(backend=value):
            await asyncio.sleep(0.01)
            return settings.backend

    results = await asyncio.gather(override("dspy"), override("native"), asyncio.sleep(0, "auto"))

    assert results == ["dspy", "native", "auto"]
    assert settings.backend == "auto"


async def test_a_module_run_asynchronously_in_a_thread_sees_the_override():
    class ReadsSettings(dspex.Module):
        def forward(self) -> str:
            return settings.backend

    with dspex.context(backend="dspy"):
        assert await ReadsSettings().acall() == "dspy"
